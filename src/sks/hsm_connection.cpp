#include "sks/hsm_connection.hpp"

namespace ssoc::sks {

Result<HsmConnection> HsmConnection::open(const SksConfig& config, bool read_write) {
  SecretBytes pin = TRY(config.pin());
  pkcs11::Module module = TRY(pkcs11::Module::load(config.module, config.module_init_args));
  CK_SLOT_ID slot = TRY(pkcs11::find_slot(module, config.token));
  pkcs11::Session session = TRY(pkcs11::Session::open(module, slot, read_write));
  auto login = session.login(config.user_type, pin);
  if (!login) {
    Error error = std::move(login).error();
    if (error.cause == Cause::PinIncorrect)
      error.message +=
          ": the partition password was refused (no second attempt is made, so the "
          "token is not locked by SSO Connect)";
    return error;
  }
  return HsmConnection(std::move(module), std::move(session));
}

}  // namespace ssoc::sks
