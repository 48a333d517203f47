// The real PKCS#11 module the server exposes: loaded with dlopen(), initialised once with
// CKF_OS_LOCKING_OK (all connections use it from their own threads), finalised and unloaded when
// the RealModule goes away.
#pragma once

#include <memory>
#include <string>

#include "pkcs11/cryptoki.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

class RealModule {
 public:
  // `init_args` (may be empty) goes to CK_C_INITIALIZE_ARGS.pReserved, as NSS softokn wants.
  // Null with `error` set on failure.
  static std::unique_ptr<RealModule> load(const std::string& path, const std::string& init_args,
                                          std::string& error);
  ~RealModule();
  RealModule(const RealModule&) = delete;
  RealModule& operator=(const RealModule&) = delete;

  CK_FUNCTION_LIST& functions() const { return *functions_; }

 private:
  RealModule(void* library, CK_FUNCTION_LIST* functions, std::string init_args)
      : library_(library), functions_(functions), init_args_(std::move(init_args)) {}

  void* library_;
  CK_FUNCTION_LIST* functions_;
  std::string init_args_;  // must outlive the module's use of pReserved
};

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
