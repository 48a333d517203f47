// Public keys for the tests, made with raw OpenSSL calls: generated ones of any type, and RSA
// public keys with a random modulus of an exact size (no private key, so no slow key generation:
// enough for the checks, which only read n and e, and for sealing).
#pragma once

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "reference_seal.hpp"

namespace ssoc::vault::test_keys {

using reference::Pkey;
using reference::PkeyCtx;

struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const { OSSL_PARAM_free(p); }
};

inline Bytes spki_of(const Pkey& key) {
  EXPECT_TRUE(key != nullptr);
  return reference::spki_der(key.get());
}

// A fresh key of `type`; `group` for EC, `rsa_bits` for RSA and RSA-PSS.
inline Pkey keygen(const char* type, const char* group = nullptr, std::size_t rsa_bits = 0) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  bool ok = ctx && EVP_PKEY_keygen_init(ctx.get()) == 1;
  if (ok && group != nullptr) ok = EVP_PKEY_CTX_set_group_name(ctx.get(), group) == 1;
  if (ok && rsa_bits != 0)
    ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(rsa_bits)) == 1;
  ok = ok && EVP_PKEY_keygen(ctx.get(), &key) == 1;
  EXPECT_TRUE(ok) << "generating a " << type << " key";
  return Pkey(key);
}

// An RSA public key with a random modulus of exactly `bits` bits (no private key needed: the
// checks only read n and e). `odd` false makes the modulus even; `exponent_bits` > 0 replaces e
// by a random odd exponent of exactly that many bits.
inline Bytes synthetic_rsa(int bits, BN_ULONG e = 65537, bool odd = true, int exponent_bits = 0) {
  std::unique_ptr<BIGNUM, BnFree> n(BN_new()), exponent(BN_new());
  EXPECT_EQ(BN_rand(n.get(), bits, BN_RAND_TOP_ONE, odd ? BN_RAND_BOTTOM_ODD : BN_RAND_BOTTOM_ANY),
            1);
  if (!odd) BN_clear_bit(n.get(), 0);
  if (exponent_bits > 0) {
    EXPECT_EQ(BN_rand(exponent.get(), exponent_bits, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD), 1);
  } else {
    EXPECT_EQ(BN_set_word(exponent.get(), e), 1);
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> build(OSSL_PARAM_BLD_new());
  EXPECT_EQ(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, n.get()), 1);
  EXPECT_EQ(OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()), 1);
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(build.get()));
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* key = nullptr;
  EXPECT_EQ(EVP_PKEY_fromdata_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()), 1);
  return spki_of(Pkey(key));
}

}  // namespace ssoc::vault::test_keys
