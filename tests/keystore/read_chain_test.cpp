// read_certificate_chain on good files: PKCS#12 and PEM as openssl writes them.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include "keystore/cert_chain.hpp"
#include "keystore_fixture.hpp"

namespace ssoc::keystore::test {
namespace {

class ReadCertificateChain : public ::testing::Test {
 protected:
  void SetUp() override {
    chain_ = ssoc::test::make_test_chain(dir_.path());
    parts_ = split_pem(chain_.pem);
    write_text(dir_ / "t-leaf.crt", parts_.leaf);
    write_text(dir_ / "t-ca.crt", parts_.ca);
    write_text(dir_ / "t-key.pem", parts_.key);
  }

  // Exports a PKCS#12 of the leaf key, leaf and CA with extra `openssl pkcs12` options.
  fs::path export_pkcs12(const std::string& name, const std::string& options) {
    shell(dir_.path(),
          "openssl pkcs12 -export -inkey t-key.pem -in t-leaf.crt -certfile t-ca.crt "
          "-out '" +
              name + "' " + options);
    return dir_ / name;
  }

  // The chain must be the test leaf then the test CA, with the leaf's key id.
  void expect_leaf_then_ca(const Result<CertificateChain>& chain) {
    ASSERT_TRUE(chain.ok()) << chain.error().describe();
    ASSERT_EQ(chain->certificates().size(), 2u);
    EXPECT_EQ(common_name(chain->leaf()), "sso.test");
    EXPECT_EQ(chain->leaf(), pem_to_der(parts_.leaf));
    EXPECT_EQ(chain->certificates()[1], pem_to_der(parts_.ca));
    EXPECT_EQ(chain->leaf_key_id(), chain_.leaf_spki_sha1);
  }

  SecretBytes password() const { return secret_from(chain_.password); }

