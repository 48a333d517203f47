// Call counters, armed faults and the IV mode of the test shim, the environment variables that
// set them, and the exported ssoc_shim_* control functions (documented in shim.cpp).
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shim.hpp"

namespace ssoc::shim {
namespace {

// Faults are armed by function name, plus this one pseudo-name that hides AES-GCM.
constexpr std::string_view kGcmFaultName = "CKM_AES_GCM";
constexpr std::size_t kGcmFault = kFunctionCount;
constexpr std::size_t kFaultSlots = kFunctionCount + 1;

struct Fault {
  CK_RV rv = CKR_OK;
  int remaining = -1;  // calls left to fail; -1 = every call
};

struct NamedRv {
  std::string_view name;
  CK_RV rv;
};

#define SSOC_SHIM_RV(name) \
  NamedRv {                \
#name, name            \
  }
constexpr std::array kRvNames{
    SSOC_SHIM_RV(CKR_OK),
    SSOC_SHIM_RV(CKR_HOST_MEMORY),
    SSOC_SHIM_RV(CKR_SLOT_ID_INVALID),
    SSOC_SHIM_RV(CKR_GENERAL_ERROR),
    SSOC_SHIM_RV(CKR_FUNCTION_FAILED),
    SSOC_SHIM_RV(CKR_ARGUMENTS_BAD),
    SSOC_SHIM_RV(CKR_CANT_LOCK),
    SSOC_SHIM_RV(CKR_ATTRIBUTE_VALUE_INVALID),
    SSOC_SHIM_RV(CKR_DATA_INVALID),
    SSOC_SHIM_RV(CKR_DATA_LEN_RANGE),
    SSOC_SHIM_RV(CKR_DEVICE_ERROR),
    SSOC_SHIM_RV(CKR_DEVICE_MEMORY),
    SSOC_SHIM_RV(CKR_DEVICE_REMOVED),
    SSOC_SHIM_RV(CKR_ENCRYPTED_DATA_INVALID),
    SSOC_SHIM_RV(CKR_ENCRYPTED_DATA_LEN_RANGE),
    SSOC_SHIM_RV(CKR_FUNCTION_CANCELED),
    SSOC_SHIM_RV(CKR_FUNCTION_NOT_SUPPORTED),
    SSOC_SHIM_RV(CKR_KEY_HANDLE_INVALID),
    SSOC_SHIM_RV(CKR_KEY_TYPE_INCONSISTENT),
    SSOC_SHIM_RV(CKR_MECHANISM_INVALID),
    SSOC_SHIM_RV(CKR_MECHANISM_PARAM_INVALID),
    SSOC_SHIM_RV(CKR_OBJECT_HANDLE_INVALID),
    SSOC_SHIM_RV(CKR_OPERATION_ACTIVE),
    SSOC_SHIM_RV(CKR_OPERATION_NOT_INITIALIZED),
    SSOC_SHIM_RV(CKR_PIN_INCORRECT),
    SSOC_SHIM_RV(CKR_PIN_INVALID),
    SSOC_SHIM_RV(CKR_PIN_LEN_RANGE),
    SSOC_SHIM_RV(CKR_PIN_EXPIRED),
    SSOC_SHIM_RV(CKR_PIN_LOCKED),
    SSOC_SHIM_RV(CKR_SESSION_CLOSED),
    SSOC_SHIM_RV(CKR_SESSION_COUNT),
    SSOC_SHIM_RV(CKR_SESSION_HANDLE_INVALID),
    SSOC_SHIM_RV(CKR_SESSION_READ_ONLY),
    SSOC_SHIM_RV(CKR_TEMPLATE_INCOMPLETE),
    SSOC_SHIM_RV(CKR_TEMPLATE_INCONSISTENT),
    SSOC_SHIM_RV(CKR_TOKEN_NOT_PRESENT),
    SSOC_SHIM_RV(CKR_TOKEN_NOT_RECOGNIZED),
    SSOC_SHIM_RV(CKR_TOKEN_WRITE_PROTECTED),
    SSOC_SHIM_RV(CKR_USER_ALREADY_LOGGED_IN),
    SSOC_SHIM_RV(CKR_USER_NOT_LOGGED_IN),
    SSOC_SHIM_RV(CKR_USER_PIN_NOT_INITIALIZED),
    SSOC_SHIM_RV(CKR_USER_TYPE_INVALID),
    SSOC_SHIM_RV(CKR_RANDOM_NO_RNG),
    SSOC_SHIM_RV(CKR_BUFFER_TOO_SMALL),
    SSOC_SHIM_RV(CKR_CRYPTOKI_NOT_INITIALIZED),
    SSOC_SHIM_RV(CKR_CRYPTOKI_ALREADY_INITIALIZED),
};
#undef SSOC_SHIM_RV

std::array<std::atomic<unsigned long>, kFunctionCount> g_counts{};

std::mutex g_mutex;  // guards everything below
std::array<std::optional<Fault>, kFaultSlots> g_faults;
IvMode g_mode = IvMode::kCaller;
bool g_mode_chosen = false;  // by ssoc_shim_set_iv_mode() since the last reset

std::optional<std::size_t> fault_slot(std::string_view name) {
  if (name == kGcmFaultName) return kGcmFault;
  for (std::size_t i = 0; i < kFunctionCount; ++i) {
    if (kFunctionNames[i] == name) return i;
  }
  return std::nullopt;
}

std::optional<CK_RV> parse_rv(const std::string& text) {
  for (const NamedRv& named : kRvNames) {
    if (named.name == text) return named.rv;
  }
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long value = std::strtoul(text.c_str(), &end, 0);
  if (errno != 0 || *end != '\0' || text.front() == '-') return std::nullopt;
  return value;
}

std::optional<IvMode> parse_mode(std::string_view text) {
  if (text == "caller") return IvMode::kCaller;
  if (text == "luna-fips") return IvMode::kLunaFips;
  if (text == "cloudhsm") return IvMode::kCloudHsm;
  return std::nullopt;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// "C_Login=CKR_PIN_INCORRECT,C_OpenSession=0x30" -> (slot, rv) pairs; nullopt if malformed.
std::optional<std::vector<std::pair<std::size_t, CK_RV>>> parse_fail_env(std::string_view text) {
  std::vector<std::pair<std::size_t, CK_RV>> faults;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    if (item.empty()) continue;
    const auto equals = item.find('=');
    const std::string_view name = trim(item.substr(0, equals));
    const std::optional<std::size_t> slot = fault_slot(name);
    const std::optional<CK_RV> rv = equals == std::string_view::npos
                                        ? std::nullopt
                                        : parse_rv(std::string(trim(item.substr(equals + 1))));
    if (!slot || !rv) {
      std::fprintf(stderr,
                   "ssoc_pkcs11_shim: SSOC_SHIM_FAIL entry '%.*s' is not FUNCTION=RV (a C_ "
                   "function or CKM_AES_GCM, and a CKR_ name or a number)\n",
                   static_cast<int>(item.size()), item.data());
      return std::nullopt;
    }
    faults.emplace_back(*slot, *rv);
  }
  return faults;
}

// The mode named by SSOC_SHIM_IV; caller when unset; nullopt (with a message) if unknown.
std::optional<IvMode> env_mode() {
  const char* text = std::getenv("SSOC_SHIM_IV");
  if (text == nullptr || *text == '\0') return IvMode::kCaller;
  const std::optional<IvMode> mode = parse_mode(text);
  if (!mode) {
    std::fprintf(
        stderr, "ssoc_pkcs11_shim: SSOC_SHIM_IV '%s' is not caller, luna-fips or cloudhsm\n", text);
  }
  return mode;
}

[[noreturn]] void misuse(const char* what, const char* value) {
  std::fprintf(stderr, "ssoc_pkcs11_shim: %s: unknown '%s' (a bug in the test)\n", what,
               value == nullptr ? "(null)" : value);
  std::abort();
}

std::size_t slot_or_abort(const char* what, const char* name) {
  const std::optional<std::size_t> slot =
      name == nullptr ? std::nullopt : fault_slot(std::string_view(name));
  if (!slot) misuse(what, name);
  return *slot;
}

}  // namespace

void count_call(Fn fn) {
  g_counts[static_cast<std::size_t>(fn)].fetch_add(1);
}

std::optional<CK_RV> take_fault(Fn fn) {
  const std::lock_guard lock(g_mutex);
  std::optional<Fault>& fault = g_faults[static_cast<std::size_t>(fn)];
  if (!fault) return std::nullopt;
  const CK_RV rv = fault->rv;
  if (fault->remaining > 0 && --fault->remaining == 0) fault.reset();
  return rv;
}

bool gcm_hidden() {
  const std::lock_guard lock(g_mutex);
  return g_faults[kGcmFault].has_value();
}

IvMode iv_mode() {
  const std::lock_guard lock(g_mutex);
  return g_mode;
}

bool apply_initialize_env() {
  const char* fail_text = std::getenv("SSOC_SHIM_FAIL");
  const auto faults = parse_fail_env(fail_text == nullptr ? "" : fail_text);
  if (!faults) return false;

  const std::lock_guard lock(g_mutex);
  if (!g_mode_chosen && std::getenv("SSOC_SHIM_IV") != nullptr) {
    const std::optional<IvMode> mode = env_mode();
    if (!mode) return false;
    g_mode = *mode;
  }
  for (const auto& [slot, rv] : *faults) g_faults[slot] = Fault{rv, -1};
  return true;
}

void write_counts_file() {
  const char* path = std::getenv("SSOC_SHIM_COUNTS");
  if (path == nullptr || *path == '\0') return;
  std::FILE* file = std::fopen(path, "w");
  if (file == nullptr) {
    std::fprintf(stderr, "ssoc_pkcs11_shim: cannot write SSOC_SHIM_COUNTS %s\n", path);
    return;
  }
  for (std::size_t i = 0; i < kFunctionCount; ++i) {
    const unsigned long count = g_counts[i].load();
    if (count != 0) {
      std::fprintf(file, "%.*s %lu\n", static_cast<int>(kFunctionNames[i].size()),
                   kFunctionNames[i].data(), count);
    }
  }
  if (std::fclose(file) != 0) {
    std::fprintf(stderr, "ssoc_pkcs11_shim: cannot write SSOC_SHIM_COUNTS %s\n", path);
  }
}

}  // namespace ssoc::shim

