// libssoc_nethsm_client.so: a test-only PKCS#11 v2.40 module that forwards calls to
// ssoc_nethsm_server over a Unix socket, so that tests can use a "network HSM" they can cut off
// (kill the server) or make hang (SIGSTOP it). The wire protocol is described in
// ../common/protocol.hpp.
//
// Configuration (read at C_Initialize):
//   CK_C_INITIALIZE_ARGS.pReserved = "socket=/path/to/sock[ timeout_ms=N]", or, when pReserved
//   is NULL (or there are no init args), the environment:
//     SSOC_NETHSM_SOCKET      the server's socket (required)
//     SSOC_NETHSM_TIMEOUT_MS  deadline of each call in milliseconds (default 5000)
//     SSOC_NETHSM_DEBUG=1     one stderr line each time the connection is lost
//   A missing socket or a malformed value: C_Initialize returns CKR_ARGUMENTS_BAD and says why
//   on stderr. Mutex callbacks without CKF_OS_LOCKING_OK: CKR_CANT_LOCK.
//
// Behaviour, like a network HSM client whose appliance may go away:
//   - C_Initialize does not connect; each call connects if not connected. If the server cannot
//     be reached, or does not answer before the deadline, the call returns CKR_DEVICE_ERROR and
//     the connection is closed (C_GetSlotList included). A connection the server closed between
//     two calls is replaced before the next call is sent.
//   - Sessions die with their connection: after a reconnect, their handles give
//     CKR_SESSION_HANDLE_INVALID. Object handles are the real module's and pass through.
//   - Calls are serialised (one request in flight); the module is thread-safe.
//   - C_Finalize closes the connection; the server closes its sessions and keeps the real module
//     initialised for other clients. All clients of one server share the real module's login
//     state (they are one application to it); a client that reconnects finds its old sessions
//     closed, so it starts logged out unless another client is logged in.
//   - C_CloseAllSessions closes only this client's sessions on the slot.
//   - C_OpenSession's application pointer and notify callback are not forwarded.
//
// Forwarded: C_Initialize, C_Finalize, C_GetInfo, C_GetSlotList, C_GetSlotInfo, C_GetTokenInfo,
// C_GetMechanismList, C_GetMechanismInfo, C_OpenSession, C_CloseSession, C_CloseAllSessions,
// C_GetSessionInfo, C_Login, C_Logout, C_CreateObject, C_DestroyObject, C_GetAttributeValue,
// C_SetAttributeValue, C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal, C_EncryptInit,
// C_Encrypt, C_DecryptInit, C_Decrypt, C_GenerateKey, C_GenerateRandom. Every other function
// returns CKR_FUNCTION_NOT_SUPPORTED.
//
// Limits: data, outputs and attribute values up to about 32 MiB per call (larger:
// CKR_DEVICE_MEMORY); nested templates (CKA_WRAP_TEMPLATE, ...) with a value:
// CKR_ATTRIBUTE_TYPE_INVALID; mechanism parameters with pointers other than CK_GCM_PARAMS
// (CKM_RSA_PKCS_OAEP, CKM_AES_CCM): CKR_MECHANISM_PARAM_INVALID.
#include "entry_points.hpp"

