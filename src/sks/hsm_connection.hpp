// One logged-in session on the configured token: module loaded, token found, session opened,
// user logged in. Destroyed in the reverse order (session closed, module finalised).
//
// Reaching the HSM survives a passing loss of it, and never hangs:
// - After CKR_DEVICE_ERROR, CKR_SESSION_HANDLE_INVALID, CKR_CRYPTOKI_NOT_INITIALIZED or
//   CKR_TOKEN_NOT_PRESENT (pkcs11::needs_reinitialize) from C_Initialize, C_GetSlotList,
//   C_GetTokenInfo or C_OpenSession, the module is finalised, and after a back-off (kBackOff,
//   doubling) initialised again and the steps repeated, at most kAttempts times in all.
// - C_Login is repeated only after a return value that proves the PIN was not checked
//   (CKR_SESSION_HANDLE_INVALID, CKR_CRYPTOKI_NOT_INITIALIZED, CKR_TOKEN_NOT_PRESENT); after
//   CKR_DEVICE_ERROR the HSM may have counted the attempt, and every PIN failure counted brings
//   the partition closer to its lock-out, so that is reported, not retried.
// - The whole of it runs under the deadline of SksConfig::hsm_timeout (hsm_deadline.hpp): an
//   HSM that accepts the connection but never answers is HsmUnreachable after that time.
// Calls made on the session after open() are not retried: a change or a reload that loses the
// HSM half-way fails as a whole (nothing is written before its commit point) and the next one
// starts with a freshly initialised module.
#pragma once

#include <chrono>

#include "common/result.hpp"
#include "pkcs11/module.hpp"
#include "pkcs11/session.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::sks {

class HsmConnection {
 public:
  static constexpr int kAttempts = 3;
  static constexpr std::chrono::milliseconds kBackOff{250};

  static Result<HsmConnection> open(const SksConfig& config, bool read_write);

  const pkcs11::Module& module() const { return module_; }
  const pkcs11::Session& session() const { return session_; }

 private:
  HsmConnection(pkcs11::Module module, pkcs11::Session session)
      : module_(std::move(module)), session_(std::move(session)) {}

  // The attempts with their back-off, until `deadline`.
  static Result<HsmConnection> connect(const SksConfig& config, bool read_write,
                                       std::chrono::steady_clock::time_point deadline);
  // One attempt; `retry` says whether its failure may be retried after a re-initialisation.
  static Result<HsmConnection> connect_once(const SksConfig& config, bool read_write,
                                            const SecretBytes& pin, bool& retry);

  pkcs11::Module module_;  // declared first: destroyed last
  pkcs11::Session session_;
};

// Loads and initialises the module at `path` (then finalises it), within `limit`: the check that
// a library answers to PKCS#11, for the wizard and the answers file, which must not hang on an
// HSM client that connects in C_Initialize. ModuleNotFound, or the cause of C_Initialize's CK_RV,
// or HsmUnreachable past the limit.
Result<void> try_module(const std::string& path, const std::string& init_args,
                        std::chrono::milliseconds limit = SksConfig::kDefaultHsmTimeout);

}  // namespace ssoc::sks
