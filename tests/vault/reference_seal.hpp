// DESIGN.md "Login protocol" step 5 written again from its text with raw OpenSSL calls
// (EVP_PKEY_derive, the EVP_PKEY_CTX HKDF, EVP AES-GCM), independently of src/vault, so that a
// mistake in the wire format shows in the tests instead of cancelling out in a round trip.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/encoding.hpp"
#include "common/secret.hpp"

namespace ssoc::vault::reference {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

inline Pkey generate(const char* type) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1)
    ADD_FAILURE() << "keygen " << type;
  return Pkey(key);
}

inline Bytes spki_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int n = i2d_PUBKEY(key, &der);
  Bytes out(der, der + (n > 0 ? n : 0));
  OPENSSL_free(der);
  return out;
}

inline Bytes raw_public(EVP_PKEY* key) {
  Bytes raw(32);
  std::size_t n = raw.size();
  EXPECT_EQ(EVP_PKEY_get_raw_public_key(key, raw.data(), &n), 1);
  EXPECT_EQ(n, 32u);
  return raw;
}

inline std::optional<Bytes> x25519(EVP_PKEY* own, EVP_PKEY* peer) {
  PkeyCtx ctx(EVP_PKEY_CTX_new(own, nullptr));
  Bytes shared(32);
  std::size_t n = shared.size();
  if (EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer) != 1 ||
      EVP_PKEY_derive(ctx.get(), shared.data(), &n) != 1 || n != 32)
    return std::nullopt;
  return shared;
}

// k = HKDF-SHA256(ikm, salt = epk || client public key, info = "ssoc-seal-v1", 32 bytes)
inline Bytes hkdf_sha256(const Bytes& ikm, const Bytes& epk, const Bytes& client_public) {
  Bytes salt = epk;
  salt.insert(salt.end(), client_public.begin(), client_public.end());
  const std::string info = "ssoc-seal-v1";
  PkeyCtx ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr));
  Bytes k(32);
  std::size_t n = k.size();
  EXPECT_EQ(EVP_PKEY_derive_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), ikm.data(), static_cast<int>(ikm.size())), 1);
  EXPECT_EQ(EVP_PKEY_CTX_set1_hkdf_salt(ctx.get(), salt.data(), static_cast<int>(salt.size())), 1);
  EXPECT_EQ(
      EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), reinterpret_cast<const unsigned char*>(info.data()),
                                  static_cast<int>(info.size())),
      1);
  EXPECT_EQ(EVP_PKEY_derive(ctx.get(), k.data(), &n), 1);
  EXPECT_EQ(n, 32u);
  return k;
}

// AES-256-GCM; returns ciphertext || tag (encrypt) or the plaintext (decrypt, nullopt on a bad
// tag).
inline std::optional<Bytes> aes_256_gcm(bool encrypt, const Bytes& key, const Bytes& nonce,
                                        std::string_view ad, Bytes input) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  Bytes tag(16);
  if (!encrypt) {
    if (input.size() < 16) return std::nullopt;
    tag.assign(input.end() - 16, input.end());
    input.resize(input.size() - 16);
  }
  Bytes out(input.size() + 16);
  int n = 0, m = 0;
  EXPECT_EQ(EVP_CipherInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr, encrypt), 1);
  EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr), 1);
  EXPECT_EQ(EVP_CipherInit_ex(ctx.get(), nullptr, nullptr, key.data(), nonce.data(), encrypt), 1);
  EXPECT_EQ(
      EVP_CipherUpdate(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(ad.data()),
                       static_cast<int>(ad.size())),
      1);
  EXPECT_EQ(
      EVP_CipherUpdate(ctx.get(), out.data(), &n, input.data(), static_cast<int>(input.size())), 1);
  if (!encrypt) {
    EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data()), 1);
  }
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + n, &m) != 1) return std::nullopt;
  out.resize(static_cast<std::size_t>(n + m));
  if (encrypt) {
    EXPECT_EQ(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data()), 1);
    out.insert(out.end(), tag.begin(), tag.end());
  }
  return out;
}

// Opens `sealed` (the token's password field) with the client's X25519 private key.
inline std::optional<Bytes> open_x25519(EVP_PKEY* client, std::string_view sealed,
                                        std::string_view session_id) {
  auto decoded = base64url_decode(sealed);
  if (!decoded || decoded->size() < 1 + 32 + 12 + 16 || (*decoded)[0] != 0x01) return std::nullopt;
  Bytes data(decoded->begin(), decoded->end());
  Bytes epk(data.begin() + 1, data.begin() + 33);
  Bytes nonce(data.begin() + 33, data.begin() + 45);
  Bytes rest(data.begin() + 45, data.end());
  Pkey peer(EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, epk.data(), epk.size()));
  auto shared = x25519(client, peer.get());
  if (!shared) return std::nullopt;
  Bytes k = hkdf_sha256(*shared, epk, raw_public(client));
  return aes_256_gcm(false, k, nonce, session_id, rest);
}

// Seals `password` to the client's X25519 public key.
inline std::string seal_x25519(EVP_PKEY* client, std::string_view password,
                               std::string_view session_id) {
  Pkey ephemeral = generate("X25519");
  Bytes epk = raw_public(ephemeral.get());
  Bytes k = hkdf_sha256(x25519(ephemeral.get(), client).value(), epk, raw_public(client));
  Bytes nonce(12);
  EXPECT_EQ(RAND_bytes(nonce.data(), 12), 1);
  Bytes sealed{0x01};
  sealed.insert(sealed.end(), epk.begin(), epk.end());
  sealed.insert(sealed.end(), nonce.begin(), nonce.end());
  Bytes body =
      aes_256_gcm(true, k, nonce, session_id, Bytes(password.begin(), password.end())).value();
  sealed.insert(sealed.end(), body.begin(), body.end());
  return base64url_encode(sealed);
}

}  // namespace ssoc::vault::reference
