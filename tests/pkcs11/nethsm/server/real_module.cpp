#include "real_module.hpp"

#include <dlfcn.h>

#include <cstdio>

namespace ssoc::nethsm {

std::unique_ptr<RealModule> RealModule::load(const std::string& path, const std::string& init_args,
                                             std::string& error) {
  // RTLD_NODELETE: leak reports from the module keep its name (tests/lsan.supp matches on it).
  void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (library == nullptr) {
    const char* why = ::dlerror();
    error = "cannot load the PKCS#11 module " + path + ": " + (why ? why : "unknown error");
    return nullptr;
  }
  auto get_function_list =
      reinterpret_cast<CK_C_GetFunctionList>(::dlsym(library, "C_GetFunctionList"));
  CK_FUNCTION_LIST* functions = nullptr;
  if (get_function_list == nullptr || get_function_list(&functions) != CKR_OK ||
      functions == nullptr) {
    error = path + " is not a PKCS#11 module (no C_GetFunctionList)";
    ::dlclose(library);
    return nullptr;
  }
  std::unique_ptr<RealModule> module(new RealModule(library, functions, init_args));
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  args.pReserved = module->init_args_.empty() ? nullptr : module->init_args_.data();
  const CK_RV rv = functions->C_Initialize(&args);
  if (rv != CKR_OK) {
    error = "C_Initialize of " + path + " failed with rv 0x" + [rv] {
      char hex[32];
      std::snprintf(hex, sizeof hex, "%lx", static_cast<unsigned long>(rv));
      return std::string(hex);
    }();
    module->functions_ = nullptr;  // nothing to finalise
    return nullptr;
  }
  return module;
}

RealModule::~RealModule() {
  if (functions_ != nullptr) functions_->C_Finalize(nullptr);
  ::dlclose(library_);
}

}  // namespace ssoc::nethsm
