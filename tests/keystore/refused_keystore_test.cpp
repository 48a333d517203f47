// read_keystore on bad files: each refusal is invalid-setting, names keystore_file or
// keystore_password and the file, says what happened, and never shows a password.
#include <gtest/gtest.h>

#include "keystore/cert_chain.hpp"
#include "keystore/keystore.hpp"
#include "keystore_fixture.hpp"
#include "keytool_stores.hpp"

namespace ssoc::keystore::test {
namespace {

class RefusedKeystore : public ::testing::Test {
 protected:
  void SetUp() override {
    chain_ = ssoc::test::make_test_chain(dir_.path());
    parts_ = split_pem(chain_.pem);
  }

  // A JKS keystore made by keytool: k.jks, protected by kJksPassword.
  void make_jks() {
    ASSERT_NO_FATAL_FAILURE(keytool_key_pair(dir_.path(), "k.jks", "JKS", kJksPassword));
    jks_ = ssoc::test::read_all(dir_ / "k.jks");
    ASSERT_GT(jks_.size(), 1000u);
  }

  fs::path write(const std::string& name, const Bytes& bytes) {
    ssoc::test::write_all(dir_ / name, bytes);
    return dir_ / name;
  }

  static constexpr const char* kJksPassword = "jks-store-pass";
  TempDir dir_;
  TestChain chain_;
  PemParts parts_;
  Bytes jks_;
};

TEST_F(RefusedKeystore, RefusesAbsentFileAndFolder) {
  expect_invalid(read_keystore(dir_ / "absent.jks", secret_from(kJksPassword)), dir_ / "absent.jks",
                 {kJksPassword}, "does not exist");
  fs::create_directory(dir_ / "folder.p12");
  expect_invalid(read_keystore(dir_ / "folder.p12", secret_from(kJksPassword)), dir_ / "folder.p12",
                 {kJksPassword}, "not a regular file");
}

TEST_F(RefusedKeystore, RefusesWrongOrMissingJksPassword) {
  ASSERT_NO_FATAL_FAILURE(make_jks());
  fs::path file = dir_ / "k.jks";
  expect_invalid(read_keystore(file, secret_from("jks-wrong-pass")), file,
                 {kJksPassword, "jks-wrong-pass"}, "wrong password");
  expect_invalid(read_keystore(file, {}), file, {kJksPassword}, "none was given");
  // The same refusal for SKS, with its own setting and cause.
  expect_refused(read_certificate_chain(file, secret_from("jks-wrong-pass")), file,
                 {kJksPassword, "jks-wrong-pass"});
}

TEST_F(RefusedKeystore, RefusesWrongPkcs12PasswordFromOpensslAndKeytool) {
  expect_invalid(read_keystore(chain_.p12, secret_from("p12-wrong-pass")), chain_.p12,
                 {chain_.password, "p12-wrong-pass"}, "wrong password");
  ASSERT_NO_FATAL_FAILURE(keytool_key_pair(dir_.path(), "k.p12", "PKCS12", "p12-keytool-pass"));
  expect_invalid(read_keystore(dir_ / "k.p12", secret_from("p12-wrong-pass")), dir_ / "k.p12",
                 {"p12-keytool-pass", "p12-wrong-pass"}, "keystore_password");
}

TEST_F(RefusedKeystore, RefusesWrongPasswordForEncryptedPemKey) {
  write_text(dir_ / "t-key.pem", parts_.key);
  shell(dir_.path(), "openssl pkey -in t-key.pem -aes256 -passout pass:pem-secret -out enc.key");
  fs::path file = dir_ / "encrypted.pem";
  write_text(file, parts_.leaf + parts_.ca + read_text(dir_ / "enc.key"));
  expect_invalid(read_keystore(file, secret_from("pem-wrong")), file, {"pem-secret", "pem-wrong"},
                 "keystore_password");
  expect_invalid(read_keystore(file, {}), file, {"pem-secret"}, "no password was given");
}

TEST_F(RefusedKeystore, RefusesJksWithAnyOneByteFlipped) {
  ASSERT_NO_FATAL_FAILURE(make_jks());
  ASSERT_TRUE(read_keystore(dir_ / "k.jks", secret_from(kJksPassword)).ok());
  for (std::size_t i = 0; i < jks_.size(); ++i) {
    Bytes flipped = jks_;
    flipped[i] ^= 0x01;
    fs::path file = write("flipped.jks", flipped);
    SCOPED_TRACE("byte " + std::to_string(i) + " of " + std::to_string(jks_.size()));
    expect_invalid(read_keystore(file, secret_from(kJksPassword)), file, {kJksPassword});
    if (HasFailure()) break;
  }
}

TEST_F(RefusedKeystore, RefusesJksTruncatedAtEveryLength) {
  ASSERT_NO_FATAL_FAILURE(make_jks());
  for (std::size_t size = 0; size < jks_.size(); ++size) {
    fs::path file = write("truncated.jks", Bytes(jks_.begin(), jks_.begin() + size));
    SCOPED_TRACE("first " + std::to_string(size) + " bytes");
    expect_invalid(read_keystore(file, secret_from(kJksPassword)), file, {kJksPassword});
    if (HasFailure()) break;
  }
}

TEST_F(RefusedKeystore, RefusesJksWithBadMagicOrBytesAfterItsEnd) {
  ASSERT_NO_FATAL_FAILURE(make_jks());
  Bytes bad_magic = jks_;
  bad_magic[3] = 0xEE;
  fs::path file = write("magic.jks", bad_magic);
  expect_invalid(read_keystore(file, secret_from(kJksPassword)), file, {kJksPassword},
                 "neither a PKCS#12, a PEM nor a Java KeyStore");
  expect_refused(read_certificate_chain(file, secret_from(kJksPassword)), file, {kJksPassword});

  Bytes longer = jks_;
  longer.push_back(0);
  file = write("longer.jks", longer);
  expect_invalid(read_keystore(file, secret_from(kJksPassword)), file, {kJksPassword},
                 "1 bytes follow its integrity check");
}

TEST_F(RefusedKeystore, RefusesJceksWithHowToConvertIt) {
  ASSERT_NO_FATAL_FAILURE(keytool_key_pair(dir_.path(), "k.jceks", "JCEKS", kJksPassword));
  fs::path file = dir_ / "k.jceks";
  auto keystore = read_keystore(file, secret_from(kJksPassword));
  expect_invalid(keystore, file, {kJksPassword}, "JCEKS");
  expect_invalid(keystore, file, {kJksPassword}, "keytool -importkeystore");
  expect_invalid(keystore, file, {kJksPassword}, "-deststoretype pkcs12");
  auto chain = read_certificate_chain(file, secret_from(kJksPassword));
  expect_refused(chain, file, {kJksPassword});
  if (!chain.ok()) {
    EXPECT_NE(chain.error().message.find("keytool -importkeystore"), std::string::npos)
        << chain.error().describe();
  }
}

TEST_F(RefusedKeystore, RefusesStoresWithOnlyTrustedCertificates) {
  const std::string phrase = "holds no private key: export the key with its certificate";
  write_text(dir_ / "ca.crt", parts_.ca);
  ASSERT_NO_FATAL_FAILURE(keytool(
      dir_.path(),
      "-importcert -alias ca -file ca.crt " + store_options("trusted.jks", "JKS", kJksPassword)));
  fs::path jks = dir_ / "trusted.jks";
  expect_invalid(read_keystore(jks, secret_from(kJksPassword)), jks, {kJksPassword}, phrase);
  // SKS only needs a chain: it takes the certificate, as from a PKCS#12 without a key.
  auto chain = read_certificate_chain(jks, secret_from(kJksPassword));
  ASSERT_TRUE(chain.ok()) << chain.error().describe();
  EXPECT_EQ(chain->leaf(), pem_to_der(parts_.ca));

  fs::path pem = dir_ / "certificates.pem";
  write_text(pem, parts_.leaf + parts_.ca);
  expect_invalid(read_keystore(pem, {}), pem, {}, phrase);

  shell(dir_.path(), "openssl pkcs12 -export -nokeys -in leaf.pem -out nokey.p12 -passout pass:" +
                         chain_.password);
  fs::path p12 = dir_ / "nokey.p12";
  expect_invalid(read_keystore(p12, secret_from(chain_.password)), p12, {chain_.password}, phrase);
}

TEST_F(RefusedKeystore, RefusesKeyThatDoesNotMatchTheCertificate) {
  TempDir other_dir;
  PemParts other = split_pem(ssoc::test::make_test_chain(other_dir.path(), "other.test").pem);
  fs::path file = dir_ / "mismatch.pem";
  write_text(file, parts_.leaf + parts_.ca + other.key);
  expect_invalid(read_keystore(file, {}), file, {}, "does not match its certificate");
  write_text(file, other.key + parts_.leaf);
  expect_invalid(read_keystore(file, {}), file, {}, "does not match its certificate");
}

TEST_F(RefusedKeystore, RefusesKeytoolKeyEntryWithItsOwnPassword) {
  ASSERT_NO_FATAL_FAILURE(keytool_key_pair(dir_.path(), "k.jks", "JKS", kJksPassword, "sso",
                                           "sso.test", "", "jks-key-pass"));
  fs::path file = dir_ / "k.jks";
  expect_invalid(read_keystore(file, secret_from(kJksPassword)), file,
                 {kJksPassword, "jks-key-pass"}, "keytool -keypasswd");
}

TEST_F(RefusedKeystore, RefusesOversizedAndUnknownFiles) {
  std::string text = read_text(chain_.pem);
  write_text(dir_ / "huge.pem", text + std::string((1u << 20) + 1 - text.size(), '\n'));
  expect_invalid(read_keystore(dir_ / "huge.pem", {}), dir_ / "huge.pem", {}, "larger than 1 MiB");
  write_text(dir_ / "notes.jks", "neither of the formats");
  expect_invalid(read_keystore(dir_ / "notes.jks", {}), dir_ / "notes.jks", {}, "neither");
}

TEST_F(RefusedKeystore, ReadsPastTheSizeTheFileHadWhenOpened) {
  // /proc files say they are empty and then give their text: the whole text is read, up to
  // the limit (and refused for its format, not as an empty file).
  fs::path file = "/proc/self/status";
  ASSERT_EQ(fs::file_size(file), 0u);
  expect_invalid(read_keystore(file, {}), file, {}, "neither a PKCS#12, a PEM nor a Java KeyStore");
}

}  // namespace
}  // namespace ssoc::keystore::test
