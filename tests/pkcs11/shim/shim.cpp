// libssoc_pkcs11_shim.so: a test-only PKCS#11 v2.40 module that wraps a real one (SoftHSM2) to
// count calls, inject faults and imitate how vendors handle the AES-GCM IV.
//
// Every function of the module's CK_FUNCTION_LIST is counted, then returns an armed fault if
// there is one, else is forwarded to the real module (with the vendor behaviour below). Calls the
// shim makes on its own (C_GenerateRandom for an IV, ...) go straight to the real module.
//
// Environment, read by the module:
//   SSOC_SHIM_TARGET  the real module (default /usr/lib/softhsm/libsofthsm2.so), loaded at the
//                     first C_GetFunctionList or C_Initialize; a C_Initialize that finds it
//                     changed switches to the new module (finalize the old one first).
//   SSOC_SHIM_IV      IV mode, applied at each C_Initialize unless ssoc_shim_set_iv_mode() chose
//                     one since the last reset: "caller" (default), "luna-fips" or "cloudhsm".
//   SSOC_SHIM_FAIL    faults armed for every call at each C_Initialize, e.g.
//                     "C_Login=CKR_PIN_INCORRECT,C_OpenSession=CKR_DEVICE_ERROR"; a value is a
//                     CKR_ name or a number ("0x30"). The name CKM_AES_GCM hides AES-GCM.
//   SSOC_SHIM_COUNTS  if set, C_Finalize writes the non-zero counters to this file, one
//                     "C_Xxx N" line each (overwriting it).
// A malformed SSOC_SHIM_IV or SSOC_SHIM_FAIL makes C_Initialize return CKR_GENERAL_ERROR, with
// the reason on stderr.
//
// Control functions, for a test that dlopen()s this same file (it gets the loaded instance):
//   void ssoc_shim_reset(void);
//       zero all counters, disarm all faults, take the IV mode from SSOC_SHIM_IV again.
//   unsigned long ssoc_shim_count(const char* fn);
//       calls of fn (e.g. "C_Decrypt") since the last reset.
//   void ssoc_shim_fail(const char* fn, unsigned long rv, int times);
//       the next `times` calls of fn return rv without reaching the real module; -1 = every
//       call, 0 = disarm. fn "CKM_AES_GCM" (any rv, never used up) makes a token without
//       AES-GCM: C_GetMechanismList leaves it out, and C_GetMechanismInfo, C_EncryptInit and
//       C_DecryptInit with it return CKR_MECHANISM_INVALID.
//   void ssoc_shim_set_iv_mode(const char* mode);
//       "caller", "luna-fips" or "cloudhsm"; kept until the next reset.
// An unknown function name or mode is a bug in the test: the control functions print it and
// abort().
//
// IV modes (they change CKM_AES_GCM only; the mode is looked at by C_EncryptInit/C_DecryptInit):
//   caller     everything passes through.
//   luna-fips  (Thales Luna in FIPS mode) C_EncryptInit ignores the caller's IV and uses 16
//              random bytes; C_Encrypt/C_EncryptFinal return ciphertext || tag || IV(16).
//              C_DecryptInit only records key, AAD and tag length; C_Decrypt/C_DecryptFinal take
//              the IV from the last 16 bytes of the input (shorter than 16 + tag bytes:
//              CKR_ENCRYPTED_DATA_LEN_RANGE). C_DecryptUpdate buffers and returns no output.
//   cloudhsm   (AWS CloudHSM) C_EncryptInit requires a 12-byte pIv, fills it with 12 random bytes
//              and encrypts with them; decryption passes through.
// C_GetInfo reports the library description "SSO Connect test shim".
#include "shim.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>

namespace ssoc::shim {
namespace {

constexpr const char* kDefaultTarget = "/usr/lib/softhsm/libsofthsm2.so";
constexpr std::string_view kLibraryDescription = "SSO Connect test shim";

std::mutex g_load_mutex;
std::atomic<CK_FUNCTION_LIST*> g_target{nullptr};
std::string g_target_path;  // guarded by g_load_mutex

template <typename T>
struct MemberType;
template <typename Class, typename T>
struct MemberType<T Class::*> {
  using type = T;
};

// The shim's entry for function `id`: count, fault, then the custom behaviour `Custom` or, when
// it is nullptr, the real module's `Member`. The signature is taken from CK_FUNCTION_LIST.
template <Fn id, auto Member, auto Custom,
          typename Signature = typename MemberType<decltype(Member)>::type>
struct Wrapper;

template <Fn id, auto Member, auto Custom, typename... Args>
struct Wrapper<id, Member, Custom, CK_RV (*)(Args...)> {
  static CK_RV call(Args... args) {
    count_call(id);
    const CK_RV rv = dispatch(args...);
    if constexpr (id == Fn::C_Finalize) write_counts_file();
    return rv;
  }

