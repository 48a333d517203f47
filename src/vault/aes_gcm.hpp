// AES-256-GCM in software (OpenSSL), the one AEAD of the vault: a 32-byte key, a 12-byte nonce and
// a 16-byte tag. Used for the stored master passwords and for the X25519 seal (DESIGN.md "Login
// protocol" steps 4 and 5). Internal to the vault part.
#pragma once

#include <cstddef>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::vault {

inline constexpr std::size_t kAesKeySize = 32;
inline constexpr std::size_t kGcmNonceSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;

// Appends ciphertext ‖ tag (plaintext.size() + 16 bytes) to `out`. InvalidInput for a key or
// nonce of the wrong size, Internal if OpenSSL fails.
Result<void> aes_gcm_seal(ByteView key, ByteView nonce, ByteView associated_data,
                          ByteView plaintext, Bytes& out);

// Opens ciphertext ‖ tag. IntegrityFailure (with a generic message the callers replace) if it is
// shorter than a tag or does not authenticate; InvalidInput for a key or nonce of the wrong size,
// Internal if OpenSSL fails.
Result<SecretBytes> aes_gcm_open(ByteView key, ByteView nonce, ByteView associated_data,
                                 ByteView ciphertext_and_tag);

}  // namespace ssoc::vault
