// SignatureKeys::verify, the service's own XML DSig verification, on signatures made by xmlsec
// (the test IdP): it accepts what xmlsec signed, with every allowed algorithm, and refuses each
// kind of change to the signed element, the digest, SignedInfo or the signature value.
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include "common/encoding.hpp"
#include "saml/saml_names.hpp"
#include "saml/xml_document.hpp"
#include "saml/xml_security.hpp"
#include "support/saml/saml_forge.hpp"
#include "support/test_env.hpp"

namespace ssoc::saml {
namespace {

namespace forge = ssoc::test::saml;

Bytes certificate_der(const std::string& pem_file) {
  ossl::Bio bio(BIO_new_file(pem_file.c_str(), "r"));
  ossl::X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  unsigned char* der = nullptr;
  int size = i2d_X509(certificate.get(), &der);
  Bytes out(der, der + size);
  OPENSSL_free(der);
  return out;
}

class Signature : public ::testing::Test {
 protected:
  void SetUp() override {
    init_xml_security();
    keys_ = SignatureKeys::from_certificates({certificate_der(idp_.cert_pem_file)}).value();
  }

  forge::ResponseSpec spec() const {
    forge::ResponseSpec s;
    s.destination = s.recipient = "https://sso.test/saml/acs";
    s.audience = "https://sso.test/saml/metadata";
    s.in_response_to = "_request";
    s.signer = idp_;
    return s;
  }

  // Verifies the Response's own signature in `xml`.
  Result<void> verify_response(const std::string& xml, bool allow_sha1 = false) const {
    std::string problem;
    doc_ = parse_xml(as_bytes(xml), problem);
    if (!doc_) return fail(Cause::InvalidInput, problem);
    xmlNode* response = xmlDocGetRootElement(doc_.get());
    auto signatures = child_elements(response, kDsigNs, "Signature");
    if (signatures.size() != 1) return fail(Cause::InvalidInput, "no signature");
    return keys_->verify(signatures.front(), response, allow_sha1);
  }

  test::TempDir dir_;
  forge::IdpKey idp_ = forge::make_idp_key(dir_.path(), "idp.test");
  forge::IdpKey other_ = forge::make_idp_key(dir_.path(), "other.test");
  std::shared_ptr<const SignatureKeys> keys_;
  mutable XmlDoc doc_;
};

TEST_F(Signature, AcceptsWhatXmlsecSignedWithEveryAllowedAlgorithm) {
  for (auto [digest, method] :
       std::vector<std::pair<std::string, std::string>>{{"sha256", "rsa-sha256"},
                                                        {"sha384", "rsa-sha384"},
                                                        {"sha512", "rsa-sha512"},
                                                        {"sha256", "rsa-sha512"}}) {
    forge::ResponseSpec s = spec();
    s.digest = digest;
    s.signature = method;
    auto verified = verify_response(forge::make_response(s));
    EXPECT_TRUE(verified) << digest << " " << method << ": " << verified.error().message;
  }
}

TEST_F(Signature, Sha1OnlyWhenAllowed) {
  forge::ResponseSpec s = spec();
  s.digest = "sha1";
  s.signature = "rsa-sha1";
  std::string xml = forge::make_response(s);
  auto refused = verify_response(xml);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("allow_sha1"), std::string::npos);
  EXPECT_TRUE(verify_response(xml, /*allow_sha1=*/true));
}

TEST_F(Signature, RefusesAnotherKey) {
  forge::ResponseSpec s = spec();
  s.signer = other_;
  EXPECT_FALSE(verify_response(forge::make_response(s)));
}

TEST_F(Signature, RefusesAChangeToTheSignedElement) {
  std::string xml = forge::make_response(spec());
  // The Issuer of the Response is covered; so is any attribute of it.
  EXPECT_FALSE(verify_response(forge::replace_after_signing(
      xml, "https://idp.test/metadata</saml:Issuer>", "https://idq.test/metadata</saml:Issuer>")));
  EXPECT_FALSE(verify_response(forge::replace_after_signing(
      xml, "Destination=\"https://sso.test/saml/acs\"", "Destination=\"https://sso.test/acs\"")));
  EXPECT_FALSE(verify_response(
      forge::replace_after_signing(xml, "InResponseTo=\"_request\"", "InResponseTo=\"_other\"")));
}

TEST_F(Signature, RefusesAChangedDigestSignedInfoOrSignatureValue) {
  std::string xml = forge::make_response(spec());
  auto tamper = [&](const std::string& open, const std::string& close) {
    std::size_t at = xml.find(open);
    EXPECT_NE(at, std::string::npos) << open;
    at += open.size();
    std::size_t end = xml.find(close, at);
    std::string changed = xml;
    // Flip one base64 character in the middle (still valid base64, another value).
    std::size_t middle = at + (end - at) / 2;
    changed[middle] = changed[middle] == 'A' ? 'B' : 'A';
    return changed;
  };
  EXPECT_FALSE(verify_response(tamper("<ds:DigestValue>", "</ds:DigestValue>")));
  EXPECT_FALSE(verify_response(tamper("<ds:SignatureValue>", "</ds:SignatureValue>")));
  // SignedInfo names the reference: pointing it elsewhere breaks the signature value.
  std::string other_id = xml;
  std::size_t uri = other_id.find("URI=\"#");
  ASSERT_NE(uri, std::string::npos);
  other_id.insert(uri + 6, "x");
  EXPECT_FALSE(verify_response(other_id));
}

TEST_F(Signature, RefusesASignatureThatIsNotInsideTheElementItSigns) {
  std::string xml = forge::make_response(spec());
  std::string problem;
  XmlDoc doc = parse_xml(as_bytes(xml), problem);
  ASSERT_TRUE(doc);
  xmlNode* response = xmlDocGetRootElement(doc.get());
  xmlNode* signature = child_elements(response, kDsigNs, "Signature").front();
  xmlNode* assertion = child_elements(response, kSamlAssertionNs, "Assertion").front();
  auto verified = keys_->verify(signature, assertion, false);
  ASSERT_FALSE(verified);
  EXPECT_NE(verified.error().message.find("not enveloped"), std::string::npos);
}

TEST_F(Signature, LineBreaksInBase64ValuesAreAccepted) {
  std::string xml = forge::make_response(spec());
  std::size_t at = xml.find("<ds:SignatureValue>") + 19;
  xml.insert(at + 40, "\n");
  xml.insert(at + 20, "\r\n ");
  EXPECT_TRUE(verify_response(xml));
}

}  // namespace
}  // namespace ssoc::saml
