// The master password sealed to the vault client's key (DESIGN.md "Login protocol" step 5):
// the exact wire layout, checked against independent implementations (raw OpenSSL calls for
// X25519, the openssl command for RSA-OAEP), and every way a seal can be wrong.
#include <gtest/gtest.h>

#include <fstream>

#include "common/encoding.hpp"
#include "reference_seal.hpp"
#include "support/test_env.hpp"
#include "test_keys.hpp"
#include "vault/client_key.hpp"
#include "vault/master_password.hpp"

namespace ssoc::vault {
namespace {

using test::run_command;
using test::TempDir;

constexpr std::string_view kSession = "8f14e45fceea167a5a36dedd4bea2543";

const SecretBytes& the_password() {
  static const SecretBytes mp = generate_master_password().value();
  return mp;
}

const ClientKeyPair& x25519_pair() {
  static const ClientKeyPair pair = ClientKeyPair::generate_x25519().value();
  return pair;
}

const ClientKeyPair& rsa_pair() {
  static const ClientKeyPair pair = ClientKeyPair::generate_rsa(2048).value();
  return pair;
}

ClientPublicKey public_key_of(const ClientKeyPair& pair) {
  auto key = ClientPublicKey::from_base64url(pair.public_base64url());
  EXPECT_TRUE(key.ok()) << key.error().describe();
  return std::move(key).value();
}

std::string seal_to(const ClientKeyPair& pair, std::string_view session = kSession) {
  auto sealed = public_key_of(pair).seal(the_password(), session);
  EXPECT_TRUE(sealed.ok()) << sealed.error().describe();
  return std::move(sealed).value();
}

Bytes decoded(std::string_view text) {
  auto bytes = base64url_decode(text);
  EXPECT_TRUE(bytes.has_value()) << text;
  return bytes ? Bytes(bytes->begin(), bytes->end()) : Bytes{};
}

void expect_refused(const ClientKeyPair& pair, std::string_view sealed, const std::string& what,
                    std::string_view session = kSession) {
  auto opened = pair.open(sealed, session);
  ASSERT_FALSE(opened.ok()) << what;
  EXPECT_EQ(opened.error().cause, Cause::IntegrityFailure) << what;
  EXPECT_NE(opened.error().message.find("start the login again"), std::string::npos);
}

void write_file(const test::fs::path& path, ByteView data) {
  test::write_all(path, data);
}

// ---- X25519 ----

TEST(X25519Seal, RoundTripsThroughTheClientKeyPair) {
  auto opened = x25519_pair().open(seal_to(x25519_pair()), kSession);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, the_password());
}

TEST(X25519Seal, HasTheDesignLayoutAndOpensWithAnIndependentImplementation) {
  reference::Pkey client = reference::generate("X25519");
  auto key = ClientPublicKey::from_spki_der(reference::spki_der(client.get()));
  ASSERT_TRUE(key.ok()) << key.error().describe();
  std::string sealed = key->seal(the_password(), kSession).value();

  // 1 + 32 + 12 + 43 + 16 = 104 bytes, base64url without padding: 139 characters.
  EXPECT_EQ(sealed.size(), 139u);
  EXPECT_EQ(
      sealed.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
  Bytes bytes = decoded(sealed);
  ASSERT_EQ(bytes.size(), 104u);
  EXPECT_EQ(bytes[0], 0x01);
  Bytes epk(bytes.begin() + 1, bytes.begin() + 33);
  EXPECT_NE(epk, reference::raw_public(client.get()));

  auto opened = reference::open_x25519(client.get(), sealed, kSession);
  ASSERT_TRUE(opened.has_value()) << "the seal does not follow DESIGN.md step 5";
  EXPECT_EQ(SecretBytes(opened->begin(), opened->end()), the_password());
  // The reference itself tells session ids apart (so the check above means something).
  EXPECT_FALSE(reference::open_x25519(client.get(), sealed, "other-session").has_value());
}

TEST(X25519Seal, OpensASealMadeByAnIndependentImplementation) {
  Bytes der = x25519_pair().public_spki_der();
  const unsigned char* cursor = der.data();
  reference::Pkey client(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  ASSERT_TRUE(client);
  std::string sealed = reference::seal_x25519(client.get(), as_text(the_password()), kSession);
  auto opened = x25519_pair().open(sealed, kSession);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, the_password());
}

TEST(X25519Seal, UsesAFreshEphemeralKeyAndNonceEachTime) {
  Bytes a = decoded(seal_to(x25519_pair()));
  Bytes b = decoded(seal_to(x25519_pair()));
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(Bytes(a.begin() + 1, a.begin() + 33), Bytes(b.begin() + 1, b.begin() + 33));
  EXPECT_NE(Bytes(a.begin() + 33, a.begin() + 45), Bytes(b.begin() + 33, b.begin() + 45));
}

TEST(X25519Seal, RefusesEveryTruncationAndAnAppendedByte) {
  Bytes bytes = decoded(seal_to(x25519_pair()));
  for (std::size_t n = 0; n < bytes.size(); ++n)
    expect_refused(x25519_pair(), base64url_encode(ByteView(bytes).first(n)),
                   "length " + std::to_string(n));
  bytes.push_back(0);
  expect_refused(x25519_pair(), base64url_encode(bytes), "appended byte");
}

TEST(X25519Seal, RefusesEverySingleBitFlip) {
  Bytes bytes = decoded(seal_to(x25519_pair()));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes changed = bytes;
      changed[i] ^= static_cast<std::uint8_t>(1u << bit);
      // Bit 255 of an X25519 u-coordinate is ignored (RFC 7748), so flipping the top bit of the
      // epk's last byte gives the same shared secret; the HKDF salt still differs.
      expect_refused(x25519_pair(), base64url_encode(changed),
                     "byte " + std::to_string(i) + " bit " + std::to_string(bit));
    }
  }
}

