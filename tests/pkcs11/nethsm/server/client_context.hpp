// What the server knows about one client connection: the real module, and the sessions this
// connection opened (with the mechanism of each session's last C_EncryptInit/C_DecryptInit,
// kept alive in case the module still points into its parameters). A connection may only use
// its own sessions; the others give CKR_SESSION_HANDLE_INVALID. When the connection ends, its
// sessions are closed.
#pragma once

#include <memory>
#include <unordered_map>
#include <vector>

#include "../common/mechanism.hpp"
#include "pkcs11/cryptoki.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

class ClientContext {
 public:
  explicit ClientContext(CK_FUNCTION_LIST& module) : module_(module) {}
  ~ClientContext() { close_all_sessions(); }
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;

  CK_FUNCTION_LIST& module() { return module_; }

  bool owns(CK_SESSION_HANDLE session) const { return sessions_.contains(session); }
  void add_session(CK_SESSION_HANDLE session, CK_SLOT_ID slot);
  void forget_session(CK_SESSION_HANDLE session) { sessions_.erase(session); }
  std::vector<CK_SESSION_HANDLE> sessions_of_slot(CK_SLOT_ID slot) const;
  // Keeps `mechanism` until the session's next init or its end (the session must be owned).
  void keep_mechanism(CK_SESSION_HANDLE session, std::unique_ptr<OwnedMechanism> mechanism);
  void close_all_sessions() noexcept;

 private:
  struct Session {
    CK_SLOT_ID slot;
    std::unique_ptr<OwnedMechanism> mechanism;
  };

  CK_FUNCTION_LIST& module_;
  std::unordered_map<CK_SESSION_HANDLE, Session> sessions_;
};

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
