// The server's handlers, one per forwarded function (see ../common/protocol.hpp for each
// request and reply). A handler reads all its arguments and checks that nothing is left before
// it calls the real module; it returns false for a malformed request (the connection is then
// dropped), else sets `rv` and writes the whole reply payload, whatever rv is.
#pragma once

#include "../common/protocol.hpp"
#include "../common/wire.hpp"
#include "client_context.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

using Handler = bool (*)(ClientContext& client, Reader& in, Writer& out, CK_RV& rv);

// The handler of `fn`; nullptr for kHello and unknown functions.
Handler find_handler(Fn fn);

// Defined in handlers_general.cpp.
bool handle_get_info(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_get_slot_list(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_get_slot_info(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_get_token_info(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_get_mechanism_list(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_get_mechanism_info(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_open_session(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_close_session(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_close_all_sessions(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_get_session_info(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_login(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_logout(ClientContext&, Reader&, Writer&, CK_RV&);

// Defined in handlers_objects.cpp.
bool handle_create_object(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_destroy_object(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_get_attribute_value(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_set_attribute_value(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_find_objects_init(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_find_objects(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_find_objects_final(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_encrypt_init(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_encrypt(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_decrypt_init(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_decrypt(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_generate_key(ClientContext&, Reader&, Writer&, CK_RV&);
bool handle_generate_random(ClientContext&, Reader&, Writer&, CK_RV&);

// Shared by the handlers.
inline constexpr CK_ULONG kMaxListItems = kMaxData / 8;

// The module's CK_RV for a session this connection owns, else CKR_SESSION_HANDLE_INVALID.
template <class Call>
CK_RV on_session(ClientContext& client, CK_SESSION_HANDLE session, Call call) {
  return client.owns(session) ? call() : CKR_SESSION_HANDLE_INVALID;
}

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
