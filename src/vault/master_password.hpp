// Master passwords (DESIGN.md "Login protocol" step 4): generated on a user's first login, stored
// encrypted under the master-password key (shared settings `master_key`, `master_key_id`).
//
// A master password is 32 random bytes in base64url without padding: 43 ASCII characters of
// A-Z a-z 0-9 - _. It is a SecretBytes holding those characters (the vault client gets exactly
// them, sealed to its key).
//
// Stored form (the users table's encrypted master password), AES-256-GCM:
//
//   offset  size   field
//   0       12     nonce (random, fresh for each seal)
//   12      P      ciphertext of the master password (P = its length, 43)
//   12+P    16     GCM tag
//
// Associated data = "ssoc:mp:v1:" ‖ master_key_id ‖ ":" ‖ user id (UTF-8, no terminator), so a row
// copied to another user, or read with another key or key id, does not decrypt. Key ids may not
// contain ':', which makes the associated data unambiguous whatever the user id holds.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::vault {

inline constexpr std::size_t kMasterPasswordRandomBytes = 32;
inline constexpr std::size_t kMasterPasswordLength = 43;

// A fresh master password: 32 bytes from OpenSSL's DRBG, base64url without padding.
Result<SecretBytes> generate_master_password();

// Seals and opens stored master passwords under one master-password key. Immutable after
// creation; safe to share between threads.
class MasterPasswordCipher {
 public:
  // InvalidSetting unless the key is 32 bytes and the id is non-empty without ':'.
  static Result<MasterPasswordCipher> create(SecretBytes key, std::string key_id);

  // The stored form above, with a fresh random nonce.
  Result<Bytes> seal(const SecretBytes& password, std::string_view user_id) const;

  // IntegrityFailure for anything wrong (truncated, lengthened, any byte changed, another user
  // id, another key or key id); the message names the key id, never the password.
  Result<SecretBytes> open(ByteView stored, std::string_view user_id) const;

  const std::string& key_id() const { return key_id_; }

 private:
  MasterPasswordCipher(SecretBytes key, std::string key_id)
      : key_(std::move(key)), key_id_(std::move(key_id)) {}

  // "ssoc:mp:v1:<key id>:<user id>"
  std::string associated_data(std::string_view user_id) const;

  SecretBytes key_;
  std::string key_id_;
};

}  // namespace ssoc::vault
