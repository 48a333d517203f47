// Mechanisms on the wire (see protocol.hpp, "mechanism" and "mech-output").
//
// A parameter is sent as raw bytes when it is a flat struct (an IV, CK_AES_CTR_PARAMS, ...).
// CK_GCM_PARAMS holds pointers and is sent field by field; after C_EncryptInit the server sends
// the IV buffer back, so an HSM that writes its own IV into pIv (AWS CloudHSM) works through the
// network. Other mechanisms whose parameters hold pointers (CKM_RSA_PKCS_OAEP, CKM_AES_CCM) are
// refused with CKR_MECHANISM_PARAM_INVALID.
#pragma once

#include "wire.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

// --- client side ---

// Appends `mechanism`. CKR_OK, CKR_ARGUMENTS_BAD, CKR_MECHANISM_PARAM_INVALID or
// CKR_DEVICE_MEMORY (a parameter larger than a frame carries).
CK_RV write_mechanism(Writer& out, const CK_MECHANISM* mechanism);

// Reads a mech-output and copies the IV into the caller's CK_GCM_PARAMS.pIv. False if the
// reply does not fit the mechanism the caller passed.
[[nodiscard]] bool read_mechanism_output(Reader& in, const CK_MECHANISM* mechanism);

// --- server side ---

// A decoded mechanism owning its parameter (and the GCM IV and AAD buffers). It cannot move:
// the CK_MECHANISM points into it.
class OwnedMechanism {
 public:
  OwnedMechanism() = default;
  OwnedMechanism(const OwnedMechanism&) = delete;
  OwnedMechanism& operator=(const OwnedMechanism&) = delete;

  [[nodiscard]] bool read(Reader& in);
  CK_MECHANISM_PTR get() { return &mechanism_; }
  // Appends the mech-output: the GCM IV buffer as the module left it.
  void write_output(Writer& out) const;

 private:
  CK_MECHANISM mechanism_{};
  CK_GCM_PARAMS gcm_{};
  bool is_gcm_ = false;
  Buffer parameter_;
  Buffer iv_;
  Buffer aad_;
};

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
