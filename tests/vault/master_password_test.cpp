// Master passwords: generation, and the stored row under the master-password key (DESIGN.md
// "Login protocol" step 4), checked against an independent AES-256-GCM decryption.
#include "vault/master_password.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/encoding.hpp"
#include "reference_seal.hpp"

namespace ssoc::vault {
namespace {

constexpr std::string_view kUser = "alice@example.com";

SecretBytes key_bytes(std::uint8_t fill) {
  return SecretBytes(32, fill);
}

MasterPasswordCipher cipher(std::uint8_t fill = 0x42, std::string id = "1") {
  auto made = MasterPasswordCipher::create(key_bytes(fill), std::move(id));
  EXPECT_TRUE(made.ok()) << made.error().describe();
  return std::move(made).value();
}

SecretBytes password() {
  return generate_master_password().value();
}

void expect_integrity_failure(const Result<SecretBytes>& opened, const std::string& what) {
  ASSERT_FALSE(opened.ok()) << what;
  EXPECT_EQ(opened.error().cause, Cause::IntegrityFailure) << what;
  EXPECT_NE(opened.error().message.find("does not decrypt with key 1"), std::string::npos)
      << opened.error().message;
}

TEST(GenerateMasterPassword, Is43CharactersOfTheBase64urlAlphabetFrom32Bytes) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < 200; ++i) {
    SecretBytes mp = password();
    ASSERT_EQ(mp.size(), 43u);
    for (std::uint8_t c : mp)
      ASSERT_NE(alphabet.find(static_cast<char>(c)), std::string::npos) << int(c);
    auto raw = base64url_decode(as_text(mp));
    ASSERT_TRUE(raw.has_value()) << as_text(mp);
    EXPECT_EQ(raw->size(), 32u);
  }
}

TEST(GenerateMasterPassword, UsesTheWholeAlphabetIncludingDashAndUnderscore) {
  // With '+' and '/' not translated, '-' and '_' would never appear.
  std::set<char> seen;
  for (int i = 0; i < 200; ++i)
    for (std::uint8_t c : password()) seen.insert(static_cast<char>(c));
  EXPECT_TRUE(seen.count('-'));
  EXPECT_TRUE(seen.count('_'));
  EXPECT_EQ(seen.size(), 64u);
}

TEST(GenerateMasterPassword, GivesADifferentPasswordEachTime) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(std::string(as_text(password())));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(MasterPasswordCipher, RefusesAKeyThatIsNot32Bytes) {
  for (std::size_t size : {0u, 16u, 31u, 33u, 64u}) {
    auto made = MasterPasswordCipher::create(SecretBytes(size, 1), "1");
    ASSERT_FALSE(made.ok()) << size;
    EXPECT_EQ(made.error().cause, Cause::InvalidSetting);
    EXPECT_NE(made.error().message.find("master_key"), std::string::npos);
  }
}

TEST(MasterPasswordCipher, RefusesAnEmptyKeyIdOrOneWithAColon) {
  for (const char* id : {"", "1:2", ":"}) {
    auto made = MasterPasswordCipher::create(key_bytes(1), id);
    ASSERT_FALSE(made.ok()) << id;
    EXPECT_EQ(made.error().cause, Cause::InvalidSetting);
    EXPECT_NE(made.error().message.find("master_key_id"), std::string::npos);
  }
  EXPECT_EQ(cipher(1, "key-2024").key_id(), "key-2024");
}

TEST(MasterPasswordCipher, RoundTrips) {
  MasterPasswordCipher c = cipher();
  SecretBytes mp = password();
  Bytes stored = c.seal(mp, kUser).value();
  auto opened = c.open(stored, kUser);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, mp);
}

