// The checks on the key a vault client sends with /sso/login?key=... (DESIGN.md step 1): what is
// accepted, and a clear InvalidInput for everything else.
#include <gtest/gtest.h>
#include <openssl/dsa.h>

#include "common/encoding.hpp"
#include "reference_seal.hpp"
#include "test_keys.hpp"
#include "vault/client_key.hpp"

namespace ssoc::vault {
namespace {

using reference::Pkey;
using reference::PkeyCtx;
using test_keys::keygen;
using test_keys::spki_of;
using test_keys::synthetic_rsa;

const Bytes& x25519_spki() {
  static const Bytes der = spki_of(keygen("X25519"));
  return der;
}

const Bytes& rsa2048_spki() {
  static const Bytes der = spki_of(keygen("RSA", nullptr, 2048));
  return der;
}

void expect_refused(const Result<ClientPublicKey>& parsed, const std::string& says) {
  ASSERT_FALSE(parsed.ok()) << says;
  EXPECT_EQ(parsed.error().cause, Cause::InvalidInput) << says;
  EXPECT_NE(parsed.error().message.find(says), std::string::npos) << parsed.error().message;
  // Every refusal says what the vault client must send instead.
  EXPECT_NE(parsed.error().message.find("X25519 or RSA (2048 to 8192 bits)"), std::string::npos)
      << parsed.error().message;
}

TEST(ClientPublicKey, AcceptsAnX25519Key) {
  auto parsed = ClientPublicKey::from_spki_der(x25519_spki());
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->kind(), ClientPublicKey::Kind::X25519);
  EXPECT_EQ(parsed->spki_der(), x25519_spki());
}

TEST(ClientPublicKey, AcceptsAnRsa2048KeyInBase64url) {
  auto parsed = ClientPublicKey::from_base64url(base64url_encode(rsa2048_spki()));
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->kind(), ClientPublicKey::Kind::Rsa);
  EXPECT_EQ(parsed->spki_der(), rsa2048_spki());
}

TEST(ClientPublicKey, AcceptsRsaModuliOfExactly2048And8192Bits) {
  for (int bits : {2048, 4096, 8192}) {
    auto parsed = ClientPublicKey::from_spki_der(synthetic_rsa(bits));
    ASSERT_TRUE(parsed.ok()) << bits << ": " << parsed.error().describe();
    EXPECT_EQ(parsed->kind(), ClientPublicKey::Kind::Rsa);
  }
}

TEST(ClientPublicKey, RefusesRsa1024) {
  expect_refused(ClientPublicKey::from_spki_der(spki_of(keygen("RSA", nullptr, 1024))),
                 "RSA key of 1024 bits, under the minimum of 2048");
}

TEST(ClientPublicKey, RefusesRsaJustOutsideTheBitRange) {
  expect_refused(ClientPublicKey::from_spki_der(synthetic_rsa(2047)), "2047 bits, under");
  expect_refused(ClientPublicKey::from_spki_der(synthetic_rsa(8193)), "8193 bits, over");
}

TEST(ClientPublicKey, RefusesAnEvenModulusAndUnusableExponents) {
  expect_refused(ClientPublicKey::from_spki_der(synthetic_rsa(2048, 65537, false)), "even modulus");
  expect_refused(ClientPublicKey::from_spki_der(synthetic_rsa(2048, 1)), "public exponent");
  expect_refused(ClientPublicKey::from_spki_der(synthetic_rsa(2048, 65536)), "public exponent");
  expect_refused(ClientPublicKey::from_spki_der(synthetic_rsa(4096, 0, true, 65)),
                 "public exponent");
  EXPECT_TRUE(ClientPublicKey::from_spki_der(synthetic_rsa(4096, 0, true, 64)).ok());
  EXPECT_TRUE(ClientPublicKey::from_spki_der(synthetic_rsa(2048, 3)).ok());
}

TEST(ClientPublicKey, RefusesEcP256) {
  expect_refused(ClientPublicKey::from_spki_der(spki_of(keygen("EC", "P-256"))),
                 "type EC (id-ecPublicKey)");
}

TEST(ClientPublicKey, RefusesEd25519AndX448) {
  expect_refused(ClientPublicKey::from_spki_der(spki_of(keygen("ED25519"))), "type ED25519");
  expect_refused(ClientPublicKey::from_spki_der(spki_of(keygen("X448"))), "type X448");
}

TEST(ClientPublicKey, RefusesRsaPss) {
  expect_refused(ClientPublicKey::from_spki_der(spki_of(keygen("RSA-PSS", nullptr, 2048))),
                 "type RSA-PSS");
}

