// How the shim imitates vendors' AES-GCM IV handling (the IV modes described in shim.cpp), the
// per-session state that needs, and the token without AES-GCM (fault name "CKM_AES_GCM").
#include <string.h>  // explicit_bzero

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "shim.hpp"

namespace ssoc::shim {
namespace {

using List = CK_FUNCTION_LIST;

constexpr CK_ULONG kLunaIvLen = 16;
constexpr CK_ULONG kCloudHsmIvLen = 12;

using LunaIv = std::array<CK_BYTE, kLunaIvLen>;

// luna-fips: a decryption whose IV is still at the end of the input that has not come yet.
struct PendingDecrypt {
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  std::vector<CK_BYTE> aad;
  CK_ULONG tag_bits = 0;
  std::vector<CK_BYTE> input;  // buffered by C_DecryptUpdate
};

struct SessionState {
  CK_SLOT_ID slot = CK_UNAVAILABLE_INFORMATION;
  std::optional<LunaIv> encrypt_iv;  // luna-fips encryption in progress: the IV to append
  std::optional<PendingDecrypt> decrypt;
};

// State of each open session, by handle. Callers copy state out and write it back: PKCS#11 lets
// one session run one call at a time, and the lock is never held across a call to the module.
class SessionTable {
 public:
  void opened(CK_SESSION_HANDLE session, CK_SLOT_ID slot) {
    const std::lock_guard lock(mutex_);
    sessions_[session] = SessionState{.slot = slot, .encrypt_iv = {}, .decrypt = {}};
  }
  void closed(CK_SESSION_HANDLE session) {
    const std::lock_guard lock(mutex_);
    sessions_.erase(session);
  }
  void closed_slot(CK_SLOT_ID slot) {
    const std::lock_guard lock(mutex_);
    std::erase_if(sessions_, [slot](const auto& entry) { return entry.second.slot == slot; });
  }
  void clear() {
    const std::lock_guard lock(mutex_);
    sessions_.clear();
  }

  std::optional<LunaIv> encrypt_iv(CK_SESSION_HANDLE session) {
    const std::lock_guard lock(mutex_);
    const auto found = sessions_.find(session);
    return found == sessions_.end() ? std::nullopt : found->second.encrypt_iv;
  }
  void set_encrypt_iv(CK_SESSION_HANDLE session, std::optional<LunaIv> iv) {
    const std::lock_guard lock(mutex_);
    if (iv || sessions_.contains(session)) sessions_[session].encrypt_iv = iv;
  }

  std::optional<PendingDecrypt> decrypt(CK_SESSION_HANDLE session) {
    const std::lock_guard lock(mutex_);
    const auto found = sessions_.find(session);
    return found == sessions_.end() ? std::nullopt : found->second.decrypt;
  }
  void set_decrypt(CK_SESSION_HANDLE session, std::optional<PendingDecrypt> pending) {
    const std::lock_guard lock(mutex_);
    if (pending || sessions_.contains(session)) sessions_[session].decrypt = std::move(pending);
  }
  void append_decrypt_input(CK_SESSION_HANDLE session, const CK_BYTE* data, CK_ULONG length) {
    const std::lock_guard lock(mutex_);
    const auto found = sessions_.find(session);
    if (found == sessions_.end() || !found->second.decrypt) return;
    std::vector<CK_BYTE>& input = found->second.decrypt->input;
    input.insert(input.end(), data, data + length);
  }

