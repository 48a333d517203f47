// A loaded and initialised PKCS#11 module (move-only RAII): dlopen, C_GetFunctionList,
// C_Initialize with OS locking; C_Finalize on destruction.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "pkcs11/cryptoki.hpp"

namespace ssoc::pkcs11 {

class Module {
 public:
  // Loads the module at `path`. `init_args`, when not empty, is passed in
  // CK_C_INITIALIZE_ARGS.pReserved (NSS softokn reads its database settings from there).
  // ModuleNotFound when the library cannot be loaded or has no C_GetFunctionList; the cause of
  // C_Initialize's CK_RV otherwise (a network module that cannot reach its HSM: HsmUnreachable).
  static Result<Module> load(const std::string& path, const std::string& init_args = {});

  Module(Module&& other) noexcept;
  Module& operator=(Module&& other) noexcept;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  ~Module();

  CK_FUNCTION_LIST* fn() const { return functions_; }
  const std::string& path() const { return path_; }

  Result<CK_INFO> info() const;
  Result<std::vector<CK_SLOT_ID>> slots(bool with_token) const;
  Result<CK_TOKEN_INFO> token_info(CK_SLOT_ID slot) const;
  Result<std::vector<CK_MECHANISM_TYPE>> mechanisms(CK_SLOT_ID slot) const;

 private:
  Module() = default;
  void release() noexcept;

  void* library_ = nullptr;
  CK_FUNCTION_LIST* functions_ = nullptr;
  bool finalize_ = false;  // false when someone else in the process had initialised it
  std::string path_;
};

// A blank-padded PKCS#11 text field (label, serial, manufacturer) without its padding.
std::string trim_field(const unsigned char* field, std::size_t size);

}  // namespace ssoc::pkcs11
