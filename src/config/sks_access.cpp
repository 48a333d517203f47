#include "config/sks_access.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "keystore/cert_chain.hpp"
#include "sks/hsm_connection.hpp"

namespace ssoc::config {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool starts_with(const SecretBytes& answer, std::string_view prefix) {
  return as_text(answer).starts_with(prefix);
}

}  // namespace

Result<pkcs11::TokenSelector> parse_token_selector(std::string_view key, std::string_view text) {
  using By = pkcs11::TokenSelector::By;
  if (all_digits(text)) return pkcs11::TokenSelector{By::Slot, std::string(text)};
  if (text.starts_with("label:") && text.size() > 6)
    return pkcs11::TokenSelector{By::Label, std::string(text.substr(6))};
  if (text.starts_with("serial:") && text.size() > 7)
    return pkcs11::TokenSelector{By::Serial, std::string(text.substr(7))};
  return fail(Cause::InvalidSetting,
              std::string(key) +
                  " must be a slot number (as lunacm or pkcs11-tool --list-slots "
                  "show it), label:TOKEN-LABEL or serial:SERIAL-NUMBER, not '" +
                  std::string(text) + "'");
}

Result<void> set_pin_answer(sks::SksConfig& config, const SecretBytes& answer) {
  using Source = sks::SksConfig::PinSource;
  if (starts_with(answer, "file:")) {
    std::string file(as_text(answer).substr(5));
    struct stat st {};
    if (file.empty() || ::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      return fail(Cause::InvalidSetting, "password_file " + file +
                                             " is not a file this user can read; give the path of "
                                             "the file holding the partition password");
    if ((st.st_mode & 077) != 0 || st.st_uid != ::geteuid())
      return fail(Cause::InvalidSetting, "password_file " + file +
                                             " must be owned by this user with mode 0600 (chmod "
                                             "600 " +
                                             file + ")");
    config.pin_source = Source::File;
    config.pin_file = std::move(file);
    config.pin_inline.clear();
    config.pin_env.clear();
    return success();
  }
  if (starts_with(answer, "env:")) {
    std::string name(as_text(answer).substr(4));
    if (name.empty() || std::getenv(name.c_str()) == nullptr)
      return fail(Cause::InvalidSetting, "password_env " + name +
                                             " names an environment variable that is not set; "
                                             "export it before running ssoconnect");
    config.pin_source = Source::Env;
    config.pin_env = std::move(name);
    config.pin_inline.clear();
    config.pin_file.clear();
    return success();
  }
  if (answer.empty())
    return fail(Cause::InvalidSetting,
                "password must not be empty: enter the partition password "
                "(or file:/path, or env:NAME)");
  config.pin_source = Source::Inline;
  config.pin_inline = answer;
  config.pin_file.clear();
  config.pin_env.clear();
  return success();
}

bool same_hsm_access(const sks::SksConfig& a, const sks::SksConfig& b) {
  return a.module == b.module && a.module_init_args == b.module_init_args &&
         a.token.by == b.token.by && a.token.value == b.token.value && a.user_type == b.user_type &&
         a.pin_source == b.pin_source && equal_constant_time(a.pin_inline, b.pin_inline) &&
         a.pin_file == b.pin_file && a.pin_env == b.pin_env &&
         a.cert_chain_file == b.cert_chain_file &&
         equal_constant_time(a.cert_chain_password, b.cert_chain_password);
}

Result<void> try_hsm_login(const sks::SksConfig& config) {
  TRY(sks::HsmConnection::open(config, false));
  return success();
}

Result<std::size_t> count_chain_certificates(const fs::path& file, const SecretBytes& password) {
  keystore::CertificateChain chain = TRY(keystore::read_certificate_chain(file, password));
  return chain.certificates().size();
}

}  // namespace ssoc::config
