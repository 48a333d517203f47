#include "mechanism.hpp"

#include <cstring>

#include "protocol.hpp"

namespace ssoc::nethsm {
namespace {

ByteView view_of(const void* p, CK_ULONG n) {
  return n == 0 ? ByteView() : ByteView(static_cast<const std::uint8_t*>(p), n);
}

bool is_gcm(const CK_MECHANISM& m) {
  return m.mechanism == CKM_AES_GCM && m.pParameter != nullptr &&
         m.ulParameterLen == sizeof(CK_GCM_PARAMS);
}

bool params_hold_pointers(CK_MECHANISM_TYPE type) {
  return type == CKM_RSA_PKCS_OAEP || type == CKM_AES_CCM;
}

void write_gcm(Writer& out, const CK_GCM_PARAMS& p) {
  out.flag(p.pIv != nullptr);
  out.ulong(p.ulIvLen);
  if (p.pIv != nullptr) out.raw(view_of(p.pIv, p.ulIvLen));
  out.ulong(p.ulIvBits);
  out.flag(p.pAAD != nullptr);
  out.ulong(p.ulAADLen);
  if (p.pAAD != nullptr) out.raw(view_of(p.pAAD, p.ulAADLen));
  out.ulong(p.ulTagBits);
}

}  // namespace

CK_RV write_mechanism(Writer& out, const CK_MECHANISM* mechanism) {
  if (mechanism == nullptr) return CKR_ARGUMENTS_BAD;
  const CK_MECHANISM& m = *mechanism;
  out.ulong(m.mechanism);
  if (m.pParameter == nullptr) {
    out.u8(static_cast<std::uint8_t>(ParamKind::kNone));
    return CKR_OK;
  }
  if (is_gcm(m)) {
    const auto& p = *static_cast<const CK_GCM_PARAMS*>(m.pParameter);
    if ((p.pIv != nullptr && p.ulIvLen > kMaxData) ||
        (p.pAAD != nullptr && p.ulAADLen > kMaxData) ||
        (p.pIv != nullptr && p.pAAD != nullptr && p.ulIvLen + p.ulAADLen > kMaxData)) {
      return CKR_DEVICE_MEMORY;
    }
    out.u8(static_cast<std::uint8_t>(ParamKind::kGcm));
    write_gcm(out, p);
    return CKR_OK;
  }
  if (params_hold_pointers(m.mechanism)) return CKR_MECHANISM_PARAM_INVALID;
  if (m.ulParameterLen > kMaxData) return CKR_DEVICE_MEMORY;
  out.u8(static_cast<std::uint8_t>(ParamKind::kBytes));
  out.bytes(view_of(m.pParameter, m.ulParameterLen));
  return CKR_OK;
}

bool read_mechanism_output(Reader& in, const CK_MECHANISM* mechanism) {
  bool has_iv = false;
  if (!in.flag(has_iv)) return false;
  if (!has_iv) return true;
  ByteView iv;
  if (!in.bytes(iv) || mechanism == nullptr || !is_gcm(*mechanism)) return false;
  const auto& p = *static_cast<const CK_GCM_PARAMS*>(mechanism->pParameter);
  if (p.pIv == nullptr || iv.size() != p.ulIvLen) return false;
  if (!iv.empty()) std::memcpy(p.pIv, iv.data(), iv.size());
  return true;
}

bool OwnedMechanism::read(Reader& in) {
  std::uint8_t kind = 0;
  if (!in.ulong(mechanism_.mechanism) || !in.u8(kind)) return false;
  switch (static_cast<ParamKind>(kind)) {
    case ParamKind::kNone:
      mechanism_.pParameter = nullptr;
      mechanism_.ulParameterLen = 0;
      return true;
    case ParamKind::kBytes: {
      ByteView bytes;
      if (!in.bytes(bytes)) return false;
      parameter_.assign(bytes.begin(), bytes.end());
      parameter_.push_back(0);  // never a NULL pointer
      mechanism_.pParameter = parameter_.data();
      mechanism_.ulParameterLen = static_cast<CK_ULONG>(bytes.size());
      return true;
    }
    case ParamKind::kGcm: {
      bool has_iv = false;
      bool has_aad = false;
      ByteView iv;
      ByteView aad;
      if (!in.flag(has_iv) || !in.ulong(gcm_.ulIvLen) || (has_iv && !in.raw(gcm_.ulIvLen, iv)) ||
          !in.ulong(gcm_.ulIvBits) || !in.flag(has_aad) || !in.ulong(gcm_.ulAADLen) ||
          (has_aad && !in.raw(gcm_.ulAADLen, aad)) || !in.ulong(gcm_.ulTagBits)) {
        return false;
      }
      if (has_iv) {
        iv_.assign(iv.begin(), iv.end());
        iv_.push_back(0);
        gcm_.pIv = iv_.data();
      }
      if (has_aad) {
        aad_.assign(aad.begin(), aad.end());
        aad_.push_back(0);
        gcm_.pAAD = aad_.data();
      }
      is_gcm_ = true;
      mechanism_.pParameter = &gcm_;
      mechanism_.ulParameterLen = sizeof gcm_;
      return true;
    }
  }
  return false;
}

void OwnedMechanism::write_output(Writer& out) const {
  const bool has_iv = is_gcm_ && gcm_.pIv != nullptr;
  out.flag(has_iv);
  if (has_iv) out.bytes(ByteView(iv_.data(), iv_.size() - 1));
}

}  // namespace ssoc::nethsm
