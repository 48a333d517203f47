#include "sks/hsm_connection.hpp"

#include <thread>

#include "common/log.hpp"
#include "pkcs11/rv.hpp"
#include "sks/hsm_deadline.hpp"

namespace ssoc::sks {
namespace {

using Clock = std::chrono::steady_clock;

// Only these may be retried, and only when the failed step allows it (see the header).
bool retryable(const Error& error, bool step_allows) {
  return step_allows && error.ck_rv && pkcs11::needs_reinitialize(*error.ck_rv);
}

}  // namespace

Result<HsmConnection> HsmConnection::open(const SksConfig& config, bool read_write) {
  const std::chrono::milliseconds limit = config.hsm_timeout;
  const Clock::time_point deadline = Clock::now() + limit;
  // The work owns a copy of the settings: it may outlive this call when the HSM hangs.
  return run_with_deadline<HsmConnection>(
      limit, "the connection to the HSM (" + config.token.describe() + " in " + config.module + ")",
      [config, read_write, deadline] { return connect(config, read_write, deadline); });
}

Result<HsmConnection> HsmConnection::connect(const SksConfig& config, bool read_write,
                                             Clock::time_point deadline) {
  SecretBytes pin = TRY(config.pin());
  std::chrono::milliseconds back_off = kBackOff;
  for (int attempt = 1;; ++attempt) {
    bool step_allows = true;
    auto connected = connect_once(config, read_write, pin, step_allows);
    if (connected) return connected;
    // The failed attempt's session is closed and its module finalised by now.
    Error error = std::move(connected).error();
    const bool again =
        retryable(error, step_allows) && attempt < kAttempts && Clock::now() + back_off < deadline;
    if (!again) {
      if (attempt > 1)
        error.message += " (" + std::to_string(attempt) +
                         " attempts, the PKCS#11 module re-initialised before each retry)";
      return error;
    }
    log::warn(error.message + "; re-initialising the PKCS#11 module, attempt " +
              std::to_string(attempt + 1) + " of " + std::to_string(kAttempts) + " in " +
              std::to_string(back_off.count()) + " ms");
    std::this_thread::sleep_for(back_off);
    back_off *= 2;
  }
}

Result<HsmConnection> HsmConnection::connect_once(const SksConfig& config, bool read_write,
                                                  const SecretBytes& pin, bool& retry) {
  retry = true;
  pkcs11::Module module = TRY(pkcs11::Module::load(config.module, config.module_init_args));
  CK_SLOT_ID slot = TRY(pkcs11::find_slot(module, config.token));
  pkcs11::Session session = TRY(pkcs11::Session::open(module, slot, read_write));
  auto login = session.login(config.user_type, pin);
  if (!login) {
    Error error = std::move(login).error();
    // CKR_DEVICE_ERROR: the HSM may have counted a PIN attempt; never repeat it.
    retry = error.ck_rv != CKR_DEVICE_ERROR;
    if (error.cause == Cause::PinIncorrect)
      error.message +=
          ": the partition password was refused (no second attempt is made, so the "
          "token is not locked by SSO Connect)";
    return error;
  }
  return HsmConnection(std::move(module), std::move(session));
}

Result<void> try_module(const std::string& path, const std::string& init_args,
                        std::chrono::milliseconds limit) {
  // The work owns copies: it may outlive this call when the module hangs.
  auto loaded = run_with_deadline<bool>(limit, "the initialisation of " + path,
                                        [path, init_args]() -> Result<bool> {
                                          TRY(pkcs11::Module::load(path, init_args));
                                          return true;  // and finalised again
                                        });
  if (!loaded) return std::move(loaded).error();
  return success();
}

}  // namespace ssoc::sks