TEST(X25519Seal, RefusesAnotherSessionId) {
  std::string sealed = seal_to(x25519_pair());
  expect_refused(x25519_pair(), sealed, "other session", "8f14e45fceea167a5a36dedd4bea2544");
  expect_refused(x25519_pair(), sealed, "empty session", "");
  expect_refused(x25519_pair(), sealed, "longer session", std::string(kSession) + "0");
}

TEST(X25519Seal, RefusesASealToAnotherKey) {
  ClientKeyPair other = ClientKeyPair::generate_x25519().value();
  expect_refused(other, seal_to(x25519_pair()), "other key");
}

TEST(X25519Seal, RefusesAnyOtherVersionByte) {
  Bytes bytes = decoded(seal_to(x25519_pair()));
  for (int version : {0x00, 0x02, 0x03, 0x81, 0xff}) {
    Bytes changed = bytes;
    changed[0] = static_cast<std::uint8_t>(version);
    expect_refused(x25519_pair(), base64url_encode(changed), "version " + std::to_string(version));
  }
}

TEST(X25519Seal, RefusesGarbageThatIsNotBase64url) {
  std::string sealed = seal_to(x25519_pair());
  for (std::string bad : {std::string(), std::string("!!!!"), sealed + "=", sealed + " ",
                          sealed + "A", std::string("+") + sealed.substr(1)})
    expect_refused(x25519_pair(), bad, "garbage '" + bad + "'");
}

TEST(X25519Seal, RefusesToSealToALowOrderPoint) {
  // The SubjectPublicKeyInfo of the X25519 point u = 0: parses, but gives no shared secret.
  Bytes der = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};
  der.resize(der.size() + 32, 0x00);
  auto key = ClientPublicKey::from_spki_der(der);
  ASSERT_TRUE(key.ok()) << key.error().describe();
  auto sealed = key->seal(the_password(), kSession);
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().cause, Cause::InvalidInput);
  EXPECT_NE(sealed.error().message.find("low-order"), std::string::npos);
}

