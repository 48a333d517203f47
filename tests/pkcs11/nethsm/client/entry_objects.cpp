// Session, login and object functions of the nethsm client.
#include <algorithm>
#include <vector>

#include "../common/attribute_template.hpp"
#include "../common/info_codec.hpp"
#include "entry_points.hpp"
#include "remote_module.hpp"

namespace ssoc::nethsm::entry {
namespace {

// Calls on a session whose reply carries nothing: `add_args` appends the arguments after the
// server's session handle.
template <class AddArgs>
CK_RV session_call(Fn fn, CK_SESSION_HANDLE session, AddArgs add_args) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    Request request(fn);
    request.args.ulong(remote_session);
    NETHSM_TRY(add_args(request.args));
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    if (!reply.payload().at_end()) return m.bad_reply();
    return reply.rv;
  });
}

// Calls on a session whose reply is one handle (a new object).
template <class AddArgs>
CK_RV handle_call(Fn fn, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR out, AddArgs add_args) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (out == nullptr) return CKR_ARGUMENTS_BAD;
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    Request request(fn);
    request.args.ulong(remote_session);
    NETHSM_TRY(add_args(request.args));
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    CK_OBJECT_HANDLE handle = 0;
    if (!in.ulong(handle) || !in.at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK) *out = handle;
    return reply.rv;
  });
}

}  // namespace

// Callbacks cannot cross the socket: application and notify are not forwarded.
CK_RV OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR /*application*/,
                  CK_NOTIFY /*notify*/, CK_SESSION_HANDLE_PTR session) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (session == nullptr) return CKR_ARGUMENTS_BAD;
    Request request(Fn::kOpenSession);
    request.args.ulong(slot);
    request.args.ulong(flags);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    CK_SESSION_HANDLE remote_session = 0;
    if (!in.ulong(remote_session) || !in.at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK) *session = m.add_session(remote_session, slot);
    return reply.rv;
  });
}

CK_RV CloseSession(CK_SESSION_HANDLE session) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    CK_SESSION_HANDLE remote_session = 0;
    const CK_RV resolved = m.resolve_session(session, remote_session);
    if (resolved == CKR_SESSION_HANDLE_INVALID) m.remove_session(session);
    NETHSM_TRY(resolved);
    Request request(Fn::kCloseSession);
    request.args.ulong(remote_session);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    if (!reply.payload().at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK || reply.rv == CKR_SESSION_HANDLE_INVALID ||
        reply.rv == CKR_SESSION_CLOSED) {
      m.remove_session(session);
    }
    return reply.rv;
  });
}

CK_RV CloseAllSessions(CK_SLOT_ID slot) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    Request request(Fn::kCloseAllSessions);
    request.args.ulong(slot);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    if (!reply.payload().at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK) m.remove_sessions_of_slot(slot);
    return reply.rv;
  });
}

CK_RV GetSessionInfo(CK_SESSION_HANDLE session, CK_SESSION_INFO_PTR info) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (info == nullptr) return CKR_ARGUMENTS_BAD;
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    Request request(Fn::kGetSessionInfo);
    request.args.ulong(remote_session);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    CK_SESSION_INFO decoded{};
    if (!read_session_info(in, decoded) || !in.at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK) *info = decoded;
    return reply.rv;
  });
}

CK_RV Login(CK_SESSION_HANDLE session, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG pin_len) {
  return session_call(Fn::kLogin, session, [&](Writer& args) -> CK_RV {
    if (pin != nullptr && pin_len > kMaxData) return CKR_PIN_LEN_RANGE;
    args.ulong(user);
    args.flag(pin != nullptr);  // NULL: protected authentication path
    if (pin != nullptr) args.bytes(view_of(pin, pin_len));
    return CKR_OK;
  });
}

CK_RV Logout(CK_SESSION_HANDLE session) {
  return session_call(Fn::kLogout, session, [](Writer&) -> CK_RV { return CKR_OK; });
}

CK_RV CreateObject(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR attributes, CK_ULONG count,
                   CK_OBJECT_HANDLE_PTR object) {
  return handle_call(Fn::kCreateObject, session, object,
                     [&](Writer& args) { return write_in_template(args, attributes, count); });
}

CK_RV DestroyObject(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object) {
  return session_call(Fn::kDestroyObject, session, [&](Writer& args) -> CK_RV {
    args.ulong(object);
    return CKR_OK;
  });
}

CK_RV GetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                        CK_ATTRIBUTE_PTR attributes, CK_ULONG count) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    Request request(Fn::kGetAttributeValue);
    request.args.ulong(remote_session);
    request.args.ulong(object);
    NETHSM_TRY(write_out_template_request(request.args, attributes, count));
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    // These return values leave the template filled in (PKCS#11 v2.40, C_GetAttributeValue).
    const bool filled = reply.rv == CKR_OK || reply.rv == CKR_ATTRIBUTE_SENSITIVE ||
                        reply.rv == CKR_ATTRIBUTE_TYPE_INVALID || reply.rv == CKR_BUFFER_TOO_SMALL;
    std::vector<CK_ATTRIBUTE> scratch;
    CK_ATTRIBUTE* target = attributes;
    if (!filled && count != 0) {  // check the reply, but leave the caller's template alone
      scratch.assign(attributes, attributes + count);
      target = scratch.data();
    }
    if (!read_out_template_reply(in, target, count) || !in.at_end()) return m.bad_reply();
    return reply.rv;
  });
}

CK_RV SetAttributeValue(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                        CK_ATTRIBUTE_PTR attributes, CK_ULONG count) {
  return session_call(Fn::kSetAttributeValue, session, [&](Writer& args) {
    args.ulong(object);
    return write_in_template(args, attributes, count);
  });
}

CK_RV FindObjectsInit(CK_SESSION_HANDLE session, CK_ATTRIBUTE_PTR attributes, CK_ULONG count) {
  return session_call(Fn::kFindObjectsInit, session,
                      [&](Writer& args) { return write_in_template(args, attributes, count); });
}

CK_RV FindObjects(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE_PTR objects, CK_ULONG max_count,
                  CK_ULONG_PTR count) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (objects == nullptr || count == nullptr) return CKR_ARGUMENTS_BAD;
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    const CK_ULONG capacity = std::min<CK_ULONG>(max_count, kMaxData / 8);
    Request request(Fn::kFindObjects);
    request.args.ulong(remote_session);
    request.args.ulong(capacity);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    std::vector<CK_ULONG> found;
    if (!read_list(in, found) || !in.at_end() || found.size() > capacity) return m.bad_reply();
    if (reply.rv == CKR_OK) {
      std::copy(found.begin(), found.end(), objects);
      *count = static_cast<CK_ULONG>(found.size());
    }
    return reply.rv;
  });
}

CK_RV FindObjectsFinal(CK_SESSION_HANDLE session) {
  return session_call(Fn::kFindObjectsFinal, session, [](Writer&) -> CK_RV { return CKR_OK; });
}

}  // namespace ssoc::nethsm::entry
