// One logged-in session on the configured token: module loaded, token found, session opened,
// user logged in. Destroyed in the reverse order (session closed, module finalised).
#pragma once

#include "common/result.hpp"
#include "pkcs11/module.hpp"
#include "pkcs11/session.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::sks {

class HsmConnection {
 public:
  static Result<HsmConnection> open(const SksConfig& config, bool read_write);

  const pkcs11::Module& module() const { return module_; }
  const pkcs11::Session& session() const { return session_; }

 private:
  HsmConnection(pkcs11::Module module, pkcs11::Session session)
      : module_(std::move(module)), session_(std::move(session)) {}

  pkcs11::Module module_;  // declared first: destroyed last
  pkcs11::Session session_;
};

}  // namespace ssoc::sks