// ---- RSA ----

TEST(RsaSeal, RoundTripsThroughTheClientKeyPair) {
  auto opened = rsa_pair().open(seal_to(rsa_pair()), kSession);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, the_password());
}

TEST(RsaSeal, HasTheDesignLayoutAndOpensWithOpensslPkeyutl) {
  TempDir dir;
  std::string out;
  ASSERT_EQ(run_command("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out " +
                            (dir / "key.pem").string(),
                        &out),
            0)
      << out;
  ASSERT_EQ(run_command("openssl pkey -in " + (dir / "key.pem").string() +
                            " -pubout -outform DER -out " + (dir / "pub.der").string(),
                        &out),
            0)
      << out;
  auto key = ClientPublicKey::from_spki_der(test::read_all(dir / "pub.der"));
  ASSERT_TRUE(key.ok()) << key.error().describe();
  ASSERT_EQ(key->kind(), ClientPublicKey::Kind::Rsa);
  std::string sealed = key->seal(the_password(), kSession).value();

  Bytes bytes = decoded(sealed);
  ASSERT_EQ(bytes.size(), 1u + 256u);
  EXPECT_EQ(bytes[0], 0x02);
  write_file(dir / "sealed.bin", ByteView(bytes).subspan(1));
  const std::string decrypt = "openssl pkeyutl -decrypt -inkey " + (dir / "key.pem").string() +
                              " -in " + (dir / "sealed.bin").string() + " -out " +
                              (dir / "opened.bin").string() +
                              " -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:";
  ASSERT_EQ(run_command(decrypt + "sha256 -pkeyopt rsa_mgf1_md:sha256", &out), 0) << out;
  Bytes opened = test::read_all(dir / "opened.bin");
  EXPECT_EQ(SecretBytes(opened.begin(), opened.end()), the_password());
  // The command tells the parameters apart (so the check above means something).
  EXPECT_NE(run_command(decrypt + "sha1 -pkeyopt rsa_mgf1_md:sha1", &out), 0) << out;
}

TEST(RsaSeal, OpensASealMadeByOpensslPkeyutl) {
  TempDir dir;
  write_file(dir / "pub.der", rsa_pair().public_spki_der());
  write_file(dir / "password.txt", the_password());
  std::string out;
  ASSERT_EQ(run_command("openssl pkeyutl -encrypt -pubin -keyform DER -inkey " +
                            (dir / "pub.der").string() + " -in " + (dir / "password.txt").string() +
                            " -out " + (dir / "sealed.bin").string() +
                            " -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256"
                            " -pkeyopt rsa_mgf1_md:sha256",
                        &out),
            0)
      << out;
  Bytes sealed{0x02};
  Bytes body = test::read_all(dir / "sealed.bin");
  sealed.insert(sealed.end(), body.begin(), body.end());
  auto opened = rsa_pair().open(base64url_encode(sealed), kSession);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, the_password());
}

TEST(RsaSeal, RefusesEveryTruncationAndAnAppendedByte) {
  Bytes bytes = decoded(seal_to(rsa_pair()));
  for (std::size_t n = 0; n < bytes.size(); ++n)
    expect_refused(rsa_pair(), base64url_encode(ByteView(bytes).first(n)),
                   "length " + std::to_string(n));
  bytes.push_back(0);
  expect_refused(rsa_pair(), base64url_encode(bytes), "appended byte");
}

TEST(RsaSeal, RefusesAChangeInAnyByte) {
  Bytes bytes = decoded(seal_to(rsa_pair()));
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    Bytes changed = bytes;
    changed[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    expect_refused(rsa_pair(), base64url_encode(changed), "byte " + std::to_string(i));
  }
}

TEST(RsaSeal, RefusesASealToAnotherKey) {
  ClientKeyPair other = ClientKeyPair::generate_rsa(2048).value();
  expect_refused(other, seal_to(rsa_pair()), "other key");
}