 private:
  static CK_RV dispatch(Args... args) {
    if constexpr (id == Fn::C_Initialize) {
      // Before the fault check, so that SSOC_SHIM_FAIL can name C_Initialize itself.
      if (!load_target(TargetChoice::kFollowEnv) || !apply_initialize_env()) {
        return CKR_GENERAL_ERROR;
      }
    }
    if (const std::optional<CK_RV> fault = take_fault(id)) return *fault;
    if constexpr (std::is_null_pointer_v<decltype(Custom)>) {
      return target_call<Member>(args...);
    } else {
      return Custom(args...);
    }
  }
};

#define SSOC_SHIM_PLAIN(name) .name = &Wrapper<Fn::name, &CK_FUNCTION_LIST::name, nullptr>::call,
#define SSOC_SHIM_CUSTOM(name) \
  .name = &Wrapper<Fn::name, &CK_FUNCTION_LIST::name, &custom::name>::call,

// Designated initializers must follow the struct's order, GCC's -Wmissing-field-initializers
// (in -Wextra) reports a member left out, and the struct holds exactly the 68 function pointers.
static_assert(sizeof(CK_FUNCTION_LIST) ==
              offsetof(CK_FUNCTION_LIST, C_Initialize) + kFunctionCount * sizeof(CK_C_Initialize));
CK_FUNCTION_LIST g_functions{.version = {2, 40},
                             SSOC_SHIM_FUNCTIONS(SSOC_SHIM_PLAIN, SSOC_SHIM_CUSTOM)};

#undef SSOC_SHIM_PLAIN
#undef SSOC_SHIM_CUSTOM

}  // namespace

CK_FUNCTION_LIST* target() {
  return g_target.load();
}

bool load_target(TargetChoice choice) {
  const char* env_path = std::getenv("SSOC_SHIM_TARGET");
  const std::string path = env_path == nullptr || *env_path == '\0' ? kDefaultTarget : env_path;
  const std::lock_guard lock(g_load_mutex);
  if (g_target.load() != nullptr) {
    if (choice == TargetChoice::kKeepLoaded || path == g_target_path) return true;
  }

  // Never dlclose()d: a module unloaded while another thread still calls it would crash the
  // test, and a switched-from module stays loaded for the same reason.
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    std::fprintf(stderr, "ssoc_pkcs11_shim: cannot load SSOC_SHIM_TARGET %s: %s\n", path.c_str(),
                 dlerror());
    return false;
  }
  const auto get_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(library, "C_GetFunctionList"));
  CK_FUNCTION_LIST* list = nullptr;
  if (get_list == nullptr || get_list(&list) != CKR_OK || list == nullptr) {
    std::fprintf(stderr, "ssoc_pkcs11_shim: %s has no usable C_GetFunctionList\n", path.c_str());
    dlclose(library);
    return false;
  }
  if (g_target.load() != nullptr) forget_all_sessions();  // they belonged to the previous module
  g_target.store(list);
  g_target_path = path;
  return true;
}

namespace custom {

CK_RV C_Initialize(CK_VOID_PTR init_args) {
  return target_call<&CK_FUNCTION_LIST::C_Initialize>(init_args);
}

CK_RV C_Finalize(CK_VOID_PTR reserved) {
  const CK_RV rv = target_call<&CK_FUNCTION_LIST::C_Finalize>(reserved);
  if (rv == CKR_OK) forget_all_sessions();
  return rv;
}

CK_RV C_GetInfo(CK_INFO_PTR info) {
  const CK_RV rv = target_call<&CK_FUNCTION_LIST::C_GetInfo>(info);
  if (rv == CKR_OK && info != nullptr) {
    std::memset(info->libraryDescription, ' ', sizeof(info->libraryDescription));
    std::copy(kLibraryDescription.begin(), kLibraryDescription.end(), info->libraryDescription);
  }
  return rv;
}

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list) {
  if (list == nullptr) return CKR_ARGUMENTS_BAD;
  if (!load_target(TargetChoice::kKeepLoaded)) return CKR_GENERAL_ERROR;
  *list = &g_functions;
  return CKR_OK;
}

}  // namespace custom
}  // namespace ssoc::shim

extern "C" __attribute__((visibility("default"))) CK_RV C_GetFunctionList(
    CK_FUNCTION_LIST_PTR_PTR list) {
  return ssoc::shim::g_functions.C_GetFunctionList(list);
}
