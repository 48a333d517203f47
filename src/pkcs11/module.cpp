#include "pkcs11/module.hpp"

#include <dlfcn.h>

#include <utility>

#include "pkcs11/rv.hpp"

namespace ssoc::pkcs11 {

Result<Module> Module::load(const std::string& path, const std::string& init_args) {
  Module module;
  module.path_ = path;
  // RTLD_NODELETE: some modules (NSS) misbehave when unloaded and reloaded in one process, and
  // their code must stay mapped for leak reports to name them.
  module.library_ = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (module.library_ == nullptr) {
    const char* why = ::dlerror();
    return fail(Cause::ModuleNotFound, "the PKCS#11 library " + path + " cannot be loaded (" +
                                           (why ? why : "no detail") + ")");
  }
  auto get_list =
      reinterpret_cast<CK_C_GetFunctionList>(::dlsym(module.library_, "C_GetFunctionList"));
  if (get_list == nullptr)
    return fail(Cause::ModuleNotFound, path + " is not a PKCS#11 library (no C_GetFunctionList)");
  TRY(check(get_list(&module.functions_), "C_GetFunctionList"));
  if (module.functions_ == nullptr)
    return fail(Cause::ModuleNotFound, path + " returned no PKCS#11 function list");

  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  // The module copies what it needs during C_Initialize; init_args outlives the call.
  args.pReserved = init_args.empty() ? nullptr : const_cast<char*>(init_args.c_str());
  CK_RV rv = module.functions_->C_Initialize(&args);
  if (rv == CKR_CRYPTOKI_ALREADY_INITIALIZED) return module;
  TRY(check(rv, "C_Initialize"));
  module.finalize_ = true;
  return module;
}

Module::Module(Module&& other) noexcept
    : library_(std::exchange(other.library_, nullptr)),
      functions_(std::exchange(other.functions_, nullptr)),
      finalize_(std::exchange(other.finalize_, false)),
      path_(std::move(other.path_)) {}

Module& Module::operator=(Module&& other) noexcept {
  if (this != &other) {
    release();
    library_ = std::exchange(other.library_, nullptr);
    functions_ = std::exchange(other.functions_, nullptr);
    finalize_ = std::exchange(other.finalize_, false);
    path_ = std::move(other.path_);
  }
  return *this;
}

Module::~Module() {
  release();
}

void Module::release() noexcept {
  if (functions_ != nullptr && finalize_) functions_->C_Finalize(nullptr);
  if (library_ != nullptr) ::dlclose(library_);
  functions_ = nullptr;
  library_ = nullptr;
  finalize_ = false;
}

Result<CK_INFO> Module::info() const {
  CK_INFO info{};
  TRY(check(functions_->C_GetInfo(&info), "C_GetInfo"));
  return info;
}

Result<std::vector<CK_SLOT_ID>> Module::slots(bool with_token) const {
  CK_ULONG count = 0;
  TRY(check(functions_->C_GetSlotList(with_token ? CK_TRUE : CK_FALSE, nullptr, &count),
            "C_GetSlotList"));
  std::vector<CK_SLOT_ID> slots(count);
  if (count > 0)
    TRY(check(functions_->C_GetSlotList(with_token ? CK_TRUE : CK_FALSE, slots.data(), &count),
              "C_GetSlotList"));
  slots.resize(count);
  return slots;
}

Result<CK_TOKEN_INFO> Module::token_info(CK_SLOT_ID slot) const {
  CK_TOKEN_INFO info{};
  TRY(check(functions_->C_GetTokenInfo(slot, &info), "C_GetTokenInfo"));
  return info;
}

Result<std::vector<CK_MECHANISM_TYPE>> Module::mechanisms(CK_SLOT_ID slot) const {
  CK_ULONG count = 0;
  TRY(check(functions_->C_GetMechanismList(slot, nullptr, &count), "C_GetMechanismList"));
  std::vector<CK_MECHANISM_TYPE> list(count);
  if (count > 0)
    TRY(check(functions_->C_GetMechanismList(slot, list.data(), &count), "C_GetMechanismList"));
  list.resize(count);
  return list;
}

std::string trim_field(const unsigned char* field, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(field), size);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

}  // namespace ssoc::pkcs11
