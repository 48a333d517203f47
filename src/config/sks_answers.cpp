#include "config/sks_answers.hpp"

#include <algorithm>
#include <array>

#include "config/checks.hpp"
#include "config/sks_access.hpp"
#include "sks/hsm_connection.hpp"

namespace ssoc::config {
namespace {

constexpr std::array<std::string_view, 14> kAnswerKeys = {"sks_enabled",
                                                          "sks_type",
                                                          "sks_module",
                                                          "sks_module_init_args",
                                                          "sks_token_label",
                                                          "sks_token_serial",
                                                          "sks_slot",
                                                          "sks_user_type",
                                                          "sks_password",
                                                          "sks_password_file",
                                                          "sks_password_env",
                                                          "sks_iv_mode",
                                                          "sks_cert_chain_file",
                                                          "sks_cert_chain_password"};
constexpr std::array<std::string_view, 3> kGeneratedKeys = {"sks_instance_id", "sks_key_label",
                                                            "sks_key_id"};

Error invalid(std::string_view key, std::string_view what) {
  return fail(Cause::InvalidSetting, std::string(key) + " " + std::string(what));
}

// The error of a check, named after the answer that failed it.
Error named(std::string_view key, Error error) {
  error.message = std::string(key) + ": " + error.message;
  return error;
}

class SksAnswers {
 public:
  SksAnswers(const FolderState& state, const datadir::Properties& answers, Plan& plan)
      : state_(state), answers_(answers), plan_(plan), on_(state.sks.has_value()) {
    if (on_) config_ = *state.sks;
    config_.instance_id = std::string(plan.instance.get("instance_id").value_or(""));
  }

  Result<void> run() {
    bool want = on_;
    if (auto enabled = get("sks_enabled")) {
      std::optional<bool> flag = parse_yes_no(*enabled);
      if (!flag) return invalid("sks_enabled", "must be true or false");
      want = *flag;
    }
    TRY(read_access());
    const bool access_given =
        std::any_of(kAnswerKeys.begin() + 1, kAnswerKeys.end(),
                    [&](std::string_view key) { return answers_.get(key).has_value(); });
    if (!want) {
      plan_.sks = on_ ? Plan::Sks::Disable : Plan::Sks::Keep;
      if (access_given)
        plan_.messages.push_back(
            "The sks_* settings were checked but not used: sks_enabled is "
            "false.");
      return success();
    }
    if (on_) {
      plan_.sks = Plan::Sks::Keep;
      if (!same_hsm_access(*state_.sks, config_) || config_.iv_mode != state_.sks->iv_mode)
        return invalid("sks_*",
                       "settings differ from the ones in force, and how the HSM is reached "
                       "cannot change while Secure Key Storage is on; run `ssoconnect config "
                       "--disable-sks` first, then apply the answers again");
      return success();
    }
    TRY(try_enable());
    plan_.sks = Plan::Sks::Enable;
    plan_.sks_config = config_;
    return success();
  }

 private:
  std::optional<std::string_view> get(std::string_view key) const { return answers_.get(key); }

