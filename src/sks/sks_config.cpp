#include "sks/sks_config.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "common/encoding.hpp"
#include "datadir/file_io.hpp"

namespace ssoc::sks {
namespace {

Error bad_setting(std::string_view key, std::string_view why) {
  return fail(Cause::InvalidSetting, "sks.properties: " + std::string(key) + " " +
                                         std::string(why) + "; run `ssoconnect config` to fix it");
}

}  // namespace

bool valid_instance_id(std::string_view id) {
  return id.size() == 12 &&
         std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<SksConfig> SksConfig::from_properties(const datadir::Properties& p) {
  SksConfig c;
  std::string_view enabled = p.get("enabled").value_or("false");
  if (enabled != "true" && enabled != "false")
    return bad_setting("enabled", "must be true or false");
  c.enabled = enabled == "true";

  c.instance_id = std::string(TRY(p.require("instance_id")));
  if (!valid_instance_id(c.instance_id)) return bad_setting("instance_id", "must be 12 digits");
  if (auto type = p.get("type"); type && *type != "pkcs11")
    return bad_setting("type", "must be pkcs11");
  c.module = std::string(TRY(p.require("module")));
  c.module_init_args = std::string(p.get("module_init_args").value_or(""));

  int selectors = 0;
  for (auto [key, by] : {std::pair{"token_label", pkcs11::TokenSelector::By::Label},
                         std::pair{"token_serial", pkcs11::TokenSelector::By::Serial},
                         std::pair{"slot", pkcs11::TokenSelector::By::Slot}}) {
    if (auto value = p.get(key); value && !value->empty()) {
      c.token = {by, std::string(*value)};
      ++selectors;
    }
  }
  if (selectors != 1)
    return bad_setting("token_label", "(or token_serial, or slot) must be given once");

  std::string_view user = p.get("user_type").value_or("user");
  if (user == "user")
    c.user_type = pkcs11::UserType::User;
  else if (user == "crypto-user")
    c.user_type = pkcs11::UserType::CryptoUser;
  else
    return bad_setting("user_type", "must be user or crypto-user");

  int pins = 0;
  if (auto v = p.get("password"); v && !v->empty()) {
    c.pin_source = PinSource::Inline;
    c.pin_inline = secret_from(*v);
    ++pins;
  }
  if (auto v = p.get("password_file"); v && !v->empty()) {
    c.pin_source = PinSource::File;
    c.pin_file = std::string(*v);
    ++pins;
  }
  if (auto v = p.get("password_env"); v && !v->empty()) {
    c.pin_source = PinSource::Env;
    c.pin_env = std::string(*v);
    ++pins;
  }
  if (pins != 1)
    return bad_setting("password", "(or password_file, or password_env) must be given once");

  std::string_view iv = p.get("iv_mode").value_or("auto");
  if (iv != "auto") {
    c.iv_mode = parse_iv_mode(iv);
    if (!c.iv_mode) return bad_setting("iv_mode", "must be auto, caller, hsm or hsm-appended");
  }
  c.key.label = std::string(p.get("key_label").value_or(""));
  if (auto id = p.get("key_id"); id && !id->empty()) {
    auto bytes = hex_decode(*id);
    if (!bytes || bytes->empty()) return bad_setting("key_id", "must be hexadecimal");
    c.key.id = std::move(*bytes);
  }
  if (c.enabled && (c.key.label.empty() || c.key.id.empty() || !c.iv_mode))
    return bad_setting("key_label", "key_id and iv_mode must be recorded when SKS is enabled");
  c.cert_chain_file = std::string(p.get("cert_chain_file").value_or(""));
  c.cert_chain_password = secret_from(p.get("cert_chain_password").value_or(""));
  if (auto timeout = p.get("hsm_timeout"); timeout && !timeout->empty()) {
    long seconds = 0;
    auto [end, ec] = std::from_chars(timeout->data(), timeout->data() + timeout->size(), seconds);
    if (ec != std::errc{} || end != timeout->data() + timeout->size() || seconds < 1 ||
        seconds > kMaxHsmTimeout.count())
      return bad_setting("hsm_timeout", "must be a number of seconds from 1 to " +
                                            std::to_string(kMaxHsmTimeout.count()));
    c.hsm_timeout = std::chrono::seconds(seconds);
  }
  return c;
}

datadir::Properties SksConfig::to_properties() const {
  datadir::Properties p;
  auto set = [&](std::string_view key, std::string_view value) {
    if (!value.empty()) (void)p.set(key, value);
  };
  set("enabled", enabled ? "true" : "false");
  set("instance_id", instance_id);
  set("type", "pkcs11");
  set("module", module);
  set("module_init_args", module_init_args);
  switch (token.by) {
    case pkcs11::TokenSelector::By::Label: set("token_label", token.value); break;
    case pkcs11::TokenSelector::By::Serial: set("token_serial", token.value); break;
    case pkcs11::TokenSelector::By::Slot: set("slot", token.value); break;
  }
  set("user_type", user_type == pkcs11::UserType::CryptoUser ? "crypto-user" : "user");
  switch (pin_source) {
    case PinSource::Inline: set("password", as_text(pin_inline)); break;
    case PinSource::File: set("password_file", pin_file); break;
    case PinSource::Env: set("password_env", pin_env); break;
  }
  set("key_label", key.label);
  set("key_id", hex_encode(key.id));
  set("iv_mode", iv_mode ? iv_mode_name(*iv_mode) : "auto");
  set("cert_chain_file", cert_chain_file);
  set("cert_chain_password", as_text(cert_chain_password));
  if (hsm_timeout != kDefaultHsmTimeout) set("hsm_timeout", std::to_string(hsm_timeout.count()));
  return p;
}

Result<SecretBytes> SksConfig::pin() const {
  switch (pin_source) {
    case PinSource::Inline: return pin_inline;
    case PinSource::Env: {
      const char* value = std::getenv(pin_env.c_str());
      if (value == nullptr || *value == '\0')
        return bad_setting("password_env",
                           "names the environment variable " + pin_env + ", which is not set");
      return secret_from(std::string_view(value));
    }
    case PinSource::File: {
      struct stat st {};
      if (::stat(pin_file.c_str(), &st) != 0)
        return bad_setting("password_file", "names " + pin_file + ", which cannot be read");
      if ((st.st_mode & 077) != 0 || st.st_uid != ::geteuid())
        return bad_setting("password_file", "names " + pin_file +
                                                ", which must be owned by this user with mode "
                                                "0600 (chmod 600 " +
                                                pin_file + ")");
      SecretBytes pin = TRY(datadir::read_file(pin_file, 4096));
      if (!pin.empty() && pin.back() == '\n') pin.pop_back();
      if (!pin.empty() && pin.back() == '\r') pin.pop_back();
      return pin;
    }
  }
  return bad_setting("password", "is not set");
}

}  // namespace ssoc::sks