 private:
  std::mutex mutex_;
  std::map<CK_SESSION_HANDLE, SessionState> sessions_;
};

SessionTable g_sessions;

bool is_gcm(const CK_MECHANISM* mechanism) {
  return mechanism != nullptr && mechanism->mechanism == CKM_AES_GCM;
}

// A copy of the mechanism's CK_GCM_PARAMS, if it carries well-formed ones.
std::optional<CK_GCM_PARAMS> gcm_params(const CK_MECHANISM& mechanism) {
  if (mechanism.pParameter == nullptr || mechanism.ulParameterLen != sizeof(CK_GCM_PARAMS)) {
    return std::nullopt;
  }
  CK_GCM_PARAMS params;
  std::memcpy(&params, mechanism.pParameter, sizeof(params));
  if (params.ulAADLen != 0 && params.pAAD == nullptr) return std::nullopt;
  return params;
}

CK_RV init_with_iv(CK_RV (*List::*init)(CK_SESSION_HANDLE, CK_MECHANISM_PTR, CK_OBJECT_HANDLE),
                   CK_SESSION_HANDLE session, CK_GCM_PARAMS params, CK_BYTE* iv, CK_ULONG iv_len,
                   CK_OBJECT_HANDLE key) {
  params.pIv = iv;
  params.ulIvLen = iv_len;
  params.ulIvBits = iv_len * 8;
  CK_MECHANISM mechanism{CKM_AES_GCM, &params, sizeof(params)};
  CK_FUNCTION_LIST* list = target();
  if (list == nullptr) return CKR_CRYPTOKI_NOT_INITIALIZED;
  return (list->*init)(session, &mechanism, key);
}

CK_RV luna_encrypt_init(CK_SESSION_HANDLE session, const CK_MECHANISM& mechanism,
                        CK_OBJECT_HANDLE key) {
  const std::optional<CK_GCM_PARAMS> params = gcm_params(mechanism);
  if (!params) return CKR_MECHANISM_PARAM_INVALID;
  LunaIv iv{};
  CK_RV rv = target_call<&List::C_GenerateRandom>(session, iv.data(), kLunaIvLen);
  if (rv != CKR_OK) return rv;
  rv = init_with_iv(&List::C_EncryptInit, session, *params, iv.data(), kLunaIvLen, key);
  if (rv == CKR_OK) g_sessions.set_encrypt_iv(session, iv);
  return rv;
}

CK_RV cloudhsm_encrypt_init(CK_SESSION_HANDLE session, const CK_MECHANISM& mechanism,
                            CK_OBJECT_HANDLE key) {
  const std::optional<CK_GCM_PARAMS> params = gcm_params(mechanism);
  if (!params || params->pIv == nullptr || params->ulIvLen != kCloudHsmIvLen) {
    return CKR_MECHANISM_PARAM_INVALID;
  }
  std::array<CK_BYTE, kCloudHsmIvLen> iv{};
  CK_RV rv = target_call<&List::C_GenerateRandom>(session, iv.data(), kCloudHsmIvLen);
  if (rv != CKR_OK) return rv;
  rv = init_with_iv(&List::C_EncryptInit, session, *params, iv.data(), kCloudHsmIvLen, key);
  if (rv == CKR_OK) std::copy(iv.begin(), iv.end(), params->pIv);  // the caller's buffer
  return rv;
}

// luna-fips C_Encrypt / C_EncryptFinal: the module's output followed by the IV. `produce(out,
// out_len)` is the module's call. Follows PKCS#11's output conventions: a size query (out NULL)
// and CKR_BUFFER_TOO_SMALL leave the operation active; anything else ends it.
template <typename Produce>
CK_RV append_luna_iv(CK_SESSION_HANDLE session, const LunaIv& iv, Produce produce, CK_BYTE* out,
                     CK_ULONG* out_len) {
  if (out_len == nullptr) {
    g_sessions.set_encrypt_iv(session, std::nullopt);
    return produce(out, out_len);
  }
  CK_ULONG inner_len = 0;
  CK_RV rv = produce(nullptr, &inner_len);
  if (rv != CKR_OK) {
    g_sessions.set_encrypt_iv(session, std::nullopt);
    return rv;
  }
  const CK_ULONG needed = inner_len + kLunaIvLen;
  if (out == nullptr || *out_len < needed) {
    rv = out == nullptr ? CKR_OK : CKR_BUFFER_TOO_SMALL;
    *out_len = needed;
    return rv;
  }
  inner_len = *out_len - kLunaIvLen;
  rv = produce(out, &inner_len);
  if (rv == CKR_BUFFER_TOO_SMALL) {
    *out_len = inner_len + kLunaIvLen;
    return rv;
  }
  g_sessions.set_encrypt_iv(session, std::nullopt);
  if (rv != CKR_OK) return rv;
  std::copy(iv.begin(), iv.end(), out + inner_len);
  *out_len = inner_len + kLunaIvLen;
  return CKR_OK;
}

// luna-fips C_Decrypt / C_DecryptFinal of `in` = ciphertext || tag || IV(16).
CK_RV luna_decrypt(CK_SESSION_HANDLE session, const PendingDecrypt& pending, const CK_BYTE* in,
                   CK_ULONG in_len, CK_BYTE* out, CK_ULONG* out_len) {
  if (out_len == nullptr || (in == nullptr && in_len != 0)) {
    g_sessions.set_decrypt(session, std::nullopt);
    return CKR_ARGUMENTS_BAD;
  }
  const CK_ULONG tag_len = pending.tag_bits / 8;
  if (in_len < kLunaIvLen + tag_len) {
    g_sessions.set_decrypt(session, std::nullopt);
    return CKR_ENCRYPTED_DATA_LEN_RANGE;
  }
  const CK_ULONG plain_len = in_len - kLunaIvLen - tag_len;
  if (out == nullptr) {
    *out_len = plain_len;
    return CKR_OK;
  }
  if (*out_len < plain_len) {
    *out_len = plain_len;
    return CKR_BUFFER_TOO_SMALL;
  }
  g_sessions.set_decrypt(session, std::nullopt);  // whatever happens next ends the operation

  const CK_ULONG body_len = in_len - kLunaIvLen;
  LunaIv iv{};
  std::copy(in + body_len, in + in_len, iv.begin());
  CK_GCM_PARAMS params{};
  params.pAAD = pending.aad.empty() ? nullptr : const_cast<CK_BYTE*>(pending.aad.data());
  params.ulAADLen = pending.aad.size();
  params.ulTagBits = pending.tag_bits;
  CK_RV rv =
      init_with_iv(&List::C_DecryptInit, session, params, iv.data(), kLunaIvLen, pending.key);
  if (rv != CKR_OK) return rv;

  // Into a buffer of the module's own upper bound (the input length), so that the module cannot
  // answer CKR_BUFFER_TOO_SMALL and leave its operation active.
  std::vector<CK_BYTE> plain(std::max<CK_ULONG>(body_len, 1));
  CK_ULONG got = plain.size();
  rv = target_call<&List::C_Decrypt>(session, const_cast<CK_BYTE*>(in), body_len, plain.data(),
                                     &got);
  if (rv == CKR_OK) {
    if (got > *out_len) {
      rv = CKR_GENERAL_ERROR;
    } else {
      std::copy_n(plain.begin(), got, out);
      *out_len = got;
    }
  }
  explicit_bzero(plain.data(), plain.size());
  return rv;
}

}  // namespace

void forget_all_sessions() {
  g_sessions.clear();
}

namespace custom {

CK_RV C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR application, CK_NOTIFY notify,
                    CK_SESSION_HANDLE_PTR session) {
  const CK_RV rv = target_call<&List::C_OpenSession>(slot, flags, application, notify, session);
  if (rv == CKR_OK && session != nullptr) g_sessions.opened(*session, slot);
  return rv;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE session) {
  const CK_RV rv = target_call<&List::C_CloseSession>(session);
  g_sessions.closed(session);
  return rv;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slot) {
  const CK_RV rv = target_call<&List::C_CloseAllSessions>(slot);
  if (rv == CKR_OK) g_sessions.closed_slot(slot);
  return rv;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR mechanisms, CK_ULONG_PTR count) {
  if (!gcm_hidden()) return target_call<&List::C_GetMechanismList>(slot, mechanisms, count);
  if (count == nullptr) return CKR_ARGUMENTS_BAD;
  CK_ULONG total = 0;
  CK_RV rv = target_call<&List::C_GetMechanismList>(slot, nullptr, &total);
  if (rv != CKR_OK) return rv;
  std::vector<CK_MECHANISM_TYPE> all(total);
  rv = target_call<&List::C_GetMechanismList>(slot, all.data(), &total);
  if (rv != CKR_OK) return rv;
  all.resize(total);
  std::erase(all, CKM_AES_GCM);

  if (mechanisms != nullptr && *count < all.size()) rv = CKR_BUFFER_TOO_SMALL;
  if (mechanisms != nullptr && rv == CKR_OK) std::copy(all.begin(), all.end(), mechanisms);
  *count = all.size();
  return rv;
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info) {
  if (type == CKM_AES_GCM && gcm_hidden()) return CKR_MECHANISM_INVALID;
  return target_call<&List::C_GetMechanismInfo>(slot, type, info);
}

CK_RV C_EncryptInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  if (!is_gcm(mechanism)) return target_call<&List::C_EncryptInit>(session, mechanism, key);
  if (gcm_hidden()) return CKR_MECHANISM_INVALID;
  switch (iv_mode()) {
    case IvMode::kLunaFips: return luna_encrypt_init(session, *mechanism, key);
    case IvMode::kCloudHsm: return cloudhsm_encrypt_init(session, *mechanism, key);
    case IvMode::kCaller: break;
  }
  return target_call<&List::C_EncryptInit>(session, mechanism, key);
}

