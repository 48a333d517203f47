// The one checking path for PKCS#11 return values (as Botan's pkcs11 module does): every C_*
// call's CK_RV goes through check(), which turns a failure into an Error carrying the code, its
// name and the DESIGN.md cause it stands for.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "pkcs11/cryptoki.hpp"

namespace ssoc::pkcs11 {

// "CKR_PIN_INCORRECT", or "CKR_0x80000123" for a value this table does not know (vendor codes).
std::string rv_name(CK_RV rv);

// The DESIGN.md cause a failed call stands for, whatever the function:
//   device/token/session/initialisation errors -> HsmUnreachable
//   CKR_PIN_INCORRECT / _INVALID / _LEN_RANGE -> PinIncorrect; CKR_PIN_LOCKED / _EXPIRED ->
//   PinLocked CKR_MECHANISM_INVALID / _PARAM_INVALID -> AlgorithmUnsupported CKR_KEY_HANDLE_INVALID
//   / CKR_OBJECT_HANDLE_INVALID -> KeyMissing CKR_ENCRYPTED_DATA_INVALID / _LEN_RANGE ->
//   IntegrityFailure anything else -> HsmError
Cause cause_of(CK_RV rv);

// True for the return values that say the token cannot be reached (cause HsmUnreachable).
bool means_unreachable(CK_RV rv);

// True for the return values after which only C_Finalize and a new C_Initialize can help: the
// module lost its link to the HSM (CKR_DEVICE_ERROR: a network module whose server is gone), its
// sessions (CKR_SESSION_HANDLE_INVALID: the HSM or its client restarted), its initialisation
// (CKR_CRYPTOKI_NOT_INITIALIZED) or the token (CKR_TOKEN_NOT_PRESENT: a partition or HA member
// that went away). sks::HsmConnection re-initialises the module and tries again after these.
bool needs_reinitialize(CK_RV rv);

// OK for CKR_OK; otherwise an Error "<function> returned <CKR name>" with ck_rv set.
Result<void> check(CK_RV rv, std::string_view function);

}  // namespace ssoc::pkcs11
