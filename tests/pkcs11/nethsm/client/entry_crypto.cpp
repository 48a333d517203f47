// Encryption, key generation and random functions of the nethsm client.
#include <algorithm>
#include <cstring>

#include "../common/attribute_template.hpp"
#include "../common/mechanism.hpp"
#include "entry_points.hpp"
#include "remote_module.hpp"

namespace ssoc::nethsm::entry {
namespace {

// C_EncryptInit and C_DecryptInit. Only C_EncryptInit gets the IV back (mech-output).
CK_RV crypt_init(Fn fn, CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism,
                 CK_OBJECT_HANDLE key) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    Request request(fn);
    request.args.ulong(remote_session);
    NETHSM_TRY(write_mechanism(request.args, mechanism));
    request.args.ulong(key);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    if (fn == Fn::kEncryptInit &&
        !read_mechanism_output(in, reply.rv == CKR_OK ? mechanism : nullptr)) {
      return m.bad_reply();
    }
    if (!in.at_end()) return m.bad_reply();
    return reply.rv;
  });
}

// C_Encrypt and C_Decrypt: single-part, with PKCS#11 output-length rules (a NULL `out` is a size
// query; CKR_BUFFER_TOO_SMALL sets the needed length; both keep the operation active, as the real
// module does, since the server calls it the same way).
CK_RV crypt(Fn fn, CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len, CK_BYTE_PTR out,
            CK_ULONG_PTR out_len) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (out_len == nullptr || (data == nullptr && data_len != 0)) return CKR_ARGUMENTS_BAD;
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    if (data_len > kMaxData) return CKR_DEVICE_MEMORY;
    const CK_ULONG capacity = std::min<CK_ULONG>(out != nullptr ? *out_len : 0, kMaxData);
    Request request(fn);
    request.args.ulong(remote_session);
    request.args.bytes(view_of(data, data_len));
    request.args.out_buffer(out != nullptr, capacity);
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    CK_ULONG length = 0;
    bool has_data = false;
    ByteView written;
    if (!in.out_data(length, has_data, written) || !in.at_end() ||
        (has_data && (out == nullptr || length > capacity))) {
      return m.bad_reply();
    }
    if (reply.rv == CKR_OK && has_data && !written.empty()) {
      std::memcpy(out, written.data(), written.size());
    }
    if (reply.rv == CKR_OK || reply.rv == CKR_BUFFER_TOO_SMALL) *out_len = length;
    return reply.rv;
  });
}

}  // namespace

CK_RV EncryptInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  return crypt_init(Fn::kEncryptInit, session, mechanism, key);
}

CK_RV Encrypt(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len, CK_BYTE_PTR out,
              CK_ULONG_PTR out_len) {
  return crypt(Fn::kEncrypt, session, data, data_len, out, out_len);
}

CK_RV DecryptInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  return crypt_init(Fn::kDecryptInit, session, mechanism, key);
}

CK_RV Decrypt(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len, CK_BYTE_PTR out,
              CK_ULONG_PTR out_len) {
  return crypt(Fn::kDecrypt, session, data, data_len, out, out_len);
}

CK_RV GenerateKey(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism,
                  CK_ATTRIBUTE_PTR attributes, CK_ULONG count, CK_OBJECT_HANDLE_PTR key) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (key == nullptr) return CKR_ARGUMENTS_BAD;
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    Request request(Fn::kGenerateKey);
    request.args.ulong(remote_session);
    NETHSM_TRY(write_mechanism(request.args, mechanism));
    NETHSM_TRY(write_in_template(request.args, attributes, count));
    Reply reply;
    NETHSM_TRY(m.exchange(request, reply));
    Reader in = reply.payload();
    CK_OBJECT_HANDLE handle = 0;
    if (!in.ulong(handle) || !in.at_end()) return m.bad_reply();
    if (reply.rv == CKR_OK) *key = handle;
    return reply.rv;
  });
}

// Lengths above one frame are fetched in several requests.
CK_RV GenerateRandom(CK_SESSION_HANDLE session, CK_BYTE_PTR out, CK_ULONG length) {
  return remote().run([&](RemoteModule& m) -> CK_RV {
    if (out == nullptr && length != 0) return CKR_ARGUMENTS_BAD;
    CK_SESSION_HANDLE remote_session = 0;
    NETHSM_TRY(m.resolve_session(session, remote_session));
    CK_ULONG done = 0;
    do {
      const CK_ULONG chunk = std::min<CK_ULONG>(length - done, kMaxData);
      Request request(Fn::kGenerateRandom);
      request.args.ulong(remote_session);
      request.args.ulong(chunk);
      Reply reply;
      NETHSM_TRY(m.exchange(request, reply));
      Reader in = reply.payload();
      ByteView random;
      if (!in.bytes(random) || !in.at_end() || (reply.rv == CKR_OK && random.size() != chunk)) {
        return m.bad_reply();
      }
      if (reply.rv != CKR_OK) return reply.rv;
      if (chunk != 0) std::memcpy(out + done, random.data(), chunk);
      done += chunk;
    } while (done < length);
    return CKR_OK;
  });
}

}  // namespace ssoc::nethsm::entry