CK_RV C_Encrypt(CK_SESSION_HANDLE session, CK_BYTE_PTR data, CK_ULONG data_len,
                CK_BYTE_PTR encrypted, CK_ULONG_PTR encrypted_len) {
  const std::optional<LunaIv> iv = g_sessions.encrypt_iv(session);
  if (!iv) return target_call<&List::C_Encrypt>(session, data, data_len, encrypted, encrypted_len);
  const auto produce = [&](CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    return target_call<&List::C_Encrypt>(session, data, data_len, out, out_len);
  };
  return append_luna_iv(session, *iv, produce, encrypted, encrypted_len);
}

CK_RV C_EncryptFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR last, CK_ULONG_PTR last_len) {
  const std::optional<LunaIv> iv = g_sessions.encrypt_iv(session);
  if (!iv) return target_call<&List::C_EncryptFinal>(session, last, last_len);
  const auto produce = [&](CK_BYTE_PTR out, CK_ULONG_PTR out_len) {
    return target_call<&List::C_EncryptFinal>(session, out, out_len);
  };
  return append_luna_iv(session, *iv, produce, last, last_len);
}

CK_RV C_DecryptInit(CK_SESSION_HANDLE session, CK_MECHANISM_PTR mechanism, CK_OBJECT_HANDLE key) {
  if (!is_gcm(mechanism)) return target_call<&List::C_DecryptInit>(session, mechanism, key);
  if (gcm_hidden()) return CKR_MECHANISM_INVALID;
  if (iv_mode() != IvMode::kLunaFips) {
    return target_call<&List::C_DecryptInit>(session, mechanism, key);
  }
  const std::optional<CK_GCM_PARAMS> params = gcm_params(*mechanism);
  if (!params || params->ulTagBits == 0 || params->ulTagBits > 128 || params->ulTagBits % 8 != 0) {
    return CKR_MECHANISM_PARAM_INVALID;
  }
  CK_SESSION_INFO info{};
  const CK_RV rv = target_call<&List::C_GetSessionInfo>(session, &info);
  if (rv != CKR_OK) return rv;
  if (g_sessions.decrypt(session)) return CKR_OPERATION_ACTIVE;

  PendingDecrypt pending{.key = key, .aad = {}, .tag_bits = params->ulTagBits, .input = {}};
  if (params->ulAADLen != 0) pending.aad.assign(params->pAAD, params->pAAD + params->ulAADLen);
  g_sessions.set_decrypt(session, std::move(pending));
  return CKR_OK;
}

