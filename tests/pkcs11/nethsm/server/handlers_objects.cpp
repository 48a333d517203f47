// Server handlers: object, encryption, key generation and random functions.
#include <algorithm>
#include <memory>
#include <vector>

#include "../common/attribute_template.hpp"
#include "../common/info_codec.hpp"
#include "../common/mechanism.hpp"
#include "request_handlers.hpp"

namespace ssoc::nethsm {
namespace {

// The module reads input data through a non-const pointer; the frame buffer is ours to lend.
CK_BYTE_PTR input_pointer(ByteView data) {
  return const_cast<CK_BYTE_PTR>(data.data());
}

// C_EncryptInit and C_DecryptInit.
template <class Call>
bool crypt_init(ClientContext& client, Reader& in, Writer& out, CK_RV& rv, bool send_iv,
                Call call) {
  CK_SESSION_HANDLE session = 0;
  CK_OBJECT_HANDLE key = 0;
  auto mechanism = std::make_unique<OwnedMechanism>();
  if (!in.ulong(session) || !mechanism->read(in) || !in.ulong(key) || !in.at_end()) return false;
  rv = on_session(client, session, [&] { return call(session, mechanism->get(), key); });
  if (send_iv) {
    if (rv == CKR_OK) {
      mechanism->write_output(out);
    } else {
      out.flag(false);
    }
  }
  if (client.owns(session)) client.keep_mechanism(session, std::move(mechanism));
  return true;
}

// C_Encrypt and C_Decrypt: the module gets an output buffer of the client's length, or NULL
// for a size query, so that its own length rules apply.
template <class Call>
bool crypt(ClientContext& client, Reader& in, Writer& out, CK_RV& rv, Call call) {
  CK_SESSION_HANDLE session = 0;
  ByteView data;
  bool present = false;
  CK_ULONG capacity = 0;
  if (!in.ulong(session) || !in.bytes(data) || !in.out_buffer(present, capacity) || !in.at_end() ||
      capacity > kMaxData) {
    return false;
  }
  OutputArea area(present, capacity);
  CK_ULONG length = capacity;
  rv = on_session(client, session, [&] {
    return call(session, input_pointer(data), static_cast<CK_ULONG>(data.size()), area.ptr(),
                &length);
  });
  const bool has_data = rv == CKR_OK && present && length <= capacity;
  out.out_data(length, has_data, area.written(length));
  return true;
}

}  // namespace

bool handle_create_object(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  InTemplate attributes;
  if (!in.ulong(session) || !attributes.read(in) || !in.at_end()) return false;
  CK_OBJECT_HANDLE object = 0;
  rv = on_session(client, session, [&] {
    return client.module().C_CreateObject(session, attributes.data(), attributes.size(), &object);
  });
  out.ulong(rv == CKR_OK ? object : 0);
  return true;
}

bool handle_destroy_object(ClientContext& client, Reader& in, Writer&, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  CK_OBJECT_HANDLE object = 0;
  if (!in.ulong(session) || !in.ulong(object) || !in.at_end()) return false;
  rv =
      on_session(client, session, [&] { return client.module().C_DestroyObject(session, object); });
  return true;
}

bool handle_get_attribute_value(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  CK_OBJECT_HANDLE object = 0;
  OutTemplate attributes;
  if (!in.ulong(session) || !in.ulong(object) || !attributes.read(in) || !in.at_end()) {
    return false;
  }
  rv = on_session(client, session, [&] {
    return client.module().C_GetAttributeValue(session, object, attributes.data(),
                                               attributes.size());
  });
  attributes.write_reply(out);
  return true;
}

bool handle_set_attribute_value(ClientContext& client, Reader& in, Writer&, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  CK_OBJECT_HANDLE object = 0;
  InTemplate attributes;
  if (!in.ulong(session) || !in.ulong(object) || !attributes.read(in) || !in.at_end()) {
    return false;
  }
  rv = on_session(client, session, [&] {
    return client.module().C_SetAttributeValue(session, object, attributes.data(),
                                               attributes.size());
  });
  return true;
}

bool handle_find_objects_init(ClientContext& client, Reader& in, Writer&, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  InTemplate attributes;
  if (!in.ulong(session) || !attributes.read(in) || !in.at_end()) return false;
  rv = on_session(client, session, [&] {
    return client.module().C_FindObjectsInit(session, attributes.data(), attributes.size());
  });
  return true;
}

bool handle_find_objects(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  CK_ULONG max_count = 0;
  if (!in.ulong(session) || !in.ulong(max_count) || !in.at_end() || max_count > kMaxListItems) {
    return false;
  }
  std::vector<CK_OBJECT_HANDLE> found(max_count + 1);  // +1: never a NULL pointer
  CK_ULONG count = 0;
  rv = on_session(client, session, [&] {
    return client.module().C_FindObjects(session, found.data(), max_count, &count);
  });
  write_list(out, found.data(), rv == CKR_OK ? std::min(count, max_count) : 0);
  return true;
}

bool handle_find_objects_final(ClientContext& client, Reader& in, Writer&, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  if (!in.ulong(session) || !in.at_end()) return false;
  rv = on_session(client, session, [&] { return client.module().C_FindObjectsFinal(session); });
  return true;
}

bool handle_encrypt_init(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  return crypt_init(client, in, out, rv, true,
                    [&](auto... args) { return client.module().C_EncryptInit(args...); });
}

bool handle_encrypt(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  return crypt(client, in, out, rv,
               [&](auto... args) { return client.module().C_Encrypt(args...); });
}

bool handle_decrypt_init(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  return crypt_init(client, in, out, rv, false,
                    [&](auto... args) { return client.module().C_DecryptInit(args...); });
}

bool handle_decrypt(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  return crypt(client, in, out, rv,
               [&](auto... args) { return client.module().C_Decrypt(args...); });
}

bool handle_generate_key(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  OwnedMechanism mechanism;
  InTemplate attributes;
  if (!in.ulong(session) || !mechanism.read(in) || !attributes.read(in) || !in.at_end()) {
    return false;
  }
  CK_OBJECT_HANDLE key = 0;
  rv = on_session(client, session, [&] {
    return client.module().C_GenerateKey(session, mechanism.get(), attributes.data(),
                                         attributes.size(), &key);
  });
  out.ulong(rv == CKR_OK ? key : 0);
  return true;
}

bool handle_generate_random(ClientContext& client, Reader& in, Writer& out, CK_RV& rv) {
  CK_SESSION_HANDLE session = 0;
  CK_ULONG length = 0;
  if (!in.ulong(session) || !in.ulong(length) || !in.at_end() || length > kMaxData) return false;
  OutputArea random(true, length);
  rv = on_session(client, session,
                  [&] { return client.module().C_GenerateRandom(session, random.ptr(), length); });
  out.bytes(rv == CKR_OK ? random.written(length) : ByteView());
  return true;
}

}  // namespace ssoc::nethsm
