// The password protection of Sun's Java KeyStore (JKS), as sun.security.provider.JavaKeyStore
// and sun.security.provider.KeyProtector implement it. Both use the password as Java holds it:
// each UTF-16 code unit as two bytes, big-endian, with no terminator.
//
// Integrity check: the last 20 bytes of the file are
//   SHA-1(password ‖ "Mighty Aphrodite" (UTF-8) ‖ every byte of the file before them).
//
// Private keys: an EncryptedPrivateKeyInfo (algorithm OID 1.3.6.1.4.1.42.2.17.1.1) whose
// encryptedData is  salt (20 bytes) ‖ ciphertext ‖ check (20 bytes), where
//   keystream = D1 ‖ D2 ‖ …  with D1 = SHA-1(password ‖ salt), Dn+1 = SHA-1(password ‖ Dn),
//   plaintext = ciphertext XOR keystream (a DER PKCS#8 PrivateKeyInfo),
//   check     = SHA-1(password ‖ plaintext).
#pragma once

#include <cstddef>
#include <optional>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::keystore::jks {

inline constexpr std::size_t kDigestSize = 20;  // SHA-1
inline constexpr const char* kKeyProtectorOid = "1.3.6.1.4.1.42.2.17.1.1";

// The password (UTF-8) as JKS uses it, UTF-16BE; nullopt if it is not valid UTF-8.
std::optional<SecretBytes> java_password(ByteView utf8);

// True if `digest` is the integrity check of `body` (the file without its last 20 bytes) under
// `java_password`, compared in constant time. Internal if OpenSSL's SHA-1 fails.
Result<bool> integrity_matches(ByteView java_password, ByteView body, ByteView digest);

// The plaintext of a KeyProtector encryptedData, or nullopt if its check fails (another
// password, or damage). Refuses nothing else: the caller checks the size is at least 40 bytes.
// Internal if OpenSSL's SHA-1 fails.
Result<std::optional<SecretBytes>> unprotect_key(ByteView java_password, ByteView encrypted_data);

}  // namespace ssoc::keystore::jks
