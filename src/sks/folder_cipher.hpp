// Seals and opens the settings files of one data folder with its instance key.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "pkcs11/session.hpp"
#include "sks/hsm_cipher.hpp"
#include "sks/instance_key.hpp"

namespace ssoc::sks {

inline constexpr std::string_view kRoleInstance = "instance";
inline constexpr std::string_view kRoleShared = "shared";

class FolderCipher {
 public:
  // The session must outlive the cipher.
  FolderCipher(const pkcs11::Session& session, CK_OBJECT_HANDLE key, KeyRef ref, IvMode mode,
               std::string instance_id)
      : cipher_(session, key, mode), ref_(std::move(ref)), instance_id_(std::move(instance_id)) {}

  // The bytes of an .encp file holding `plaintext` for this role.
  Result<Bytes> seal(std::string_view role, ByteView plaintext) const;

  // The plaintext of an .encp file. IntegrityFailure if the file is malformed, names another key
  // or IV mode than this folder's, or does not decrypt (changed, swapped, other instance).
  Result<SecretBytes> open(std::string_view role, ByteView encp, std::string_view source) const;

 private:
  HsmCipher cipher_;
  KeyRef ref_;
  std::string instance_id_;
};

}  // namespace ssoc::sks
