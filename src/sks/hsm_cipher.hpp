// AES-256-GCM with a key that never leaves the HSM (CKM_AES_GCM, 128-bit tag,
// ulIvBits = ulIvLen × 8), in the three IV modes of DESIGN.md.
#pragma once

#include "common/result.hpp"
#include "common/secret.hpp"
#include "pkcs11/session.hpp"
#include "sks/iv_mode.hpp"

namespace ssoc::sks {

struct GcmSealed {
  Bytes iv;
  Bytes ciphertext;  // with the tag
};

class HsmCipher {
 public:
  // The session and key must outlive the cipher.
  HsmCipher(const pkcs11::Session& session, CK_OBJECT_HANDLE key, IvMode mode)
      : session_(&session), key_(key), mode_(mode) {}

  Result<GcmSealed> encrypt(ByteView plaintext, ByteView associated_data) const;
  // Any failed C_Decrypt is IntegrityFailure (SoftHSM reports a bad tag as CKR_GENERAL_ERROR,
  // NSS as CKR_ENCRYPTED_DATA_INVALID), except the errors that mean the HSM is gone.
  Result<SecretBytes> decrypt(ByteView iv, ByteView ciphertext, ByteView associated_data) const;

  IvMode mode() const { return mode_; }

 private:
  const pkcs11::Session* session_;
  CK_OBJECT_HANDLE key_;
  IvMode mode_;
};

// Finds how this HSM handles GCM IVs by one encrypt/decrypt round trip with `key`
// (DESIGN.md "auto"): appended IV -> HsmAppended; IV buffer rewritten -> Hsm; else Caller.
// AlgorithmUnsupported if no mode round-trips.
Result<IvMode> detect_iv_mode(const pkcs11::Session& session, CK_OBJECT_HANDLE key);

}  // namespace ssoc::sks
