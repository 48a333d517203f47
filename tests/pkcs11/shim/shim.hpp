// Internal interface of the test shim module (see shim.cpp for what it does and how tests drive
// it). Nothing here is exported from the shared library.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include "function_table.hpp"
#include "pkcs11/cryptoki.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::shim {

// --- The wrapped module (shim.cpp) -------------------------------------------------------------

// The real module's function list, or nullptr while it is not loaded.
CK_FUNCTION_LIST* target();

// Loads the module named by SSOC_SHIM_TARGET (default SoftHSM2) if none is loaded yet
// (kKeepLoaded, for C_GetFunctionList) or if the variable names another one (kFollowEnv, for
// C_Initialize). False, with a message on stderr, if it cannot be loaded.
enum class TargetChoice { kKeepLoaded, kFollowEnv };
bool load_target(TargetChoice choice);

// Calls the real module's function `Member` (e.g. &CK_FUNCTION_LIST::C_Encrypt) directly:
// not counted, no fault, no vendor behaviour.
template <auto Member, typename... Args>
CK_RV target_call(Args&&... args) {
  CK_FUNCTION_LIST* list = target();
  if (list == nullptr) return CKR_CRYPTOKI_NOT_INITIALIZED;
  return (list->*Member)(std::forward<Args>(args)...);
}

// --- Counters, faults and the IV mode (controls.cpp) -------------------------------------------

enum class IvMode { kCaller, kLunaFips, kCloudHsm };

void count_call(Fn fn);

// The armed return value of `fn`, consuming one use of a fault armed for a number of calls.
std::optional<CK_RV> take_fault(Fn fn);

// True while a fault is armed under the name "CKM_AES_GCM": the token then offers no AES-GCM.
bool gcm_hidden();

IvMode iv_mode();

// At C_Initialize: SSOC_SHIM_IV (unless ssoc_shim_set_iv_mode() chose the mode since the last
// reset) and SSOC_SHIM_FAIL. False, with a message on stderr, if either is malformed.
bool apply_initialize_env();

// At C_Finalize: the non-zero counters to the file named by SSOC_SHIM_COUNTS, if set.
void write_counts_file();

// --- Vendor GCM behaviour and per-session state (gcm_vendor.cpp) --------------------------------

// Drops every session's state (after C_Finalize).
void forget_all_sessions();

// The functions marked CUSTOM in function_table.hpp, with the same signatures as in
// CK_FUNCTION_LIST. They run after the call was counted and no fault was armed for it.
namespace custom {
#define SSOC_SHIM_IGNORE(name)
#define SSOC_SHIM_DECLARE(name) std::remove_pointer_t<CK_##name> name;
SSOC_SHIM_FUNCTIONS(SSOC_SHIM_IGNORE, SSOC_SHIM_DECLARE)
#undef SSOC_SHIM_DECLARE
#undef SSOC_SHIM_IGNORE
}  // namespace custom

}  // namespace ssoc::shim

#pragma GCC visibility pop
