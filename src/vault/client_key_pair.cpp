// ClientKeyPair: the vault client's one-time key pair and the opening of a seal.
#include "vault/client_key.hpp"

#include <openssl/err.h>
#include <openssl/x509.h>

#include "common/encoding.hpp"
#include "vault/seal_format.hpp"

namespace ssoc::vault {
namespace {

// One message for every way a seal can be wrong, so that the failure tells an attacker nothing.
Error not_sealed_to_us() {
  ERR_clear_error();
  return fail(Cause::IntegrityFailure,
              "the sealed master password does not open with this login's key and session; it "
              "was changed, cut, or made for another login: start the login again");
}

Result<Bytes> spki_of(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  if (length <= 0)
    return fail(Cause::Internal,
                "encoding the client public key failed (" + ossl::last_error() + ")");
  Bytes out(der, der + length);
  OPENSSL_free(der);
  return out;
}

}  // namespace

Result<ClientKeyPair> ClientKeyPair::from_generated(ossl::Pkey key, Kind kind) {
  if (!key)
    return fail(Cause::Internal,
                "generating the client key pair failed (" + ossl::last_error() + ")");
  Bytes spki = TRY(spki_of(key.get()));
  Bytes raw;
  if (kind == Kind::X25519) raw = TRY(seal_format::raw_x25519_public(key.get()));
  return ClientKeyPair(std::move(key), kind, std::move(spki), std::move(raw));
}

Result<ClientKeyPair> ClientKeyPair::generate_x25519() {
  return from_generated(ossl::Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519")), Kind::X25519);
}

Result<ClientKeyPair> ClientKeyPair::generate_rsa(int bits) {
  if (bits < kMinRsaBits || bits > kMaxRsaBits)
    return fail(Cause::InvalidInput, "an RSA client key must have " + std::to_string(kMinRsaBits) +
                                         " to " + std::to_string(kMaxRsaBits) + " bits, not " +
                                         std::to_string(bits));
  return from_generated(
      ossl::Pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(bits))),
      Kind::Rsa);
}

std::string ClientKeyPair::public_base64url() const {
  return base64url_encode(spki_der_);
}

Result<SecretBytes> ClientKeyPair::open(std::string_view sealed,
                                        std::string_view session_id) const {
  std::optional<SecretBytes> bytes = base64url_decode(sealed);
  if (!bytes || bytes->empty()) return not_sealed_to_us();
  if (kind_ == Kind::X25519) {
    if ((*bytes)[0] != seal_format::kX25519Version) return not_sealed_to_us();
    return open_x25519(*bytes, session_id);
  }
  if ((*bytes)[0] != seal_format::kRsaVersion) return not_sealed_to_us();
  return open_rsa(*bytes);
}

Result<SecretBytes> ClientKeyPair::open_x25519(ByteView sealed, std::string_view session_id) const {
  if (sealed.size() < seal_format::kX25519Header + kGcmTagSize) return not_sealed_to_us();
  ByteView epk = sealed.subspan(1, seal_format::kX25519KeySize);
  ByteView nonce = sealed.subspan(1 + seal_format::kX25519KeySize, kGcmNonceSize);
  ByteView ciphertext = sealed.subspan(seal_format::kX25519Header);

  ossl::Pkey peer(
      EVP_PKEY_new_raw_public_key_ex(nullptr, "X25519", nullptr, epk.data(), epk.size()));
  if (!peer) return not_sealed_to_us();
  auto shared = seal_format::x25519_shared_secret(key_.get(), peer.get());
  if (!shared) return not_sealed_to_us();
  SecretBytes k = TRY(seal_format::seal_key(*shared, epk, raw_x25519_));
  auto opened = aes_gcm_open(k, nonce, as_bytes(session_id), ciphertext);
  if (!opened) {
    if (opened.error().cause == Cause::IntegrityFailure) return not_sealed_to_us();
    return std::move(opened).error();
  }
  return std::move(opened).value();
}

Result<SecretBytes> ClientKeyPair::open_rsa(ByteView sealed) const {
  ByteView ciphertext = sealed.subspan(1);
  const auto modulus_bytes = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
  if (ciphertext.size() != modulus_bytes) return not_sealed_to_us();
  ossl::PkeyCtx ctx = TRY(seal_format::oaep_context(key_.get(), false));
  SecretBytes plaintext(modulus_bytes);
  std::size_t length = plaintext.size();
  if (EVP_PKEY_decrypt(ctx.get(), plaintext.data(), &length, ciphertext.data(),
                       ciphertext.size()) != 1)
    return not_sealed_to_us();
  plaintext.resize(length);
  return plaintext;
}

}  // namespace ssoc::vault
