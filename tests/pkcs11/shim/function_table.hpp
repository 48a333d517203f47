// The 68 functions of the PKCS#11 v2.40 CK_FUNCTION_LIST, in the order of the struct, as one
// X-macro so that the enum, the names, the counters and the shim's function list are all made
// from the same list and none can be missed.
//
// SSOC_SHIM_FUNCTIONS(PLAIN, CUSTOM): PLAIN(name) for functions the shim only forwards,
// CUSTOM(name) for those with their own behaviour in ssoc::shim::custom (shim.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#define SSOC_SHIM_FUNCTIONS(PLAIN, CUSTOM) \
  CUSTOM(C_Initialize)                     \
  CUSTOM(C_Finalize)                       \
  CUSTOM(C_GetInfo)                        \
  CUSTOM(C_GetFunctionList)                \
  PLAIN(C_GetSlotList)                     \
  PLAIN(C_GetSlotInfo)                     \
  PLAIN(C_GetTokenInfo)                    \
  CUSTOM(C_GetMechanismList)               \
  CUSTOM(C_GetMechanismInfo)               \
  PLAIN(C_InitToken)                       \
  PLAIN(C_InitPIN)                         \
  PLAIN(C_SetPIN)                          \
  CUSTOM(C_OpenSession)                    \
  CUSTOM(C_CloseSession)                   \
  CUSTOM(C_CloseAllSessions)               \
  PLAIN(C_GetSessionInfo)                  \
  PLAIN(C_GetOperationState)               \
  PLAIN(C_SetOperationState)               \
  PLAIN(C_Login)                           \
  PLAIN(C_Logout)                          \
  PLAIN(C_CreateObject)                    \
  PLAIN(C_CopyObject)                      \
  PLAIN(C_DestroyObject)                   \
  PLAIN(C_GetObjectSize)                   \
  PLAIN(C_GetAttributeValue)               \
  PLAIN(C_SetAttributeValue)               \
  PLAIN(C_FindObjectsInit)                 \
  PLAIN(C_FindObjects)                     \
  PLAIN(C_FindObjectsFinal)                \
  CUSTOM(C_EncryptInit)                    \
  CUSTOM(C_Encrypt)                        \
  PLAIN(C_EncryptUpdate)                   \
  CUSTOM(C_EncryptFinal)                   \
  CUSTOM(C_DecryptInit)                    \
  CUSTOM(C_Decrypt)                        \
  CUSTOM(C_DecryptUpdate)                  \
  CUSTOM(C_DecryptFinal)                   \
  PLAIN(C_DigestInit)                      \
  PLAIN(C_Digest)                          \
  PLAIN(C_DigestUpdate)                    \
  PLAIN(C_DigestKey)                       \
  PLAIN(C_DigestFinal)                     \
  PLAIN(C_SignInit)                        \
  PLAIN(C_Sign)                            \
  PLAIN(C_SignUpdate)                      \
  PLAIN(C_SignFinal)                       \
  PLAIN(C_SignRecoverInit)                 \
  PLAIN(C_SignRecover)                     \
  PLAIN(C_VerifyInit)                      \
  PLAIN(C_Verify)                          \
  PLAIN(C_VerifyUpdate)                    \
  PLAIN(C_VerifyFinal)                     \
  PLAIN(C_VerifyRecoverInit)               \
  PLAIN(C_VerifyRecover)                   \
  PLAIN(C_DigestEncryptUpdate)             \
  PLAIN(C_DecryptDigestUpdate)             \
  PLAIN(C_SignEncryptUpdate)               \
  PLAIN(C_DecryptVerifyUpdate)             \
  PLAIN(C_GenerateKey)                     \
  PLAIN(C_GenerateKeyPair)                 \
  PLAIN(C_WrapKey)                         \
  PLAIN(C_UnwrapKey)                       \
  PLAIN(C_DeriveKey)                       \
  PLAIN(C_SeedRandom)                      \
  PLAIN(C_GenerateRandom)                  \
  PLAIN(C_GetFunctionStatus)               \
  PLAIN(C_CancelFunction)                  \
  PLAIN(C_WaitForSlotEvent)

namespace ssoc::shim {

#define SSOC_SHIM_ENUM(name) name,
enum class Fn : std::size_t { SSOC_SHIM_FUNCTIONS(SSOC_SHIM_ENUM, SSOC_SHIM_ENUM) kCount };
#undef SSOC_SHIM_ENUM

inline constexpr std::size_t kFunctionCount = static_cast<std::size_t>(Fn::kCount);
static_assert(kFunctionCount == 68, "PKCS#11 v2.40 has 68 functions");

#define SSOC_SHIM_NAME(name) #name,
inline constexpr std::array<std::string_view, kFunctionCount> kFunctionNames{
    SSOC_SHIM_FUNCTIONS(SSOC_SHIM_NAME, SSOC_SHIM_NAME)};
#undef SSOC_SHIM_NAME

}  // namespace ssoc::shim
