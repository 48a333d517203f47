#include "client_context.hpp"

namespace ssoc::nethsm {

void ClientContext::add_session(CK_SESSION_HANDLE session, CK_SLOT_ID slot) {
  sessions_[session] = Session{slot, nullptr};
}

std::vector<CK_SESSION_HANDLE> ClientContext::sessions_of_slot(CK_SLOT_ID slot) const {
  std::vector<CK_SESSION_HANDLE> result;
  for (const auto& [handle, session] : sessions_) {
    if (session.slot == slot) result.push_back(handle);
  }
  return result;
}

void ClientContext::keep_mechanism(CK_SESSION_HANDLE session,
                                   std::unique_ptr<OwnedMechanism> mechanism) {
  const auto it = sessions_.find(session);
  if (it != sessions_.end()) it->second.mechanism = std::move(mechanism);
}

void ClientContext::close_all_sessions() noexcept {
  for (const auto& [handle, session] : sessions_) module_.C_CloseSession(handle);
  sessions_.clear();
}

}  // namespace ssoc::nethsm
