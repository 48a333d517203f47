// Server handlers: general, slot, token, session and login functions.
#include <algorithm>
#include <vector>

#include "../common/info_codec.hpp"
#include "request_handlers.hpp"

namespace ssoc::nethsm {
namespace {

// C_GetSlotList and C_GetMechanismList once the leading argument is read.
template <class Call>
bool list_reply(Reader& in, Writer& out, CK_RV& rv, Call call) {
  bool present = false;
  CK_ULONG capacity = 0;
  if (!in.out_buffer(present, capacity) || !in.at_end() || capacity > kMaxListItems) {
    return false;
  }
  std::vector<CK_ULONG> items(present ? capacity + 1 : 0);  // +1: never NULL when present
  CK_ULONG count = present ? capacity : 0;
  rv = call(present ? items.data() : nullptr, &count);
  out.ulong(count);
  write_list(out, items.data(), rv == CKR_OK && present ? std::min(count, capacity) : 0);
  return true;
}

// Functions taking just a session handle and returning nothing.
template <class Call>
bool session_only(ClientContext& client, Reader& in, CK_RV& rv, Call call) {
  CK_SESSION_HANDLE session = 0;
  if (!in.ulong(session) || !in.at_end()) return false;
  rv = on_session(client, session, [&] { return call(session); });
  return true;
}

}  // namespace

bool handle_get_info(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  if (!in.at_end()) return false;
  CK_INFO info{};
  rv = client.module().C_GetInfo(&info);
  write_info(out, info);
  return true;
}

bool handle_get_slot_list(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  bool token_present = false;
  if (!in.flag(token_present)) return false;
  return list_reply(in, out, rv, [&](CK_ULONG* items, CK_ULONG* count) {
    return client.module().C_GetSlotList(token_present ? CK_TRUE : CK_FALSE, items, count);
  });
}

bool handle_get_slot_info(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SLOT_ID slot = 0;
  if (!in.ulong(slot) || !in.at_end()) return false;
  CK_SLOT_INFO info{};
  rv = client.module().C_GetSlotInfo(slot, &info);
  write_slot_info(out, info);
  return true;
}

bool handle_get_token_info(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SLOT_ID slot = 0;
  if (!in.ulong(slot) || !in.at_end()) return false;
  CK_TOKEN_INFO info{};
  rv = client.module().C_GetTokenInfo(slot, &info);
  write_token_info(out, info);
  return true;
}

bool handle_get_mechanism_list(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SLOT_ID slot = 0;
  if (!in.ulong(slot)) return false;
  return list_reply(in, out, rv, [&](CK_ULONG* items, CK_ULONG* count) {
    return client.module().C_GetMechanismList(slot, items, count);
  });
}

bool handle_get_mechanism_info(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SLOT_ID slot = 0;
  CK_MECHANISM_TYPE type = 0;
  if (!in.ulong(slot) || !in.ulong(type) || !in.at_end()) return false;
  CK_MECHANISM_INFO info{};
  rv = client.module().C_GetMechanismInfo(slot, type, &info);
  write_mechanism_info(out, info);
  return true;
}

bool handle_open_session(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SLOT_ID slot = 0;
  CK_FLAGS flags = 0;
  if (!in.ulong(slot) || !in.ulong(flags) || !in.at_end()) return false;
  CK_SESSION_HANDLE session = 0;
  rv = client.module().C_OpenSession(slot, flags, nullptr, nullptr, &session);
  if (rv == CKR_OK) client.add_session(session, slot);
  out.ulong(rv == CKR_OK ? session : 0);
  return true;
}

bool handle_close_session(ClientContext& client, Reader& in, Writer&, CK_RV& rv) {
  return session_only(client, in, rv, [&](CK_SESSION_HANDLE session) {
    const CK_RV result = client.module().C_CloseSession(session);
    if (result == CKR_OK || result == CKR_SESSION_HANDLE_INVALID || result == CKR_SESSION_CLOSED) {
      client.forget_session(session);
    }
    return result;
  });
}

// Closes this connection's sessions on the slot only: the real C_CloseAllSessions would close
// the sessions of every client (they are all one application to the module).
bool handle_close_all_sessions(ClientContext& client, Reader& in, Writer&, CK_RV& rv) {
  CK_SLOT_ID slot = 0;
  if (!in.ulong(slot) || !in.at_end()) return false;
  CK_SLOT_INFO info{};
  rv = client.module().C_GetSlotInfo(slot, &info);  // CKR_SLOT_ID_INVALID as the module says
  if (rv != CKR_OK) return true;
  for (CK_SESSION_HANDLE session : client.sessions_of_slot(slot)) {
    client.module().C_CloseSession(session);
    client.forget_session(session);
  }
  return true;
}

bool handle_get_session_info(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SESSION_INFO info{};
  const bool ok = session_only(client, in, rv, [&](CK_SESSION_HANDLE session) {
    return client.module().C_GetSessionInfo(session, &info);
  });
  if (ok) write_session_info(out, info);
  return ok;
}

bool handle_login(ClientContext& client, Reader& in, Writer&, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  CK_USER_TYPE user = 0;
  bool has_pin = false;
  ByteView pin;
  if (!in.ulong(session) || !in.ulong(user) || !in.flag(has_pin) || (has_pin && !in.bytes(pin)) ||
      !in.at_end()) {
    return false;
  }
  Buffer pin_copy(pin.begin(), pin.end());  // wiped when freed
  pin_copy.push_back(0);
  rv = on_session(client, session, [&] {
    return client.module().C_Login(session, user, has_pin ? pin_copy.data() : nullptr,
                                   static_cast<CK_ULONG>(pin.size()));
  });
  return true;
}

bool handle_logout(ClientContext& client, Reader& in, Writer&, CK_RV& rv) {
  return session_only(client, in, rv,
                      [&](CK_SESSION_HANDLE session) { return client.module().C_Logout(session); });
}

Handler find_handler(Fn fn) {
  switch (fn) {
    case Fn::kGetInfo: return handle_get_info;
    case Fn::kGetSlotList: return handle_get_slot_list;
    case Fn::kGetSlotInfo: return handle_get_slot_info;
    case Fn::kGetTokenInfo: return handle_get_token_info;
    case Fn::kGetMechanismList: return handle_get_mechanism_list;
    case Fn::kGetMechanismInfo: return handle_get_mechanism_info;
    case Fn::kOpenSession: return handle_open_session;
    case Fn::kCloseSession: return handle_close_session;
    case Fn::kCloseAllSessions: return handle_close_all_sessions;
    case Fn::kGetSessionInfo: return handle_get_session_info;
    case Fn::kLogin: return handle_login;
    case Fn::kLogout: return handle_logout;
    case Fn::kCreateObject: return handle_create_object;
    case Fn::kDestroyObject: return handle_destroy_object;
    case Fn::kGetAttributeValue: return handle_get_attribute_value;
    case Fn::kSetAttributeValue: return handle_set_attribute_value;
    case Fn::kFindObjectsInit: return handle_find_objects_init;
    case Fn::kFindObjects: return handle_find_objects;
    case Fn::kFindObjectsFinal: return handle_find_objects_final;
    case Fn::kEncryptInit: return handle_encrypt_init;
    case Fn::kEncrypt: return handle_encrypt;
    case Fn::kDecryptInit: return handle_decrypt_init;
    case Fn::kDecrypt: return handle_decrypt;
    case Fn::kGenerateKey: return handle_generate_key;
    case Fn::kGenerateRandom: return handle_generate_random;
    case Fn::kHello:
    case Fn::kEnd: break;
  }
  return nullptr;
}

}  // namespace ssoc::nethsm
