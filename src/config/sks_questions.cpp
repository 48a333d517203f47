// The Secure Key Storage questions of the wizard, in the wording and order of DESIGN.md (which
// follows the original product's HSM guide).
#include <algorithm>
#include <cctype>

#include "config/checks.hpp"
#include "config/sks_access.hpp"
#include "config/wizard_steps.hpp"
#include "settings/folder_changes.hpp"
#include "sks/hsm_connection.hpp"

namespace ssoc::config {
namespace {

constexpr int kMaxRefusedPasswords = 3;

class SksQuestions {
 public:
  SksQuestions(Prompter& prompter, const FolderState& state, Plan& plan)
      : p_(prompter), state_(state), plan_(plan), on_(state.sks.has_value()) {
    if (on_) trial_ = *state.sks;
    trial_.instance_id = std::string(plan.instance.get("instance_id").value_or(""));
  }

  Result<void> run() {
    const bool configure = TRY(p_.yes_no(
        on_ ? "Configure Secure Key Storage (Y/n): " : "Configure Secure Key Storage (y/N): ",
        on_));
    if (!configure) {
      plan_.sks = on_ ? Plan::Sks::Disable : Plan::Sks::Keep;
      return success();
    }
    p_.say(
        "IMPORTANT: Make sure that this server is already connected to a networked HSM or other "
        "secure key storage device.");
    TRY(ask_type());
    TRY(ask_module());
    TRY(ask_access());
    p_.say("A certificate chain is required in order to store an encryption key.");
    p_.say("You may use the SSL certificate file entered previously, or use a different one.");
    TRY(ask_chain());

    const bool enable = TRY(p_.yes_no("Enable Secure Key Storage (Y/n): ", true));
    plan_.sks = Plan::Sks::Keep;
    if (!enable) return success();
    if (on_) {
      if (!same_hsm_access(*state_.sks, trial_)) {
        std::string message =
            "Secure Key Storage is on, and how the HSM is reached cannot change while it is: "
            "the HSM settings were left as they were. To change them, run `ssoconnect config "
            "--disable-sks`, then `ssoconnect config` again.";
        p_.say(message);
        plan_.messages.push_back(std::move(message));
      }
      return success();
    }
    plan_.sks = Plan::Sks::Enable;
    plan_.sks_config = trial_;
    return success();
  }

