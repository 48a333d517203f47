// The HSM checks (pkcs11-library, token-present, login, key, gcm) on one connection: the module
// is loaded once, one read-only session is opened, the PIN is tried once. Each step needs the
// one before it (gcm needs only the token); after a failure the steps that need it are Skipped.
// Destroying the probe closes the session and finalises the module.
#pragma once

#include <optional>
#include <string>

#include "doctor/checks.hpp"
#include "pkcs11/module.hpp"
#include "pkcs11/session.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::doctor::detail {

class HsmProbe {
 public:
  explicit HsmProbe(const sks::SksConfig& config) : config_(config) {}
  HsmProbe(const HsmProbe&) = delete;
  HsmProbe& operator=(const HsmProbe&) = delete;

  Check library();
  Check token();
  Check login();
  Check key();
  Check gcm();

  // The id of the first check that failed, or empty when all passed.
  const std::string& first_failure() const { return first_failure_; }

 private:
  Check fail(const CheckName& name, std::string detail, std::string fix);

  const sks::SksConfig& config_;
  std::optional<pkcs11::Module> module_;  // declared before the session: destroyed after it
  std::optional<Error> unreachable_;      // the module loaded but C_Initialize failed
  std::optional<CK_TOKEN_INFO> token_info_;
  std::optional<pkcs11::Session> session_;  // set once the token passed
  bool logged_in_ = false;
  std::string first_failure_;
};

}  // namespace ssoc::doctor::detail