TEST(RsaSeal, RefusesAnyOtherVersionByte) {
  Bytes bytes = decoded(seal_to(rsa_pair()));
  for (int version : {0x00, 0x01, 0x03, 0x82, 0xff}) {
    Bytes changed = bytes;
    changed[0] = static_cast<std::uint8_t>(version);
    expect_refused(rsa_pair(), base64url_encode(changed), "version " + std::to_string(version));
  }
}

TEST(RsaSeal, RefusesGarbageThatIsNotBase64url) {
  std::string sealed = seal_to(rsa_pair());
  for (std::string bad : {std::string(), std::string("!!!!"), sealed + "=", sealed + "\n",
                          std::string("/") + sealed.substr(1)})
    expect_refused(rsa_pair(), bad, "garbage");
}

TEST(RsaSeal, SealsToAn8192BitKeyAsTheVersionByteAndOneModulusOfBytes) {
  auto key = ClientPublicKey::from_spki_der(test_keys::synthetic_rsa(8192));
  ASSERT_TRUE(key.ok()) << key.error().describe();
  auto sealed = key->seal(the_password(), kSession);
  ASSERT_TRUE(sealed.ok()) << sealed.error().describe();
  Bytes bytes = decoded(*sealed);
  ASSERT_EQ(bytes.size(), 1u + 1024u);
  EXPECT_EQ(bytes[0], 0x02);
  // The largest accepted exponent still seals with the largest accepted modulus.
  auto big_e = ClientPublicKey::from_spki_der(test_keys::synthetic_rsa(8192, 0, true, 64));
  ASSERT_TRUE(big_e.ok()) << big_e.error().describe();
  auto sealed_big_e = big_e->seal(the_password(), kSession);
  EXPECT_TRUE(sealed_big_e.ok()) << sealed_big_e.error().describe();
}

// ---- both kinds ----

TEST(Seal, KeyPairsRefuseTheOtherKindsSeal) {
  expect_refused(rsa_pair(), seal_to(x25519_pair()), "x25519 seal to an RSA pair");
  expect_refused(x25519_pair(), seal_to(rsa_pair()), "RSA seal to an X25519 pair");
}

TEST(ClientKeyPair, PublishesItsKeyAsBase64urlSubjectPublicKeyInfo) {
  for (const ClientKeyPair* pair : {&x25519_pair(), &rsa_pair()}) {
    std::string text = pair->public_base64url();
    EXPECT_EQ(decoded(text), pair->public_spki_der());
    ClientPublicKey key = public_key_of(*pair);
    EXPECT_EQ(key.kind(), pair->kind());
    EXPECT_EQ(key.spki_der(), pair->public_spki_der());
  }
  EXPECT_EQ(x25519_pair().kind(), ClientKeyPair::Kind::X25519);
  EXPECT_EQ(x25519_pair().public_spki_der().size(), 44u);
  EXPECT_EQ(rsa_pair().kind(), ClientKeyPair::Kind::Rsa);
}

TEST(ClientKeyPair, MakesRsa3072ByDefault) {
  ClientKeyPair pair = ClientKeyPair::generate_rsa().value();
  Bytes der = pair.public_spki_der();
  const unsigned char* cursor = der.data();
  reference::Pkey key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  ASSERT_TRUE(key);
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 3072);
  auto opened = pair.open(seal_to(pair), kSession);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, the_password());
}

TEST(ClientKeyPair, RefusesRsaSizesOutsideTheAcceptedRange) {
  for (int bits : {0, 1024, 2047, 8193, 16384}) {
    auto pair = ClientKeyPair::generate_rsa(bits);
    ASSERT_FALSE(pair.ok()) << bits;
    EXPECT_EQ(pair.error().cause, Cause::InvalidInput);
  }
}

}  // namespace
}  // namespace ssoc::vault
