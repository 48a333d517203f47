// CertificateChain::from_der and fields().
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include "keystore/cert_chain.hpp"
#include "keystore_fixture.hpp"

namespace ssoc::keystore::test {
namespace {

using X509Name = std::unique_ptr<X509_NAME, ossl::Deleter<X509_NAME_free>>;
using Asn1Integer = std::unique_ptr<ASN1_INTEGER, ossl::Deleter<ASN1_INTEGER_free>>;

X509Name parse_name(const Bytes& der) {
  const unsigned char* cursor = der.data();
  X509Name name(d2i_X509_NAME(nullptr, &cursor, static_cast<long>(der.size())));
  EXPECT_EQ(cursor, der.data() + der.size()) << "bytes after the name";
  return name;
}

ossl::X509Ptr parse(const Bytes& der) {
  const unsigned char* cursor = der.data();
  return ossl::X509Ptr(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
}

class CertificateChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chain_ = ssoc::test::make_test_chain(dir_.path());
    parts_ = split_pem(chain_.pem);
  }
  TempDir dir_;
  TestChain chain_;
  PemParts parts_;
};

TEST(CertificateChain, FromDerRefusesEmptyList) {
  auto chain = CertificateChain::from_der({});
  ASSERT_FALSE(chain.ok());
  EXPECT_EQ(chain.error().cause, Cause::InvalidInput);
}

TEST(CertificateChain, FromDerRefusesGarbage) {
  for (const Bytes& garbage : {Bytes{0x30, 0x03, 0x02, 0x01, 0x05}, Bytes{0x00}, Bytes{}}) {
    auto chain = CertificateChain::from_der({garbage});
    ASSERT_FALSE(chain.ok());
    EXPECT_EQ(chain.error().cause, Cause::InvalidInput);
  }
}

TEST_F(CertificateChainTest, FromDerRefusesGarbageAfterGoodLeaf) {
  Bytes trailing = pem_to_der(parts_.leaf);
  trailing.push_back(0x00);
  for (const auto& list : {std::vector<Bytes>{pem_to_der(parts_.leaf), Bytes{0x30, 0x00}},
                           std::vector<Bytes>{trailing}}) {
    auto chain = CertificateChain::from_der(list);
    ASSERT_FALSE(chain.ok());
    EXPECT_EQ(chain.error().cause, Cause::InvalidInput);
  }
}

TEST_F(CertificateChainTest, FromDerKeepsOrderAndHashesLeafPublicKey) {
  std::vector<Bytes> der{pem_to_der(parts_.leaf), pem_to_der(parts_.ca)};
  auto chain = CertificateChain::from_der(der);
  ASSERT_TRUE(chain.ok()) << chain.error().describe();
  EXPECT_EQ(chain->certificates(), der);
  EXPECT_EQ(chain->leaf(), der[0]);
  EXPECT_EQ(chain->leaf_key_id(), chain_.leaf_spki_sha1);
}

TEST_F(CertificateChainTest, FieldsParseBackAndLinkLeafToCa) {
  auto chain = read_certificate_chain(chain_.p12, secret_from(chain_.password));
  ASSERT_TRUE(chain.ok()) << chain.error().describe();
  CertificateFields leaf = chain->fields(0);
  CertificateFields ca = chain->fields(1);
  ossl::X509Ptr leaf_cert = parse(chain->leaf());
  ASSERT_NE(leaf_cert, nullptr);

  X509Name subject = parse_name(leaf.subject);
  X509Name issuer = parse_name(leaf.issuer);
  ASSERT_NE(subject, nullptr);
  ASSERT_NE(issuer, nullptr);
  EXPECT_EQ(X509_NAME_cmp(subject.get(), X509_get_subject_name(leaf_cert.get())), 0);
  EXPECT_EQ(X509_NAME_cmp(issuer.get(), X509_get_issuer_name(leaf_cert.get())), 0);

  const unsigned char* cursor = leaf.serial_number.data();
  Asn1Integer serial(
      d2i_ASN1_INTEGER(nullptr, &cursor, static_cast<long>(leaf.serial_number.size())));
  ASSERT_NE(serial, nullptr);
  EXPECT_EQ(cursor, leaf.serial_number.data() + leaf.serial_number.size());
  EXPECT_EQ(ASN1_INTEGER_cmp(serial.get(), X509_get0_serialNumber(leaf_cert.get())), 0);

  EXPECT_EQ(leaf.issuer, ca.subject);
  EXPECT_EQ(ca.issuer, ca.subject);  // the test CA is self-signed
  EXPECT_NE(leaf.subject, ca.subject);
  EXPECT_EQ(leaf.subject_text, "CN=sso.test");
  EXPECT_EQ(ca.subject_text, "CN=SSO Connect Test CA");
  EXPECT_THROW(chain->fields(2), std::out_of_range);
}

}  // namespace
}  // namespace ssoc::keystore::test