CK_RV C_Decrypt(CK_SESSION_HANDLE session, CK_BYTE_PTR encrypted, CK_ULONG encrypted_len,
                CK_BYTE_PTR data, CK_ULONG_PTR data_len) {
  const std::optional<PendingDecrypt> pending = g_sessions.decrypt(session);
  if (!pending) {
    return target_call<&List::C_Decrypt>(session, encrypted, encrypted_len, data, data_len);
  }
  return luna_decrypt(session, *pending, encrypted, encrypted_len, data, data_len);
}

CK_RV C_DecryptUpdate(CK_SESSION_HANDLE session, CK_BYTE_PTR encrypted, CK_ULONG encrypted_len,
                      CK_BYTE_PTR part, CK_ULONG_PTR part_len) {
  if (!g_sessions.decrypt(session)) {
    return target_call<&List::C_DecryptUpdate>(session, encrypted, encrypted_len, part, part_len);
  }
  if (part_len == nullptr || (encrypted == nullptr && encrypted_len != 0)) {
    g_sessions.set_decrypt(session, std::nullopt);
    return CKR_ARGUMENTS_BAD;
  }
  // Nothing is released before the tag has been checked; a size query (part NULL) buffers
  // nothing, as the caller will send the same input again.
  if (part != nullptr) g_sessions.append_decrypt_input(session, encrypted, encrypted_len);
  *part_len = 0;
  return CKR_OK;
}

CK_RV C_DecryptFinal(CK_SESSION_HANDLE session, CK_BYTE_PTR last, CK_ULONG_PTR last_len) {
  const std::optional<PendingDecrypt> pending = g_sessions.decrypt(session);
  if (!pending) return target_call<&List::C_DecryptFinal>(session, last, last_len);
  return luna_decrypt(session, *pending, pending->input.data(), pending->input.size(), last,
                      last_len);
}

}  // namespace custom
}  // namespace ssoc::shim