  TempDir dir_;
  TestChain chain_;
  PemParts parts_;
};

TEST_F(ReadCertificateChain, ReadsPkcs12LeafFirstWithItsIssuer) {
  expect_leaf_then_ca(read_certificate_chain(chain_.p12, password()));
}

TEST_F(ReadCertificateChain, ReadsPemChainWithKeyLikePkcs12) {
  expect_leaf_then_ca(read_certificate_chain(chain_.pem, password()));
}

TEST_F(ReadCertificateChain, FindsLeafByItsKeyWhenPemListsCaKeyLeaf) {
  write_text(dir_ / "reordered.pem", parts_.ca + parts_.key + parts_.leaf);
  expect_leaf_then_ca(read_certificate_chain(dir_ / "reordered.pem", {}));
}

TEST_F(ReadCertificateChain, TakesFirstCertificateAsLeafWhenPemHasNoKey) {
  write_text(dir_ / "leaf-ca.pem", parts_.leaf + parts_.ca);
  expect_leaf_then_ca(read_certificate_chain(dir_ / "leaf-ca.pem", {}));

  // The CA first: it is taken as the leaf, and the leaf, not its issuer, is left out.
  write_text(dir_ / "ca-leaf.pem", parts_.ca + parts_.leaf);
  auto chain = read_certificate_chain(dir_ / "ca-leaf.pem", {});
  ASSERT_TRUE(chain.ok()) << chain.error().describe();
  ASSERT_EQ(chain->certificates().size(), 1u);
  EXPECT_EQ(chain->leaf(), pem_to_der(parts_.ca));
}

TEST_F(ReadCertificateChain, LeavesOutCertificatesOffTheChain) {
  // Another chain whose CA has the same name as ours: only the signature tells them apart.
  TempDir other_dir;
  PemParts other = split_pem(ssoc::test::make_test_chain(other_dir.path(), "other.test").pem);
  write_text(dir_ / "mixed.pem", other.leaf + other.ca + parts_.key + parts_.leaf + parts_.ca);
  expect_leaf_then_ca(read_certificate_chain(dir_ / "mixed.pem", {}));
}

TEST_F(ReadCertificateChain, ReadsPemWithEncryptedKey) {
  shell(dir_.path(), "openssl pkey -in t-key.pem -aes256 -passout pass:pem-secret -out enc.key");
  write_text(dir_ / "encrypted.pem", parts_.ca + read_text(dir_ / "enc.key") + parts_.leaf);
  expect_leaf_then_ca(read_certificate_chain(dir_ / "encrypted.pem", secret_from("pem-secret")));
}

TEST_F(ReadCertificateChain, ReadsPkcs12WithEmptyPassword) {
  fs::path p12 = export_pkcs12("nopass.p12", "-passout pass:");
  expect_leaf_then_ca(read_certificate_chain(p12, {}));
}

TEST_F(ReadCertificateChain, ReadsPkcs12MadeWithNoPasswordAtAll) {
  // A null password (not ""), as PKCS12_create makes it; the openssl command always uses "".
  ossl::Bio key_pem(BIO_new_mem_buf(parts_.key.data(), static_cast<int>(parts_.key.size())));
  ossl::Pkey key(PEM_read_bio_PrivateKey(key_pem.get(), nullptr, nullptr, nullptr));
  ossl::Bio leaf_pem(BIO_new_mem_buf(parts_.leaf.data(), static_cast<int>(parts_.leaf.size())));
  ossl::X509Ptr leaf(PEM_read_bio_X509(leaf_pem.get(), nullptr, nullptr, nullptr));
  ossl::Bio ca_pem(BIO_new_mem_buf(parts_.ca.data(), static_cast<int>(parts_.ca.size())));
  ossl::X509Stack cas(sk_X509_new_null());
  ASSERT_TRUE(key && leaf && cas);
  ASSERT_GT(sk_X509_push(cas.get(), PEM_read_bio_X509(ca_pem.get(), nullptr, nullptr, nullptr)), 0);
  ossl::Pkcs12 p12(
      PKCS12_create(nullptr, nullptr, key.get(), leaf.get(), cas.get(), 0, 0, 0, 0, 0));
  ASSERT_NE(p12, nullptr);
  ossl::Bio out(BIO_new_file((dir_ / "null-password.p12").c_str(), "wb"));
  ASSERT_EQ(i2d_PKCS12_bio(out.get(), p12.get()), 1);
  out.reset();
  expect_leaf_then_ca(read_certificate_chain(dir_ / "null-password.p12", {}));
}

TEST_F(ReadCertificateChain, ReadsPkcs12WithoutMac) {
  fs::path p12 = export_pkcs12("nomac.p12", "-nomac -passout pass:" + chain_.password);
  expect_leaf_then_ca(read_certificate_chain(p12, password()));
}

TEST_F(ReadCertificateChain, ReadsLegacyPkcs12WhenLegacyProviderIsInstalled) {
  // Whether OpenSSL's legacy provider (RC2-40 for the certificates) is installed here.
  std::unique_ptr<OSSL_LIB_CTX, ossl::Deleter<OSSL_LIB_CTX_free>> probe(OSSL_LIB_CTX_new());
  OSSL_PROVIDER* legacy = OSSL_PROVIDER_try_load(probe.get(), "legacy", 1);
  if (legacy == nullptr) {
    GTEST_SKIP() << "no legacy provider: `openssl pkcs12 -legacy` cannot make the test file";
  }
  OSSL_PROVIDER_unload(legacy);
  fs::path p12 = export_pkcs12("legacy.p12", "-legacy -passout pass:" + chain_.password);
  std::string info;
  ssoc::test::run_command("openssl pkcs12 -info -noout -legacy -in '" + p12.string() +
                              "' -passin pass:" + chain_.password,
                          &info);
  ASSERT_NE(info.find("RC2"), std::string::npos) << "not a legacy file:\n" << info;
  expect_leaf_then_ca(read_certificate_chain(p12, password()));
}

TEST_F(ReadCertificateChain, ReadsPkcs12With3DesAsOlderWindowsWritesIt) {
  fs::path p12 = export_pkcs12("3des.p12",
                               "-certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES "
                               "-macalg sha1 -passout pass:" +
                                   chain_.password);
  expect_leaf_then_ca(read_certificate_chain(p12, password()));
}

TEST_F(ReadCertificateChain, ReadsPkcs12NamedJksAsRecentKeytoolWritesIt) {
  fs::copy_file(chain_.p12, dir_ / "keystore.jks");
  expect_leaf_then_ca(read_certificate_chain(dir_ / "keystore.jks", password()));
}

TEST_F(ReadCertificateChain, TellsFormatFromContentWithoutKnownExtension) {
  fs::copy_file(chain_.p12, dir_ / "keystore");
  expect_leaf_then_ca(read_certificate_chain(dir_ / "keystore", password()));
  write_text(dir_ / "chain.txt",
             "Bag Attributes: as openssl pkcs12 writes them\n" + parts_.leaf + parts_.ca);
  expect_leaf_then_ca(read_certificate_chain(dir_ / "chain.txt", {}));
}

TEST_F(ReadCertificateChain, AcceptsFileOfExactlyOneMebibyte) {
  std::string text = read_text(chain_.pem);
  text += std::string((1u << 20) - text.size(), '\n');
  write_text(dir_ / "big.pem", text);
  ASSERT_EQ(fs::file_size(dir_ / "big.pem"), 1u << 20);
  expect_leaf_then_ca(read_certificate_chain(dir_ / "big.pem", password()));
}

}  // namespace
}  // namespace ssoc::keystore::test