TEST(ClientPublicKey, RefusesDsa) {
  PkeyCtx params_ctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr));
  EVP_PKEY* params = nullptr;
  ASSERT_EQ(EVP_PKEY_paramgen_init(params_ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_CTX_set_dsa_paramgen_bits(params_ctx.get(), 1024), 1);
  ASSERT_EQ(EVP_PKEY_paramgen(params_ctx.get(), &params), 1);
  Pkey owned_params(params);
  PkeyCtx key_ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, params, nullptr));
  EVP_PKEY* key = nullptr;
  ASSERT_EQ(EVP_PKEY_keygen_init(key_ctx.get()), 1);
  ASSERT_EQ(EVP_PKEY_keygen(key_ctx.get(), &key), 1);
  expect_refused(ClientPublicKey::from_spki_der(spki_of(Pkey(key))), "type DSA");
}

TEST(ClientPublicKey, RefusesAnUnknownAlgorithm) {
  // SEQUENCE { SEQUENCE { OID 1.2.3.4 }, BIT STRING (32 bytes) }
  Bytes der = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2a, 0x03, 0x04, 0x03, 0x21, 0x00};
  der.resize(der.size() + 32, 0x11);
  expect_refused(ClientPublicKey::from_spki_der(der), "1.2.3.4");
}

TEST(ClientPublicKey, RefusesTrailingBytes) {
  Bytes der = x25519_spki();
  der.push_back(0x00);
  expect_refused(ClientPublicKey::from_spki_der(der), "1 bytes after its SubjectPublicKeyInfo");
  Bytes two = x25519_spki();
  two.insert(two.end(), x25519_spki().begin(), x25519_spki().end());
  expect_refused(ClientPublicKey::from_base64url(base64url_encode(two)), "bytes after");
}

TEST(ClientPublicKey, RefusesLengthsThatAreNotDer) {
  // The outer length 0x2a written in the long form 0x81 0x2a: valid BER, not DER.
  Bytes der = x25519_spki();
  ASSERT_EQ(der[1], 0x2a);
  der.insert(der.begin() + 1, 0x81);
  expect_refused(ClientPublicKey::from_spki_der(der), "canonical DER");
}

TEST(ClientPublicKey, RefusesATruncatedKey) {
  const Bytes& der = x25519_spki();
  for (std::size_t n = 1; n < der.size(); ++n)
    expect_refused(ClientPublicKey::from_spki_der(ByteView(der).first(n)), "the client key");
}

TEST(ClientPublicKey, RefusesBytesThatAreNotASubjectPublicKeyInfo) {
  expect_refused(ClientPublicKey::from_spki_der(Bytes(44, 0x30)), "not a DER SubjectPublicKeyInfo");
  expect_refused(ClientPublicKey::from_base64url("aGVsbG8gd29ybGQ"), "not a DER");
}

TEST(ClientPublicKey, RefusesMoreThan2KiBOfDer) {
  Bytes big = synthetic_rsa(16384);
  ASSERT_GT(big.size(), 2048u);
  expect_refused(ClientPublicKey::from_spki_der(big), "over the maximum of 2048");
  expect_refused(ClientPublicKey::from_base64url(base64url_encode(big)), "longer than 2048");
  expect_refused(ClientPublicKey::from_spki_der(Bytes(2049, 0x30)), "2049 bytes of DER");
}

TEST(ClientPublicKey, RefusesEmpty) {
  expect_refused(ClientPublicKey::from_spki_der({}), "is empty");
  expect_refused(ClientPublicKey::from_base64url(""), "is empty");
}

TEST(ClientPublicKey, RefusesTextThatIsNotBase64urlWithoutPadding) {
  const Bytes& der = x25519_spki();
  ASSERT_TRUE(ClientPublicKey::from_base64url(base64url_encode(der)).ok());
  // The standard alphabet with its padding: 44 bytes need one '='.
  std::string standard = base64_encode(der);
  ASSERT_EQ(standard.back(), '=');
  expect_refused(ClientPublicKey::from_base64url(standard), "not base64url");
  for (std::string bad :
       {base64url_encode(der) + " ", base64url_encode(der) + "\n", base64url_encode(der) + "AA",
        std::string("%2B") + base64url_encode(der), std::string("!!!!")})
    expect_refused(ClientPublicKey::from_base64url(bad), "not base64url");
}

}  // namespace
}  // namespace ssoc::vault
