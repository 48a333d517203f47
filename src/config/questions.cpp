// The normal questions of the wizard, in the order of DESIGN.md's instance and shared settings.
#include <functional>

#include "config/checks.hpp"
#include "config/setting_keys.hpp"
#include "config/wizard_steps.hpp"

namespace ssoc::config {
namespace {

using Check = std::function<Result<void>(const std::string& value)>;

class NormalQuestions {
 public:
  NormalQuestions(Prompter& prompter, const FolderState& state, Plan& plan)
      : p_(prompter), state_(state), plan_(plan) {}

  Result<void> run() {
    TRY(ask("External host name", "external_host"));
    TRY(ask("External port", "external_port"));
    TRY(ask("Bind address", "bind_address", [&](const std::string& v) {
      return unchanged("bind_address", v) ? success() : check_port_free("bind_address", v, 0);
    }));
    TRY(ask("Bind port", "bind_port", [&](const std::string& v) { return check_bind_port(v); }));
    TRY(ask("Admin address", "admin_address", [&](const std::string& v) {
      return unchanged("admin_address", v) ? success() : check_port_free("admin_address", v, 0);
    }));
    TRY(ask("Admin port", "admin_port", [&](const std::string& v) { return check_admin_port(v); }));
    TRY(ask_keystore());
    TRY(ask("IdP metadata file", "idp_metadata_file",
            [](const std::string& v) { return check_idp_metadata(v); }));
    TRY(ask("SAML attribute for the email address", "attr_email"));
    TRY(ask("SAML attribute for the first name", "attr_first_name"));
    TRY(ask("SAML attribute for the last name", "attr_last_name"));
    TRY(ask_sign_requests());
    return success();
  }

 private:
  datadir::Properties& file_of(const SettingKey& key) {
    return key.file == SettingsFile::Instance ? plan_.instance : plan_.shared;
  }

  std::string value(std::string_view name) {
    const SettingKey& key = *find_setting_key(name);
    std::string_view current = file_of(key).get(name).value_or("");
    return current.empty() ? default_value(key, state_.folder) : std::string(current);
  }

  bool unchanged(std::string_view name, std::string_view v) const {
    return keeps_current(state_, name, v);
  }

  // Asks until the answer (or the default, on Enter) passes the syntax check and `check`.
  Result<void> ask(std::string_view question, std::string_view name, const Check& check = {}) {
    const SettingKey& key = *find_setting_key(name);
    const std::string fallback = value(name);
    for (;;) {
      std::string answer = TRY(p_.text(with_default(question, fallback)));
      if (answer.empty()) answer = fallback;
      auto normalized = normalize_value(key, answer, state_.folder);
      if (!normalized) {
        p_.say(normalized.error().message);
        continue;
      }
      if (check) {
        if (auto checked = check(*normalized); !checked) {
          p_.say(checked.error().message);
          continue;
        }
      }
      if (auto set = file_of(key).set(name, *normalized); !set) {
        p_.say(set.error().message);
        continue;
      }
      return success();
    }
  }

  Result<void> check_bind_port(const std::string& v) {
    std::uint16_t port = TRY(parse_port("bind_port", v));
    const std::string address = value("bind_address");
    if (unchanged("bind_address", address) && unchanged("bind_port", v)) return success();
    return check_port_free("bind_port", address, port);
  }

  Result<void> check_admin_port(const std::string& v) {
    std::uint16_t port = TRY(parse_port("admin_port", v));
    const std::string address = value("admin_address");
    std::uint16_t bind_port = TRY(parse_port("bind_port", value("bind_port")));
    if (ports_conflict(address, port, value("bind_address"), bind_port))
      return fail(Cause::InvalidSetting, "admin_port " + v +
                                             " is the port the service listens on for logins "
                                             "(bind_port); choose another one");
    if (unchanged("admin_address", address) && unchanged("admin_port", v)) return success();
    return check_port_free("admin_port", address, port);
  }

  // The file, then its password; both again when the keystore cannot be read with them.
  Result<void> ask_keystore() {
    const bool has_password = !state_.instance.get("keystore_password").value_or("").empty();
    for (;;) {
      TRY(ask("Keystore file", "keystore_file"));
      SecretBytes password =
          TRY(p_.secret(with_default("Keystore password", has_password ? "unchanged" : "")));
      if (password.empty() && has_password)
        password = secret_from(state_.instance.get("keystore_password").value_or(""));
      auto checked = check_keystore(value("keystore_file"), password);
      if (!checked) {
        p_.say(checked.error().message);
        continue;
      }
      if (auto set = plan_.instance.set("keystore_password", as_text(password)); !set) {
        p_.say(set.error().message);
        continue;
      }
      return success();
    }
  }

  Result<void> ask_sign_requests() {
    const bool current = value("sign_requests") == "true";
    for (;;) {
      std::string answer =
          TRY(p_.text(with_default("Sign authentication requests (y/n)", current ? "y" : "n")));
      std::optional<bool> flag =
          answer.empty() ? std::optional<bool>(current) : parse_yes_no(answer);
      if (!flag) {
        p_.say("sign_requests: please answer y or n.");
        continue;
      }
      return plan_.shared.set("sign_requests", *flag ? "true" : "false");
    }
  }

  Prompter& p_;
  const FolderState& state_;
  Plan& plan_;
};

}  // namespace

Result<void> ask_normal_questions(Prompter& prompter, const FolderState& state, Plan& plan) {
  return NormalQuestions(prompter, state, plan).run();
}

}  // namespace ssoc::config