TEST(MasterPasswordCipher, StoresNonceCiphertextTagWithTheDesignAssociatedData) {
  SecretBytes mp = password();
  Bytes stored = cipher(0x42, "7").seal(mp, kUser).value();
  ASSERT_EQ(stored.size(), 12u + 43u + 16u);
  // Decrypted independently: nonce(12) || ciphertext || tag(16), AD "ssoc:mp:v1:<id>:<user>".
  Bytes key(32, 0x42);
  Bytes nonce(stored.begin(), stored.begin() + 12);
  Bytes rest(stored.begin() + 12, stored.end());
  auto plain = reference::aes_256_gcm(false, key, nonce, "ssoc:mp:v1:7:alice@example.com", rest);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(SecretBytes(plain->begin(), plain->end()), mp);
  // ... and a row made independently opens.
  Bytes fresh_nonce(12, 0x09);
  Bytes made = fresh_nonce;
  Bytes body = reference::aes_256_gcm(true, key, fresh_nonce, "ssoc:mp:v1:7:bob@example.com",
                                      Bytes(mp.begin(), mp.end()))
                   .value();
  made.insert(made.end(), body.begin(), body.end());
  auto opened = cipher(0x42, "7").open(made, "bob@example.com");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(*opened, mp);
}

TEST(MasterPasswordCipher, UsesAFreshNonceForEachSeal) {
  MasterPasswordCipher c = cipher();
  SecretBytes mp = password();
  Bytes a = c.seal(mp, kUser).value();
  Bytes b = c.seal(mp, kUser).value();
  EXPECT_NE(Bytes(a.begin(), a.begin() + 12), Bytes(b.begin(), b.begin() + 12));
  EXPECT_NE(a, b);
}

TEST(MasterPasswordCipher, RefusesARowCopiedToAnotherUser) {
  MasterPasswordCipher c = cipher();
  Bytes stored = c.seal(password(), kUser).value();
  expect_integrity_failure(c.open(stored, "mallory@example.com"), "other user");
  expect_integrity_failure(c.open(stored, "Alice@example.com"), "case differs");
  expect_integrity_failure(c.open(stored, ""), "empty user");
}

TEST(MasterPasswordCipher, RefusesARowMadeWithAnotherKey) {
  Bytes stored = cipher(0x42).seal(password(), kUser).value();
  expect_integrity_failure(cipher(0x43).open(stored, kUser), "other key");
}

TEST(MasterPasswordCipher, RefusesARowReadUnderAnotherKeyId) {
  Bytes stored = cipher(0x42, "1").seal(password(), kUser).value();
  auto opened = cipher(0x42, "2").open(stored, kUser);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().cause, Cause::IntegrityFailure);
  EXPECT_NE(opened.error().message.find("with key 2"), std::string::npos);
}

TEST(MasterPasswordCipher, KeyIdAndUserIdCannotTradeBytes) {
  // "ssoc:mp:v1:1:2:u" could be read as key id "1" and user "2:u", or key id "1:2" and user
  // "u"; ids with ':' are refused, so only the first exists.
  Bytes stored = cipher(0x42, "1").seal(password(), "2:u").value();
  EXPECT_FALSE(MasterPasswordCipher::create(key_bytes(0x42), "1:2").ok());
  expect_integrity_failure(cipher(0x42, "1").open(stored, "u"), "user shortened");
}

TEST(MasterPasswordCipher, RefusesEverySingleByteChange) {
  MasterPasswordCipher c = cipher();
  Bytes stored = c.seal(password(), kUser).value();
  for (std::size_t i = 0; i < stored.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      Bytes changed = stored;
      changed[i] ^= static_cast<std::uint8_t>(1u << bit);
      expect_integrity_failure(c.open(changed, kUser),
                               "byte " + std::to_string(i) + " bit " + std::to_string(bit));
    }
  }
}

TEST(MasterPasswordCipher, RefusesEveryTruncationAndAnAppendedByte) {
  MasterPasswordCipher c = cipher();
  Bytes stored = c.seal(password(), kUser).value();
  for (std::size_t n = 0; n < stored.size(); ++n)
    expect_integrity_failure(c.open(ByteView(stored).first(n), kUser),
                             "length " + std::to_string(n));
  Bytes longer = stored;
  longer.push_back(0);
  expect_integrity_failure(c.open(longer, kUser), "appended byte");
}

TEST(MasterPasswordCipher, NeverPutsThePasswordInTheRowOrTheMessage) {
  MasterPasswordCipher c = cipher();
  SecretBytes mp = password();
  Bytes stored = c.seal(mp, kUser).value();
  std::string row(stored.begin(), stored.end());
  EXPECT_EQ(row.find(as_text(mp).substr(0, 8)), std::string::npos);
  auto opened = c.open(stored, "mallory@example.com");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().message.find(as_text(mp)), std::string::npos);
}

}  // namespace
}  // namespace ssoc::vault
