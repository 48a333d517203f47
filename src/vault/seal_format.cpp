#include "vault/seal_format.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

namespace ssoc::vault::seal_format {
namespace {

using Kdf = std::unique_ptr<EVP_KDF, ossl::Deleter<EVP_KDF_free>>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, ossl::Deleter<EVP_KDF_CTX_free>>;

// Fetched once (thread-safe static initialisation); each derivation gets its own context.
const EVP_KDF* hkdf() {
  static const Kdf kdf(EVP_KDF_fetch(nullptr, OSSL_KDF_NAME_HKDF, nullptr));
  return kdf.get();
}

Error openssl_failure(const std::string& what) {
  return fail(Cause::Internal, what + " failed (" + ossl::last_error() + ")");
}

// OSSL_PARAM takes non-const pointers, but OpenSSL only reads input octet strings.
OSSL_PARAM octets(const char* name, ByteView data) {
  return OSSL_PARAM_construct_octet_string(name, const_cast<std::uint8_t*>(data.data()),
                                           data.size());
}

}  // namespace

Result<Bytes> raw_x25519_public(EVP_PKEY* key) {
  Bytes raw(kX25519KeySize);
  std::size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &length) != 1 || length != kX25519KeySize)
    return openssl_failure("reading the raw X25519 public key");
  return raw;
}

Result<SecretBytes> x25519_shared_secret(EVP_PKEY* own, EVP_PKEY* peer) {
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own, nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1)
    return openssl_failure("starting the X25519 key agreement");
  if (EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 0) != 1)
    return openssl_failure("setting the X25519 peer key");
  SecretBytes shared(kX25519KeySize);
  std::size_t length = shared.size();
  // OpenSSL refuses to return the all-zero result of a low-order peer point.
  if (EVP_PKEY_derive(ctx.get(), shared.data(), &length) != 1 || length != kX25519KeySize) {
    ERR_clear_error();
    return fail(Cause::InvalidInput,
                "the X25519 key agreement gave no shared secret (the public key is a low-order "
                "point); the vault client must make a new key pair");
  }
  return shared;
}

Result<SecretBytes> seal_key(const SecretBytes& shared, ByteView epk, ByteView client_public) {
  const EVP_KDF* kdf = hkdf();
  if (kdf == nullptr) return openssl_failure("fetching HKDF");
  KdfCtx ctx(EVP_KDF_CTX_new(const_cast<EVP_KDF*>(kdf)));
  if (!ctx) return openssl_failure("allocating an HKDF context");
  Bytes salt(epk.begin(), epk.end());
  salt.insert(salt.end(), client_public.begin(), client_public.end());
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      octets(OSSL_KDF_PARAM_KEY, shared),
      octets(OSSL_KDF_PARAM_SALT, salt),
      octets(OSSL_KDF_PARAM_INFO, as_bytes(kHkdfInfo)),
      OSSL_PARAM_construct_end(),
  };
  SecretBytes key(kAesKeySize);
  if (EVP_KDF_derive(ctx.get(), key.data(), key.size(), params) != 1)
    return openssl_failure("HKDF-SHA256");
  return key;
}

Result<ossl::PkeyCtx> oaep_context(EVP_PKEY* key, bool encrypt) {
  ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx) return openssl_failure("allocating an RSA context");
  if ((encrypt ? EVP_PKEY_encrypt_init(ctx.get()) : EVP_PKEY_decrypt_init(ctx.get())) != 1)
    return openssl_failure("starting RSA-OAEP");
  char padding[] = OSSL_PKEY_RSA_PAD_MODE_OAEP;
  char digest[] = "SHA256";
  char mgf1_digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_PAD_MODE, padding, 0),
      OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_OAEP_DIGEST, digest, 0),
      OSSL_PARAM_construct_utf8_string(OSSL_ASYM_CIPHER_PARAM_MGF1_DIGEST, mgf1_digest, 0),
      OSSL_PARAM_construct_end(),
  };
  // No label parameter: the label is empty.
  if (EVP_PKEY_CTX_set_params(ctx.get(), params) != 1)
    return openssl_failure("setting the RSA-OAEP parameters");
  return ctx;
}

}  // namespace ssoc::vault::seal_format
