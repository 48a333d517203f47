// The password encoding and key protection of JKS, against known values.
#include <gtest/gtest.h>

#include "jks_writer.hpp"
#include "keystore/jks_protection.hpp"

namespace ssoc::keystore::test {
namespace {

std::optional<SecretBytes> java(std::string_view utf8) {
  return jks::java_password(as_bytes(utf8));
}

SecretBytes units(std::initializer_list<std::uint8_t> bytes) {
  return SecretBytes(bytes);
}

TEST(JksProtection, EncodesPasswordAsJavaCharsBigEndian) {
  EXPECT_EQ(java(""), units({}));
  EXPECT_EQ(java("Ab"), units({0x00, 'A', 0x00, 'b'}));
  EXPECT_EQ(java("\xC3\xA9"), units({0x00, 0xE9}));                      // é
  EXPECT_EQ(java("\xE2\x82\xAC"), units({0x20, 0xAC}));                  // €
  EXPECT_EQ(java("\xF0\x9D\x84\x9E"), units({0xD8, 0x34, 0xDD, 0x1E}));  // U+1D11E
}

TEST(JksProtection, RefusesPasswordThatIsNotUtf8) {
  for (std::string_view bad : {"\x80", "\xC3", "\xC0\x80", "\xE0\x80\x80", "\xED\xA0\x80",
                               "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80", "ok\xC3(", "\xFF"}) {
    EXPECT_FALSE(java(bad).has_value()) << "accepted bytes of length " << bad.size();
  }
}

TEST(JksProtection, RecoversKeyWithItsPasswordOnly) {
  Bytes plaintext(45);  // more than two blocks of keystream, the last one partial
  for (std::size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<std::uint8_t>(i);
  Bytes der = JksWriter::protect(plaintext, "key-pass", jks::kKeyProtectorOid);
  // The encryptedData is the last 20 + 45 + 20 bytes of the EncryptedPrivateKeyInfo.
  ByteView data = ByteView(der).last(85);

  auto right = jks::unprotect_key(JksWriter::java_chars("key-pass"), data);
  ASSERT_TRUE(right.ok());
  ASSERT_TRUE(right->has_value());
  EXPECT_EQ(Bytes((*right)->begin(), (*right)->end()), plaintext);

  auto wrong = jks::unprotect_key(JksWriter::java_chars("key-pasS"), data);
  ASSERT_TRUE(wrong.ok());
  EXPECT_FALSE(wrong->has_value());
  auto too_short = jks::unprotect_key(JksWriter::java_chars("key-pass"), data.first(39));
  ASSERT_TRUE(too_short.ok());
  EXPECT_FALSE(too_short->has_value());
}

TEST(JksProtection, IntegrityCheckCoversPasswordAndEveryByte) {
  Bytes body{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2, 0, 0, 0, 0};
  Bytes sealed = body;
  sealed.resize(body.size() + 20);
  JksWriter::reseal(sealed, "store-pass");
  ByteView digest = ByteView(sealed).last(20);
  Bytes password = JksWriter::java_chars("store-pass");
  EXPECT_EQ(jks::integrity_matches(password, body, digest).value(), true);
  EXPECT_EQ(jks::integrity_matches(JksWriter::java_chars("store-pasS"), body, digest).value(),
            false);
  body[5] ^= 1;
  EXPECT_EQ(jks::integrity_matches(password, body, digest).value(), false);
}

}  // namespace
}  // namespace ssoc::keystore::test
