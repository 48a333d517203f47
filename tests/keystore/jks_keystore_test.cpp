// Java KeyStores (JKS) made by keytool, read by read_keystore and read_certificate_chain.
#include <gtest/gtest.h>

#include "keystore/cert_chain.hpp"
#include "keystore/keystore.hpp"
#include "keystore_fixture.hpp"
#include "keytool_stores.hpp"

namespace ssoc::keystore::test {
namespace {

class JksKeystore : public ::testing::Test {
 protected:
  // The first bytes of a file, to check which format keytool really wrote.
  Bytes head(const std::string& name) {
    Bytes bytes = ssoc::test::read_all(dir_ / name);
    bytes.resize(std::min<std::size_t>(bytes.size(), 4));
    return bytes;
  }

  TempDir dir_;
  const std::string password_ = "jks-store-pass";
  const Bytes jks_magic_{0xFE, 0xED, 0xFE, 0xED};
};

TEST_F(JksKeystore, ReadsKeytoolKeyPairWithTheKeyOfItsLeaf) {
  ASSERT_NO_FATAL_FAILURE(keytool_key_pair(dir_.path(), "k.jks", "JKS", password_));
  ASSERT_EQ(head("k.jks"), jks_magic_) << "keytool did not write a JKS file";
  Bytes spki_sha1 = keytool_spki_sha1(dir_.path(), "k.jks", "JKS", password_);

  auto keystore = read_keystore(dir_ / "k.jks", secret_from(password_));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  const CertificateChain& chain = keystore->chain();
  ASSERT_EQ(chain.certificates().size(), 1u);
  EXPECT_EQ(common_name(chain.leaf()), "sso.test");
  EXPECT_TRUE(signs_for(chain.leaf(), keystore->private_key()));
  EXPECT_EQ(chain.leaf_key_id(), spki_sha1);
  EXPECT_EQ(keystore->not_after() - keystore->not_before(), 30 * 24 * 3600);

  // SKS takes its chain from the same file, as the original product did (sso_keystore.jks).
  auto sks_chain = read_certificate_chain(dir_ / "k.jks", secret_from(password_));
  ASSERT_TRUE(sks_chain.ok()) << sks_chain.error().describe();
  EXPECT_EQ(sks_chain->certificates(), chain.certificates());
  EXPECT_EQ(sks_chain->leaf_key_id(), spki_sha1);
}

TEST_F(JksKeystore, ReadsKeytoolEcKey) {
  ASSERT_NO_FATAL_FAILURE(keytool(dir_.path(),
                                  "-genkeypair -keyalg EC -groupname secp256r1 -alias sso -dname "
                                  "CN=ec.test -validity 30 " +
                                      store_options("ec.jks", "JKS", password_) + " -keypass '" +
                                      password_ + "'"));
  ASSERT_EQ(head("ec.jks"), jks_magic_);
  auto keystore = read_keystore(dir_ / "ec.jks", secret_from(password_));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  EXPECT_EQ(EVP_PKEY_get_base_id(keystore->private_key()), EVP_PKEY_EC);
  EXPECT_TRUE(signs_for(keystore->chain().leaf(), keystore->private_key()));
  EXPECT_EQ(keystore->chain().leaf_key_id(),
            keytool_spki_sha1(dir_.path(), "ec.jks", "JKS", password_));
}

TEST_F(JksKeystore, ReadsCaSignedChainLeafFirst) {
  ASSERT_NO_FATAL_FAILURE(keytool_ca_signed_jks(dir_.path(), "chain.jks", password_));
  Bytes ca = pem_to_der(read_text(dir_ / "ca.crt"));
  Bytes leaf = pem_to_der(read_text(dir_ / "sso.crt"));

  auto keystore = read_keystore(dir_ / "chain.jks", secret_from(password_));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  ASSERT_EQ(keystore->chain().certificates(), (std::vector<Bytes>{leaf, ca}));
  EXPECT_EQ(common_name(keystore->chain().certificates()[1]), "Keytool Test CA");
  EXPECT_TRUE(signs_for(leaf, keystore->private_key()));
  EXPECT_EQ(keystore->chain().leaf_key_id(),
            keytool_spki_sha1(dir_.path(), "chain.jks", "JKS", password_));

  auto sks_chain = read_certificate_chain(dir_ / "chain.jks", secret_from(password_));
  ASSERT_TRUE(sks_chain.ok()) << sks_chain.error().describe();
  EXPECT_EQ(sks_chain->certificates(), (std::vector<Bytes>{leaf, ca}));
}

TEST_F(JksKeystore, ReadsJksConvertedFromOpensslPkcs12) {
  TestChain chain = ssoc::test::make_test_chain(dir_.path());
  PemParts parts = split_pem(chain.pem);
  ASSERT_NO_FATAL_FAILURE(keytool(dir_.path(),
                                  "-importkeystore -srckeystore chain.p12 -srcstoretype PKCS12 "
                                  "-srcstorepass '" +
                                      chain.password +
                                      "' -destkeystore converted.jks -deststoretype JKS "
                                      "-deststorepass '" +
                                      password_ + "' -destkeypass '" + password_ + "'"));
  ASSERT_EQ(head("converted.jks"), jks_magic_);

  auto keystore = read_keystore(dir_ / "converted.jks", secret_from(password_));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  EXPECT_EQ(keystore->chain().certificates(),
            (std::vector<Bytes>{pem_to_der(parts.leaf), pem_to_der(parts.ca)}));
  EXPECT_EQ(keystore->chain().leaf_key_id(), chain.leaf_spki_sha1);
  EXPECT_TRUE(signs_for(keystore->chain().leaf(), keystore->private_key()));
}

TEST_F(JksKeystore, ReadsPasswordOutsideAsciiAsJavaEncodesIt) {
  // é and € are one UTF-16 unit each; U+1D11E (musical G clef) is a surrogate pair.
  const std::string password = "p\xC3\xA4sswort-\xE2\x82\xAC-\xF0\x9D\x84\x9E";
  ASSERT_NO_FATAL_FAILURE(
      keytool_key_pair(dir_.path(), "u.jks", "JKS", password, "sso", "sso.test", ""));
  auto keystore = read_keystore(dir_ / "u.jks", secret_from(password));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  EXPECT_TRUE(signs_for(keystore->chain().leaf(), keystore->private_key()));
  // The same characters without the surrogate pair do not open it.
  expect_invalid(read_keystore(dir_ / "u.jks", secret_from("p\xC3\xA4sswort-\xE2\x82\xAC-")),
                 dir_ / "u.jks", {password}, "wrong password");
}

TEST_F(JksKeystore, ReadsPkcs12ThatKeytoolWritesByDefaultEvenForJksNames) {
  // JDK 9 and later write PKCS#12 unless told otherwise, whatever the file is called.
  ASSERT_NO_FATAL_FAILURE(keytool(dir_.path(),
                                  "-genkeypair -keyalg RSA -keysize 2048 -alias sso -dname "
                                  "CN=sso.test -validity 30 -keystore default.jks -storepass '" +
                                      password_ + "'"));
  ASSERT_EQ(head("default.jks").at(0), 0x30) << "keytool wrote something other than PKCS#12";
  auto keystore = read_keystore(dir_ / "default.jks", secret_from(password_));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  EXPECT_TRUE(signs_for(keystore->chain().leaf(), keystore->private_key()));
}

TEST_F(JksKeystore, ReadsKeytoolPkcs12) {
  ASSERT_NO_FATAL_FAILURE(keytool_key_pair(dir_.path(), "k.p12", "PKCS12", password_));
  auto keystore = read_keystore(dir_ / "k.p12", secret_from(password_));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  EXPECT_EQ(common_name(keystore->chain().leaf()), "sso.test");
  EXPECT_TRUE(signs_for(keystore->chain().leaf(), keystore->private_key()));
  EXPECT_EQ(keystore->chain().leaf_key_id(),
            keytool_spki_sha1(dir_.path(), "k.p12", "PKCS12", password_));
}

}  // namespace
}  // namespace ssoc::keystore::test
