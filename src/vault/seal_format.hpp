// The pieces of the seal wire format (see client_key.hpp) that both sides share: the version
// bytes and sizes, the X25519 shared secret, the HKDF step and the OAEP parameters. Internal to
// the vault part.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"
#include "vault/aes_gcm.hpp"

namespace ssoc::vault::seal_format {

inline constexpr std::uint8_t kX25519Version = 0x01;
inline constexpr std::uint8_t kRsaVersion = 0x02;
inline constexpr std::size_t kX25519KeySize = 32;
// version ‖ epk ‖ nonce, then ciphertext ‖ tag.
inline constexpr std::size_t kX25519Header = 1 + kX25519KeySize + kGcmNonceSize;
inline constexpr std::string_view kHkdfInfo = "ssoc-seal-v1";

// The raw 32-byte public key of an X25519 key (public or private).
Result<Bytes> raw_x25519_public(EVP_PKEY* key);

// X25519(own private key, peer public key). InvalidInput if the result is all zero (the peer
// key is a low-order point), Internal if OpenSSL fails otherwise.
Result<SecretBytes> x25519_shared_secret(EVP_PKEY* own, EVP_PKEY* peer);

// k = HKDF-SHA256(ikm = shared, salt = epk ‖ client public key, info = "ssoc-seal-v1"), 32 bytes.
Result<SecretBytes> seal_key(const SecretBytes& shared, ByteView epk, ByteView client_public);

// An EVP_PKEY_CTX for RSA-OAEP(SHA-256, MGF1-SHA-256, empty label), ready to encrypt or decrypt.
Result<ossl::PkeyCtx> oaep_context(EVP_PKEY* key, bool encrypt);

}  // namespace ssoc::vault::seal_format