using namespace ssoc::shim;

extern "C" __attribute__((visibility("default"))) void ssoc_shim_reset(void) {
  for (auto& count : g_counts) count.store(0);
  const IvMode mode = env_mode().value_or(IvMode::kCaller);
  const std::lock_guard lock(g_mutex);
  g_faults.fill(std::nullopt);
  g_mode = mode;
  g_mode_chosen = false;
}

extern "C" __attribute__((visibility("default"))) unsigned long ssoc_shim_count(const char* fn) {
  const std::size_t slot = slot_or_abort("ssoc_shim_count", fn);
  if (slot >= kFunctionCount) misuse("ssoc_shim_count (not a function)", fn);
  return g_counts[slot].load();
}

extern "C" __attribute__((visibility("default"))) void ssoc_shim_fail(const char* fn,
                                                                      unsigned long rv, int times) {
  const std::size_t slot = slot_or_abort("ssoc_shim_fail", fn);
  const std::lock_guard lock(g_mutex);
  if (times == 0) {
    g_faults[slot].reset();
  } else {
    g_faults[slot] = Fault{rv, times < 0 ? -1 : times};
  }
}

extern "C" __attribute__((visibility("default"))) void ssoc_shim_set_iv_mode(const char* mode) {
  const std::optional<IvMode> parsed =
      mode == nullptr ? std::nullopt : parse_mode(std::string_view(mode));
  if (!parsed) misuse("ssoc_shim_set_iv_mode", mode);
  const std::lock_guard lock(g_mutex);
  g_mode = *parsed;
  g_mode_chosen = true;
}
