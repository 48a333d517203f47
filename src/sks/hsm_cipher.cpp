#include "sks/hsm_cipher.hpp"

#include <algorithm>

#include "pkcs11/rv.hpp"
#include "sks/encp_file.hpp"

namespace ssoc::sks {
namespace {

constexpr std::size_t kCallerIvSize = 12;
constexpr std::size_t kAppendedIvSize = 16;

CK_GCM_PARAMS gcm_params(Bytes& iv, ByteView associated_data) {
  CK_GCM_PARAMS params{};
  params.pIv = iv.data();
  params.ulIvLen = iv.size();
  params.ulIvBits = iv.size() * 8;
  params.pAAD = const_cast<std::uint8_t*>(associated_data.data());
  params.ulAADLen = associated_data.size();
  params.ulTagBits = kGcmTagSize * 8;
  return params;
}

// Errors of C_Decrypt: the HSM being gone stays hsm-unreachable; anything else means the data
// did not authenticate.
Error decrypt_error(Error error) {
  if (error.ck_rv && pkcs11::means_unreachable(*error.ck_rv)) return error;
  if (error.cause == Cause::AlgorithmUnsupported) return error;
  error.cause = Cause::IntegrityFailure;
  error.message += ": the data was changed, swapped, or sealed with another key";
  return error;
}

}  // namespace

Result<GcmSealed> HsmCipher::encrypt(ByteView plaintext, ByteView associated_data) const {
  if (plaintext.size() > kMaxPlaintext)
    return fail(Cause::InvalidInput, "the settings are too large to encrypt");
  GcmSealed out;
  switch (mode_) {
    case IvMode::Caller: {
      SecretBytes random = TRY(session_->random(kCallerIvSize));
      out.iv.assign(random.begin(), random.end());
      break;
    }
    case IvMode::Hsm: out.iv.assign(kCallerIvSize, 0); break;
    case IvMode::HsmAppended: out.iv.assign(kAppendedIvSize, 0); break;
  }
  CK_GCM_PARAMS params = gcm_params(out.iv, associated_data);
  CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
  CK_FUNCTION_LIST* fn = session_->fn();
  TRY(pkcs11::check(fn->C_EncryptInit(session_->handle(), &mechanism, key_), "C_EncryptInit"));

  // One call with room for the tag and an appended IV: NSS reports the size without the tag,
  // so a size query cannot be trusted.
  out.ciphertext.resize(plaintext.size() + kGcmTagSize + kAppendedIvSize);
  CK_ULONG size = out.ciphertext.size();
  // Some modules refuse a null input pointer even for empty input.
  std::uint8_t empty = 0;
  std::uint8_t* input = plaintext.empty() ? &empty : const_cast<std::uint8_t*>(plaintext.data());
  TRY(pkcs11::check(
      fn->C_Encrypt(session_->handle(), input, plaintext.size(), out.ciphertext.data(), &size),
      "C_Encrypt"));
  out.ciphertext.resize(size);
  if (mode_ == IvMode::HsmAppended) {
    if (size != plaintext.size() + kGcmTagSize + kAppendedIvSize)
      return fail(Cause::AlgorithmUnsupported,
                  "the HSM did not append a 16-byte IV; set iv_mode to auto and re-configure");
    out.iv.assign(out.ciphertext.end() - kAppendedIvSize, out.ciphertext.end());
    out.ciphertext.resize(size - kAppendedIvSize);
  } else if (size != plaintext.size() + kGcmTagSize) {
    return fail(Cause::AlgorithmUnsupported,
                "C_Encrypt returned " + std::to_string(size) + " bytes where " +
                    std::to_string(plaintext.size() + kGcmTagSize) +
                    " were expected; set iv_mode to auto and re-configure");
  }
  if (mode_ == IvMode::Hsm &&
      std::all_of(out.iv.begin(), out.iv.end(), [](auto b) { return b == 0; }))
    return fail(Cause::AlgorithmUnsupported,
                "the HSM did not return the IV it chose; set iv_mode to auto and re-configure");
  return out;
}

Result<SecretBytes> HsmCipher::decrypt(ByteView iv, ByteView ciphertext,
                                       ByteView associated_data) const {
  // In hsm-appended mode the HSM takes the IV back from the end of the input.
  Bytes input(ciphertext.begin(), ciphertext.end());
  Bytes iv_param(iv.begin(), iv.end());
  if (mode_ == IvMode::HsmAppended) {
    input.insert(input.end(), iv.begin(), iv.end());
    std::fill(iv_param.begin(), iv_param.end(), 0);
  }
  CK_GCM_PARAMS params = gcm_params(iv_param, associated_data);
  CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
  CK_FUNCTION_LIST* fn = session_->fn();
  auto init =
      pkcs11::check(fn->C_DecryptInit(session_->handle(), &mechanism, key_), "C_DecryptInit");
  if (!init) return decrypt_error(std::move(init).error());
  SecretBytes plaintext(input.size());
  CK_ULONG size = plaintext.size();
  auto done = pkcs11::check(
      fn->C_Decrypt(session_->handle(), input.data(), input.size(), plaintext.data(), &size),
      "C_Decrypt");
  if (!done) return decrypt_error(std::move(done).error());
  plaintext.resize(size);
  return plaintext;
}

Result<IvMode> detect_iv_mode(const pkcs11::Session& session, CK_OBJECT_HANDLE key) {
  static constexpr std::string_view kProbe = "SSO Connect IV mode probe";
  const ByteView aad = as_bytes("ssoc-iv-probe");
  SecretBytes random = TRY(session.random(kCallerIvSize));
  Bytes iv(random.begin(), random.end());
  const Bytes sent = iv;
  CK_GCM_PARAMS params = gcm_params(iv, aad);
  CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof params};
  CK_FUNCTION_LIST* fn = session.fn();
  TRY(pkcs11::check(fn->C_EncryptInit(session.handle(), &mechanism, key), "C_EncryptInit"));
  Bytes out(kProbe.size() + kGcmTagSize + kAppendedIvSize);
  CK_ULONG size = out.size();
  TRY(pkcs11::check(
      fn->C_Encrypt(session.handle(), const_cast<std::uint8_t*>(as_bytes(kProbe).data()),
                    kProbe.size(), out.data(), &size),
      "C_Encrypt"));
  out.resize(size);

  IvMode mode = IvMode::Caller;
  if (size == kProbe.size() + kGcmTagSize + kAppendedIvSize) {
    mode = IvMode::HsmAppended;
  } else if (size != kProbe.size() + kGcmTagSize) {
    return fail(Cause::AlgorithmUnsupported,
                "the HSM's AES-GCM output has an unexpected size; check with the HSM vendor");
  } else if (iv != sent) {
    mode = IvMode::Hsm;
  }
  // Confirm the choice by decrypting with it.
  HsmCipher cipher(session, key, mode);
  Bytes used_iv = iv;
  Bytes ciphertext = out;
  if (mode == IvMode::HsmAppended) {
    used_iv.assign(out.end() - kAppendedIvSize, out.end());
    ciphertext.resize(size - kAppendedIvSize);
  }
  auto back = cipher.decrypt(used_iv, ciphertext, aad);
  if (!back || as_text(*back) != kProbe)
    return fail(Cause::AlgorithmUnsupported,
                "AES-GCM in the HSM does not round-trip in any known IV mode; check with the HSM "
                "vendor that CKM_AES_GCM is supported");
  return mode;
}

}  // namespace ssoc::sks