  // Applies the answers on top of the current sks.properties (or nothing, when SKS is off).
  Result<void> read_access() {
    if (auto type = get("sks_type"); type && *type != "pkcs11")
      return invalid("sks_type", "must be pkcs11");
    if (auto module = get("sks_module")) {
      if (module->empty()) return invalid("sks_module", "must name the PKCS#11 library");
      config_.module = std::string(*module);
    }
    if (auto args = get("sks_module_init_args")) config_.module_init_args = std::string(*args);

    int tokens = 0;
    for (auto [key, prefix] :
         {std::pair{"sks_token_label", "label:"}, std::pair{"sks_token_serial", "serial:"},
          std::pair{"sks_slot", ""}}) {
      if (auto value = get(key)) {
        ++tokens;
        config_.token = TRY(parse_token_selector(key, std::string(prefix) + std::string(*value)));
      }
    }
    if (tokens > 1)
      return invalid("sks_token_label", "or sks_token_serial or sks_slot: give only one of them");

    if (auto user = get("sks_user_type")) {
      if (*user == "user")
        config_.user_type = pkcs11::UserType::User;
      else if (*user == "crypto-user")
        config_.user_type = pkcs11::UserType::CryptoUser;
      else
        return invalid("sks_user_type", "must be user (Luna Crypto Officer) or crypto-user");
    }

    int pins = 0;
    for (auto [key, prefix] :
         {std::pair{"sks_password", ""}, std::pair{"sks_password_file", "file:"},
          std::pair{"sks_password_env", "env:"}}) {
      if (auto value = get(key)) {
        ++pins;
        pin_key_ = key;
        SecretBytes answer = secret_from(std::string_view(prefix));
        answer.insert(answer.end(), value->begin(), value->end());
        if (auto set = set_pin_answer(config_, answer); !set)
          return named(key, std::move(set).error());
      }
    }
    if (pins > 1)
      return invalid("sks_password", "or sks_password_file or sks_password_env: give only one");

    if (auto iv = get("sks_iv_mode")) {
      if (*iv == "auto") {
        config_.iv_mode = on_ ? state_.sks->iv_mode : std::nullopt;
      } else {
        config_.iv_mode = sks::parse_iv_mode(*iv);
        if (!config_.iv_mode)
          return invalid("sks_iv_mode", "must be auto, caller, hsm or hsm-appended");
      }
    }
    if (auto chain = get("sks_cert_chain_file")) {
      if (chain->empty()) return invalid("sks_cert_chain_file", "must name a file");
      config_.cert_chain_file = resolve_path(state_.folder, *chain).string();
    }
    if (auto password = get("sks_cert_chain_password"))
      config_.cert_chain_password = secret_from(*password);
    return success();
  }

  // Everything an enable needs, tried before anything is written.
  Result<void> try_enable() {
    if (config_.module.empty()) return invalid("sks_module", "is required to enable SKS");
    if (config_.token.value.empty())
      return invalid("sks_token_label",
                     "(or sks_token_serial, or sks_slot) is required to enable "
                     "SKS");
    if (pin_key_.empty())
      return invalid("sks_password",
                     "(or sks_password_file, or sks_password_env) is required to "
                     "enable SKS");
    const std::string keystore =
        resolve_path(state_.folder, plan_.instance.get("keystore_file").value_or("")).string();
    if (!get("sks_cert_chain_file")) config_.cert_chain_file = keystore;
    // The keystore's own password is used for the check but not copied into sks.properties.
    SecretBytes chain_password = config_.cert_chain_password;
    if (!get("sks_cert_chain_password") && config_.cert_chain_file == keystore)
      chain_password = secret_from(plan_.instance.get("keystore_password").value_or(""));

    if (auto module = sks::try_module(config_.module, config_.module_init_args); !module) {
      Error error = std::move(module).error();
      if (error.cause == Cause::ModuleNotFound) error.cause = Cause::InvalidSetting;
      return named("sks_module", std::move(error));
    }
    if (auto login = try_hsm_login(config_); !login) {
      Error error = std::move(login).error();
      if (error.cause == Cause::PinIncorrect) {
        error.cause = Cause::InvalidSetting;
        return named(pin_key_, std::move(error));
      }
      return named("sks_*", std::move(error));
    }
    if (auto count = count_chain_certificates(config_.cert_chain_file, chain_password); !count) {
      Error error = std::move(count).error();
      error.cause = Cause::InvalidSetting;
      return named("sks_cert_chain_file", std::move(error));
    }
    return success();
  }

  const FolderState& state_;
  const datadir::Properties& answers_;
  Plan& plan_;
  const bool on_;
  sks::SksConfig config_;
  std::string pin_key_;
};

}  // namespace

Result<bool> is_sks_answer_key(std::string_view key, std::string_view source) {
  if (std::find(kGeneratedKeys.begin(), kGeneratedKeys.end(), key) != kGeneratedKeys.end())
    return fail(Cause::InvalidSetting, std::string(key) + " in " + std::string(source) +
                                           " is recorded by SSO Connect and cannot be set; "
                                           "remove that line");
  return std::find(kAnswerKeys.begin(), kAnswerKeys.end(), key) != kAnswerKeys.end();
}

Result<void> plan_sks_answers(const FolderState& state, const datadir::Properties& answers,
                              Plan& plan) {
  return SksAnswers(state, answers, plan).run();
}

}  // namespace ssoc::config