 private:
  Result<void> ask_type() {
    for (;;) {
      std::string answer =
          TRY(p_.text("Type of Secure Key Storage (PKCS#11 HSM, e.g. Gemalto SafeNet Luna): "));
      std::transform(answer.begin(), answer.end(), answer.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (answer.empty() || answer == "pkcs11" || answer == "pkcs#11") return success();
      p_.say("Only PKCS#11 HSMs are supported; press Enter (or type pkcs11).");
    }
  }

  Result<void> ask_module() {
    std::string fallback = trial_.module.empty() ? std::string(kLunaModule) : trial_.module;
    for (;;) {
      std::string path = TRY(p_.text("PKCS#11 library (" + fallback + "): "));
      if (path.empty()) path = fallback;
      auto module = sks::try_module(path, trial_.module_init_args);
      if (module) {
        trial_.module = path;
        return success();
      }
      p_.say(module.error().message +
             "; enter the path of the HSM vendor's PKCS#11 library (is its client installed?)");
      fallback = path;
    }
  }

  // The token and the password, tried by logging in. A refused password is asked again, but
  // at most kMaxRefusedPasswords are tried in all, so that the partition is never locked.
  Result<void> ask_access() {
    bool have_token = on_;
    bool have_pin = on_;
    int refused = 0;
    for (;;) {
      sks::SksConfig candidate = trial_;
      std::string params =
          TRY(p_.text("Secure storage device access parameters (slot,password): "));
      std::string slot = params.substr(0, params.find(','));
      std::optional<SecretBytes> pin;
      if (params.find(',') != std::string::npos) {
        // "slot,password" on one line, as the question's wording allows (then echoed).
        pin = secret_from(std::string_view(params).substr(params.find(',') + 1));
        wipe(params.data(), params.size());
      }
      if (params.empty()) slot = TRY(p_.text("  slot: "));

      if (!slot.empty()) {
        auto token = parse_token_selector("slot", slot);
        if (!token) {
          p_.say(token.error().message);
          continue;
        }
        candidate.token = *token;
      } else if (!have_token) {
        p_.say(
            "Enter the slot number of the HSM partition, or label:TOKEN-LABEL, or "
            "serial:SERIAL-NUMBER.");
        continue;
      }
      if (!pin) pin = TRY(p_.secret("  password: "));
      if (!pin->empty()) {
        if (auto set = set_pin_answer(candidate, *pin); !set) {
          p_.say(set.error().message);
          continue;
        }
      } else if (!have_pin) {
        p_.say("Enter the partition password (or file:/path/to/file, or env:VARIABLE).");
        continue;
      }

      auto login = try_hsm_login(candidate);
      if (login) {
        trial_ = std::move(candidate);
        return success();
      }
      Error error = std::move(login).error();
      if (error.cause == Cause::PinIncorrect) {
        // Keep the token that was found; a refused password is never offered again.
        trial_.token = candidate.token;
        have_token = true;
        have_pin = false;
        if (++refused >= kMaxRefusedPasswords) {
          error.message = "the HSM refused the partition password " + std::to_string(refused) +
                          " times; no further attempt is made, so that the partition is not "
                          "locked. Check the password (e.g. lunacm: role login -n co) and run "
                          "`ssoconnect config` again";
          return error;
        }
        p_.say("The HSM refused the password (pin-incorrect); " +
               std::to_string(kMaxRefusedPasswords - refused) +
               " attempt(s) left before the wizard stops. Enter the access parameters again.");
        continue;
      }
      if (error.cause == Cause::PinLocked) return error;
      p_.say(error.describe());
    }
  }

  Result<void> ask_chain() {
    const fs::path keystore =
        resolve_path(state_.folder, plan_.instance.get("keystore_file").value_or(""));
    const std::optional<fs::path> current =
        on_ ? std::optional(settings::chain_file(state_.folder, *state_.sks)) : std::nullopt;
    fs::path fallback = current ? *current : keystore;
    for (;;) {
      std::string answer = TRY(p_.text("Certificate chain file (" + fallback.string() + "): "));
      const fs::path file = answer.empty() ? fallback : resolve_path(state_.folder, answer);
      SecretBytes password = TRY(p_.secret("Certificate chain file password (none): "));
      // The keystore's own password is not copied into sks.properties (plaintext): an empty
      // cert_chain_password means "the keystore password" (settings::chain_password).
      bool keystore_password = false;
      if (password.empty()) {
        if (current && file == *current && !state_.sks->cert_chain_password.empty()) {
          password = state_.sks->cert_chain_password;
        } else if (file == keystore) {
          password = secret_from(plan_.instance.get("keystore_password").value_or(""));
          keystore_password = true;
        }
      }
      sks::SksConfig candidate = trial_;
      // The current setting is kept as written when it names the same file.
      candidate.cert_chain_file =
          current && file == *current ? state_.sks->cert_chain_file : file.string();
      candidate.cert_chain_password = std::move(password);
      auto count = count_chain_certificates(file, candidate.cert_chain_password);
      if (!count) {
        p_.say(count.error().message);
        fallback = file;
        continue;
      }
      p_.say(std::to_string(*count) + " certificates found");
      if (keystore_password) candidate.cert_chain_password.clear();
      trial_ = std::move(candidate);
      return success();
    }
  }

  Prompter& p_;
  const FolderState& state_;
  Plan& plan_;
  const bool on_;
  sks::SksConfig trial_;
};

}  // namespace

Result<void> ask_sks_questions(Prompter& prompter, const FolderState& state, Plan& plan) {
  return SksQuestions(prompter, state, plan).run();
}

}  // namespace ssoc::config