namespace ssoc::nethsm {
namespace {

#pragma GCC visibility push(hidden)

// A function of any CK_FUNCTION_LIST signature that returns CKR_FUNCTION_NOT_SUPPORTED.
template <class Pointer>
struct Unsupported;
template <class... Args>
struct Unsupported<CK_RV (*)(Args...)> {
  static CK_RV call(Args...) { return CKR_FUNCTION_NOT_SUPPORTED; }
};
#define NETHSM_UNSUPPORTED(name) &Unsupported<decltype(CK_FUNCTION_LIST::name)>::call

CK_RV GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list);

// Designated initialisers in struct order: the compiler checks that none is missed or swapped.
CK_FUNCTION_LIST function_list = {
    .version = {2, 40},
    .C_Initialize = entry::Initialize,
    .C_Finalize = entry::Finalize,
    .C_GetInfo = entry::GetInfo,
    .C_GetFunctionList = GetFunctionList,
    .C_GetSlotList = entry::GetSlotList,
    .C_GetSlotInfo = entry::GetSlotInfo,
    .C_GetTokenInfo = entry::GetTokenInfo,
    .C_GetMechanismList = entry::GetMechanismList,
    .C_GetMechanismInfo = entry::GetMechanismInfo,
    .C_InitToken = NETHSM_UNSUPPORTED(C_InitToken),
    .C_InitPIN = NETHSM_UNSUPPORTED(C_InitPIN),
    .C_SetPIN = NETHSM_UNSUPPORTED(C_SetPIN),
    .C_OpenSession = entry::OpenSession,
    .C_CloseSession = entry::CloseSession,
    .C_CloseAllSessions = entry::CloseAllSessions,
    .C_GetSessionInfo = entry::GetSessionInfo,
    .C_GetOperationState = NETHSM_UNSUPPORTED(C_GetOperationState),
    .C_SetOperationState = NETHSM_UNSUPPORTED(C_SetOperationState),
    .C_Login = entry::Login,
    .C_Logout = entry::Logout,
    .C_CreateObject = entry::CreateObject,
    .C_CopyObject = NETHSM_UNSUPPORTED(C_CopyObject),
    .C_DestroyObject = entry::DestroyObject,
    .C_GetObjectSize = NETHSM_UNSUPPORTED(C_GetObjectSize),
    .C_GetAttributeValue = entry::GetAttributeValue,
    .C_SetAttributeValue = entry::SetAttributeValue,
    .C_FindObjectsInit = entry::FindObjectsInit,
    .C_FindObjects = entry::FindObjects,
    .C_FindObjectsFinal = entry::FindObjectsFinal,
    .C_EncryptInit = entry::EncryptInit,
    .C_Encrypt = entry::Encrypt,
    .C_EncryptUpdate = NETHSM_UNSUPPORTED(C_EncryptUpdate),
    .C_EncryptFinal = NETHSM_UNSUPPORTED(C_EncryptFinal),
    .C_DecryptInit = entry::DecryptInit,
    .C_Decrypt = entry::Decrypt,
    .C_DecryptUpdate = NETHSM_UNSUPPORTED(C_DecryptUpdate),
    .C_DecryptFinal = NETHSM_UNSUPPORTED(C_DecryptFinal),
    .C_DigestInit = NETHSM_UNSUPPORTED(C_DigestInit),
    .C_Digest = NETHSM_UNSUPPORTED(C_Digest),
    .C_DigestUpdate = NETHSM_UNSUPPORTED(C_DigestUpdate),
    .C_DigestKey = NETHSM_UNSUPPORTED(C_DigestKey),
    .C_DigestFinal = NETHSM_UNSUPPORTED(C_DigestFinal),
    .C_SignInit = NETHSM_UNSUPPORTED(C_SignInit),
    .C_Sign = NETHSM_UNSUPPORTED(C_Sign),
    .C_SignUpdate = NETHSM_UNSUPPORTED(C_SignUpdate),
    .C_SignFinal = NETHSM_UNSUPPORTED(C_SignFinal),
    .C_SignRecoverInit = NETHSM_UNSUPPORTED(C_SignRecoverInit),
    .C_SignRecover = NETHSM_UNSUPPORTED(C_SignRecover),
    .C_VerifyInit = NETHSM_UNSUPPORTED(C_VerifyInit),
    .C_Verify = NETHSM_UNSUPPORTED(C_Verify),
    .C_VerifyUpdate = NETHSM_UNSUPPORTED(C_VerifyUpdate),
    .C_VerifyFinal = NETHSM_UNSUPPORTED(C_VerifyFinal),
    .C_VerifyRecoverInit = NETHSM_UNSUPPORTED(C_VerifyRecoverInit),
    .C_VerifyRecover = NETHSM_UNSUPPORTED(C_VerifyRecover),
    .C_DigestEncryptUpdate = NETHSM_UNSUPPORTED(C_DigestEncryptUpdate),
    .C_DecryptDigestUpdate = NETHSM_UNSUPPORTED(C_DecryptDigestUpdate),
    .C_SignEncryptUpdate = NETHSM_UNSUPPORTED(C_SignEncryptUpdate),
    .C_DecryptVerifyUpdate = NETHSM_UNSUPPORTED(C_DecryptVerifyUpdate),
    .C_GenerateKey = entry::GenerateKey,
    .C_GenerateKeyPair = NETHSM_UNSUPPORTED(C_GenerateKeyPair),
    .C_WrapKey = NETHSM_UNSUPPORTED(C_WrapKey),
    .C_UnwrapKey = NETHSM_UNSUPPORTED(C_UnwrapKey),
    .C_DeriveKey = NETHSM_UNSUPPORTED(C_DeriveKey),
    .C_SeedRandom = NETHSM_UNSUPPORTED(C_SeedRandom),
    .C_GenerateRandom = entry::GenerateRandom,
    .C_GetFunctionStatus = NETHSM_UNSUPPORTED(C_GetFunctionStatus),
    .C_CancelFunction = NETHSM_UNSUPPORTED(C_CancelFunction),
    .C_WaitForSlotEvent = NETHSM_UNSUPPORTED(C_WaitForSlotEvent),
};

#undef NETHSM_UNSUPPORTED

CK_RV GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (list == nullptr) return CKR_ARGUMENTS_BAD;
  *list = &function_list;
  return CKR_OK;
}

#pragma GCC visibility pop

}  // namespace
}  // namespace ssoc::nethsm

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(
    CK_FUNCTION_LIST_PTR_PTR list) {
  return ssoc::nethsm::GetFunctionList(list);
}
