// The vault client's one-time key and the seal of a master password to it (DESIGN.md "Login
// protocol" steps 1 and 5).
//
// The client sends its public key as /sso/login?key=<base64url, no padding, of a DER
// SubjectPublicKeyInfo>. Accepted: X25519 (RFC 8410, no parameters) and rsaEncryption keys of
// 2048 to 8192 bits (odd modulus; odd public exponent > 1 of at most 64 bits). At most 2048 bytes
// of DER, exactly one SubjectPublicKeyInfo in canonical DER (nothing may follow it).
//
// The sealed password (the token's "password" field) is base64url without padding of:
//
//   X25519 client key:
//     offset  size   field
//     0       1      version 0x01
//     1       32     epk: a fresh ephemeral X25519 public key (raw)
//     33      12     nonce (random)
//     45      P      AES-256-GCM ciphertext of the master password (P = 43)
//     45+P    16     GCM tag
//   k = HKDF-SHA256(ikm  = X25519(esk, client key),
//                   salt = epk ‖ client public key (both raw, 32 bytes each),
//                   info = "ssoc-seal-v1", length 32);
//   AES-256-GCM under k with associated data = the session id (its bytes, no terminator).
//
//   RSA client key:
//     0       1      version 0x02
//     1       M      RSA-OAEP(SHA-256, MGF1-SHA-256, empty label) of the master password,
//                    M = the modulus size in bytes.
//   The RSA seal does not carry the session id (DESIGN.md fixes an empty label).
#pragma once

#include <string>
#include <string_view>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::vault {

inline constexpr std::size_t kMaxClientKeyDer = 2048;
inline constexpr int kMinRsaBits = 2048;
inline constexpr int kMaxRsaBits = 8192;

// The client's public key, checked. Immutable; seal() may be called from several threads.
class ClientPublicKey {
 public:
  enum class Kind { X25519, Rsa };

  // InvalidInput, saying which rule is broken, for: empty, not base64url without padding, more
  // than 2 KiB of DER, not a single canonical DER SubjectPublicKeyInfo (trailing bytes refused),
  // a key type other than X25519 and RSA (EC P-256, Ed25519, X448, RSA-PSS, DSA...), RSA under
  // 2048 or over 8192 bits, an even modulus or an unusable public exponent.
  static Result<ClientPublicKey> from_base64url(std::string_view text);
  static Result<ClientPublicKey> from_spki_der(ByteView der);

  Kind kind() const { return kind_; }
  const Bytes& spki_der() const { return spki_der_; }

  // The wire format above. InvalidInput if the X25519 key is a low-order point (no shared
  // secret) or the password is too long for the RSA key; Internal if OpenSSL fails.
  Result<std::string> seal(const SecretBytes& password, std::string_view session_id) const;

 private:
  ClientPublicKey(ossl::Pkey key, Kind kind, Bytes spki_der, Bytes raw_x25519)
      : key_(std::move(key)),
        kind_(kind),
        spki_der_(std::move(spki_der)),
        raw_x25519_(std::move(raw_x25519)) {}

  Result<std::string> seal_x25519(const SecretBytes& password, std::string_view session_id) const;
  Result<std::string> seal_rsa(const SecretBytes& password) const;

  ossl::Pkey key_;
  Kind kind_;
  Bytes spki_der_;
  Bytes raw_x25519_;  // the raw 32-byte public key, for the HKDF salt (X25519 only)
};

// The client's side (the reference client `ssoconnect login`): a one-time key pair whose private
// key never leaves the object (OpenSSL wipes it when the pair dies).
class ClientKeyPair {
 public:
  using Kind = ClientPublicKey::Kind;

  static Result<ClientKeyPair> generate_x25519();
  // InvalidInput unless 2048 <= bits <= 8192.
  static Result<ClientKeyPair> generate_rsa(int bits = 3072);

  Kind kind() const { return kind_; }
  Bytes public_spki_der() const { return spki_der_; }
  std::string public_base64url() const;

  // Opens a seal made by ClientPublicKey::seal for this key pair's public key. IntegrityFailure
  // for anything wrong: not base64url, truncated, lengthened, tampered, an unknown version byte
  // or the other kind's, sealed to another key, or (X25519) another session id.
  Result<SecretBytes> open(std::string_view sealed, std::string_view session_id) const;

 private:
  ClientKeyPair(ossl::Pkey key, Kind kind, Bytes spki_der, Bytes raw_x25519)
      : key_(std::move(key)),
        kind_(kind),
        spki_der_(std::move(spki_der)),
        raw_x25519_(std::move(raw_x25519)) {}

  static Result<ClientKeyPair> from_generated(ossl::Pkey key, Kind kind);
  Result<SecretBytes> open_x25519(ByteView sealed, std::string_view session_id) const;
  Result<SecretBytes> open_rsa(ByteView sealed) const;

  ossl::Pkey key_;
  Kind kind_;
  Bytes spki_der_;
  Bytes raw_x25519_;
};

}  // namespace ssoc::vault
