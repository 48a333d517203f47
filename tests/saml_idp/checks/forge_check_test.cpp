// The forge's good output: responses that verify (with the forge's check and with the xmlsec1
// command), say what the spec asked, and decrypt; keys, metadata and the POST body.
#include <gtest/gtest.h>

#include <cctype>
#include <regex>

#include "check_support.hpp"

namespace ssoc::test::saml {
namespace {

using namespace check;

TEST(MakeResponse, SignsResponseAndAssertionAfterTheirIssuers) {
  std::string xml = make_response(good_spec());
  auto checks = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].holder, "/Response");
  EXPECT_EQ(checks[0].referenced, "/Response");
  EXPECT_TRUE(checks[0].valid);
  EXPECT_EQ(checks[1].holder, "/Response/Assertion");
  EXPECT_EQ(checks[1].referenced, "/Response/Assertion");
  EXPECT_TRUE(checks[1].valid);
  EXPECT_EQ(count(xml, "</saml:Issuer><ds:Signature"), 2u);
  EXPECT_NE(xml.find("enveloped-signature"), std::string::npos);
  EXPECT_NE(xml.find("<ds:X509Certificate>"), std::string::npos);
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file, kAssertionSignatureXpath));
}

TEST(MakeResponse, SignaturesDoNotVerifyWithAnotherKey) {
  std::string xml = make_response(good_spec());
  for (const auto& check : check_signatures(xml, keys().attacker.cert_pem_file))
    EXPECT_FALSE(check.valid) << check.holder;
  EXPECT_FALSE(xmlsec1_verifies(xml, keys().attacker.cert_pem_file));
}

TEST(MakeResponse, SignedByAttackerKeyFailsAgainstIdpCertificate) {
  ResponseSpec spec = good_spec();
  spec.signer = keys().attacker;
  std::string xml = make_response(spec);
  // The attacker's certificate travels in KeyInfo; a verifier must use the metadata key instead.
  EXPECT_FALSE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));
  EXPECT_FALSE(xmlsec1_verifies(xml, keys().idp.cert_pem_file, kAssertionSignatureXpath));
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().attacker.cert_pem_file));
}

TEST(MakeResponse, SignsOnlyWhatIsAsked) {
  ResponseSpec spec = good_spec();
  spec.sign_assertion = false;
  auto only_response = check_signatures(make_response(spec), keys().idp.cert_pem_file);
  ASSERT_EQ(only_response.size(), 1u);
  EXPECT_EQ(only_response[0].referenced, "/Response");
  EXPECT_TRUE(only_response[0].valid);

  spec.sign_assertion = true;
  spec.sign_response = false;
  std::string xml = make_response(spec);
  auto only_assertion = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(only_assertion.size(), 1u);
  EXPECT_EQ(only_assertion[0].referenced, "/Response/Assertion");
  EXPECT_TRUE(only_assertion[0].valid);
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));

  spec.sign_assertion = false;
  EXPECT_TRUE(check_signatures(make_response(spec), keys().idp.cert_pem_file).empty());
}

TEST(MakeResponse, Sha1WhenAsked) {
  ResponseSpec spec = good_spec();
  spec.digest = "sha1";
  spec.signature = "rsa-sha1";
  std::string xml = make_response(spec);
  EXPECT_EQ(count(xml, "Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\""), 2u);
  EXPECT_EQ(count(xml, "Algorithm=\"http://www.w3.org/2000/09/xmldsig#sha1\""), 2u);
  EXPECT_EQ(count(xml, "sha256"), 0u);
  for (const auto& check : check_signatures(xml, keys().idp.cert_pem_file))
    EXPECT_TRUE(check.valid);
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));
}

TEST(MakeResponse, RefusesUnknownAlgorithmsAndMissingSigner) {
  ResponseSpec spec = good_spec();
  spec.digest = "md5";
  EXPECT_THROW(make_response(spec), std::invalid_argument);
  spec = good_spec();
  spec.signer = {};
  EXPECT_THROW(make_response(spec), std::invalid_argument);
  spec.sign_response = spec.sign_assertion = false;
  EXPECT_NO_THROW(make_response(spec));
}

TEST(MakeResponse, WritesTheSpecValues) {
  ResponseSpec spec = good_spec();
  spec.now = 1700000000;  // 2023-11-14T22:13:20Z
  spec.response_id = "_response-1";
  spec.assertion_id = "_assertion-1";
  spec.name_id = "bob@example.test";
  spec.attributes = {{"Email", "Bob@Example.test"}, {"First", "Bob & Co"}};
  spec.status = "urn:oasis:names:tc:SAML:2.0:status:Requester";
  spec.response_issuer = "https://other-idp.test";
  std::string xml = make_response(spec);
  Tree tree(xml);
  EXPECT_EQ(tree.ids(), (std::vector<std::string>{"_response-1", "_assertion-1"}));
  EXPECT_NE(xml.find("IssueInstant=\"2023-11-14T22:13:20Z\" Destination=\"" + std::string(kAcs) +
                     "\" InResponseTo=\"_request-4711\""),
            std::string::npos);
  EXPECT_NE(xml.find("<saml:SubjectConfirmationData NotOnOrAfter=\"2023-11-14T22:18:20Z\" "
                     "InResponseTo=\"_request-4711\" Recipient=\"" +
                     std::string(kAcs) + "\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("NotBefore=\"2023-11-14T22:12:20Z\" NotOnOrAfter=\"2023-11-14T22:18:20Z\""),
            std::string::npos);
  EXPECT_NE(xml.find("<saml:Audience>" + std::string(kSpEntity) + "</saml:Audience>"),
            std::string::npos);
  EXPECT_NE(xml.find("StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Requester\""),
            std::string::npos);
  auto issuers = tree.elements("Issuer");
  ASSERT_EQ(issuers.size(), 2u);
  EXPECT_EQ(issuers[0].second, "https://other-idp.test");
  EXPECT_EQ(issuers[1].second, spec.idp_entity_id);
  auto name_ids = tree.elements("NameID");
  ASSERT_EQ(name_ids.size(), 1u);
  EXPECT_EQ(name_ids[0].second, "bob@example.test");
  EXPECT_NE(xml.find("Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\""),
            std::string::npos);
  auto values = tree.elements("AttributeValue");
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[1].second, "Bob & Co");
  EXPECT_NE(xml.find("<saml:Attribute Name=\"Email\" "
                     "NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\">"),
            std::string::npos);
}

TEST(MakeResponse, TimesCanBeSetOneByOne) {
  ResponseSpec spec = good_spec();
  spec.now = 1700000000;
  spec.issue_instant = 1600000000;  // 2020-09-13T12:26:40Z
  spec.not_before = 1700000100;
  spec.not_on_or_after = 1700000200;
  spec.subject_not_on_or_after = 1700000010;
  std::string xml = make_response(spec);
  EXPECT_EQ(count(xml, "IssueInstant=\"2020-09-13T12:26:40Z\""), 2u);
  EXPECT_NE(xml.find("AuthnInstant=\"2020-09-13T12:26:40Z\""), std::string::npos);
  EXPECT_NE(xml.find("NotBefore=\"2023-11-14T22:15:00Z\" NotOnOrAfter=\"2023-11-14T22:16:40Z\""),
            std::string::npos);
  EXPECT_NE(xml.find("SubjectConfirmationData NotOnOrAfter=\"2023-11-14T22:13:30Z\""),
            std::string::npos);
}

struct Omission {
  const char* name;
  void (*apply)(ResponseSpec&);
  const char* gone;     // no longer in the XML
  const char* remains;  // still in it
};

void PrintTo(const Omission& omission, std::ostream* out) {
  *out << omission.name;
}

class OmitFlag : public testing::TestWithParam<Omission> {};

TEST_P(OmitFlag, RemovesOnlyItsPartAndStillVerifies) {
  std::string full = make_response(good_spec());
  ASSERT_NE(full.find(GetParam().gone), std::string::npos);
  ResponseSpec spec = good_spec();
  GetParam().apply(spec);
  std::string xml = make_response(spec);
  EXPECT_EQ(xml.find(GetParam().gone), std::string::npos);
  EXPECT_NE(xml.find(GetParam().remains), std::string::npos);
  auto checks = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(checks.size(), 2u);
  for (const auto& check : checks) EXPECT_TRUE(check.valid) << check.holder;
}

INSTANTIATE_TEST_SUITE_P(
    Forge, OmitFlag,
    testing::Values(Omission{"Destination", [](ResponseSpec& s) { s.omit_destination = true; },
                             "Destination=", "Recipient="},
                    Omission{"Recipient", [](ResponseSpec& s) { s.omit_recipient = true; },
                             "Recipient=", "Destination="},
                    Omission{"Audience", [](ResponseSpec& s) { s.omit_audience = true; },
                             "<saml:Audience", "<saml:Conditions"},
                    Omission{"Bearer", [](ResponseSpec& s) { s.omit_bearer = true; },
                             "SubjectConfirmation", "<saml:NameID"},
                    Omission{"SubjectConfirmationData",
                             [](ResponseSpec& s) { s.omit_subject_confirmation_data = true; },
                             "SubjectConfirmationData", "cm:bearer"},
                    Omission{"SubjectNotOnOrAfter",
                             [](ResponseSpec& s) { s.omit_subject_not_on_or_after = true; },
                             "SubjectConfirmationData NotOnOrAfter",
                             "<saml:SubjectConfirmationData "
                             "InResponseTo"},
                    Omission{"AuthnStatement",
                             [](ResponseSpec& s) { s.omit_authn_statement = true; },
                             "AuthnStatement", "AttributeStatement"},
                    Omission{"InResponseTo", [](ResponseSpec& s) { s.in_response_to.clear(); },
                             "InResponseTo", "Recipient="}),
    [](const testing::TestParamInfo<Omission>& info) { return std::string(info.param.name); });

TEST(MakeResponse, AssertionIssuerOmittedPutsSignatureFirst) {
  ResponseSpec spec = good_spec();
  spec.omit_assertion_issuer = true;
  std::string xml = make_response(spec);
  EXPECT_EQ(count(xml, "<saml:Issuer>"), 1u);
  EXPECT_TRUE(std::regex_search(xml, std::regex("<saml:Assertion [^>]*><ds:Signature")));
  for (const auto& check : check_signatures(xml, keys().idp.cert_pem_file))
    EXPECT_TRUE(check.valid) << check.holder;
}

TEST(MakeResponse, TwoAssertionsEachSigned) {
  ResponseSpec spec = good_spec();
  spec.assertion_count = 2;
  std::string xml = make_response(spec);
  auto checks = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_EQ(checks[1].referenced, "/Response/Assertion");
  EXPECT_EQ(checks[2].referenced, "/Response/Assertion[2]");
  for (const auto& check : checks) EXPECT_TRUE(check.valid) << check.holder;
  EXPECT_FALSE(has_duplicates(Tree(xml).ids()));
  spec.assertion_id = "_same";
  EXPECT_THROW(make_response(spec), std::invalid_argument);
  spec.assertion_id.clear();
  spec.assertion_count = 0;
  EXPECT_EQ(make_response(spec).find("Assertion"), std::string::npos);
}

struct Encryption {
  const char* data;
  const char* transport;
  const char* data_uri;
  const char* transport_uri;
};

void PrintTo(const Encryption& encryption, std::ostream* out) {
  *out << encryption.data << " + " << encryption.transport;
}

class EncryptedAssertion : public testing::TestWithParam<Encryption> {};

TEST_P(EncryptedAssertion, DecryptsWithTheSpKeyToTheSignedAssertion) {
  ResponseSpec spec = good_spec();
  spec.encrypt_to_cert_pem_file = keys().sp.cert_pem_file;
  spec.data_encryption = GetParam().data;
  spec.key_transport = GetParam().transport;
  std::string xml = make_response(spec);
  EXPECT_EQ(xml.find("alice@example.test"), std::string::npos);
  EXPECT_EQ(xml.find("<saml:Assertion"), std::string::npos);
  EXPECT_NE(xml.find("<saml:EncryptedAssertion"), std::string::npos);
  EXPECT_NE(xml.find(std::string("Algorithm=\"") + GetParam().data_uri + "\""), std::string::npos);
  EXPECT_NE(xml.find(std::string("Algorithm=\"") + GetParam().transport_uri + "\""),
            std::string::npos);
  auto outer = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(outer.size(), 1u);
  EXPECT_EQ(outer[0].referenced, "/Response");
  EXPECT_TRUE(outer[0].valid);
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));

  EXPECT_EQ(xmlsec1_decrypt(xml, keys().attacker.key_pem_file), "");
  std::string decrypted = xmlsec1_decrypt(xml, keys().sp.key_pem_file);
  ASSERT_NE(decrypted, "");
  auto names = Tree(decrypted).elements("NameID");
  ASSERT_EQ(names.size(), 1u);
  EXPECT_EQ(names[0].first, "/Response/EncryptedAssertion/Assertion/Subject/NameID");
  EXPECT_EQ(names[0].second, "alice@example.test");
  auto inner = check_signatures(decrypted, keys().idp.cert_pem_file);
  ASSERT_EQ(inner.size(), 2u);
  EXPECT_EQ(inner[1].referenced, "/Response/EncryptedAssertion/Assertion");
  EXPECT_TRUE(inner[1].valid);
  EXPECT_TRUE(xmlsec1_verifies(decrypted, keys().idp.cert_pem_file, kAssertionSignatureXpath));
}

INSTANTIATE_TEST_SUITE_P(
    Forge, EncryptedAssertion,
    testing::Values(
        Encryption{"aes256-gcm", "rsa-oaep-mgf1p", "http://www.w3.org/2009/xmlenc11#aes256-gcm",
                   "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"},
        Encryption{"aes128-cbc", "rsa-oaep-mgf1p", "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
                   "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"},
        Encryption{"aes256-cbc", "rsa-1_5", "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
                   "http://www.w3.org/2001/04/xmlenc#rsa-1_5"}),
    [](const testing::TestParamInfo<Encryption>& info) {
      std::string name = std::string(info.param.data) + "_" + info.param.transport;
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      return name;
    });

TEST(MakeIdpKey, MakesOnceAndReuses) {
  IdpKey again = make_idp_key(keys().dir, "idp.test");
  EXPECT_EQ(again.key_pem_file, keys().idp.key_pem_file);
  EXPECT_EQ(read_file(again.cert_pem_file), read_file(keys().idp.cert_pem_file));
  EXPECT_NE(read_file(keys().attacker.cert_pem_file), read_file(keys().idp.cert_pem_file));
  std::string text;
  ASSERT_EQ(run("openssl x509 -noout -subject -issuer -text -in '" + keys().idp.cert_pem_file + "'",
                &text),
            0);
  EXPECT_NE(text.find("subject=CN = idp.test"), std::string::npos);
  EXPECT_NE(text.find("issuer=CN = idp.test"), std::string::npos);
  EXPECT_NE(text.find("Public-Key: (2048 bit)"), std::string::npos);
}

TEST(IdpMetadata, NamesTheSigningKeyAndRedirectEndpoint) {
  std::string xml = idp_metadata_xml("https://idp.test/metadata", keys().idp.cert_pem_file,
                                     "https://idp.test/sso");
  Tree tree(xml);
  EXPECT_STREQ(reinterpret_cast<const char*>(tree.root()->name), "EntityDescriptor");
  EXPECT_NE(xml.find("entityID=\"https://idp.test/metadata\""), std::string::npos);
  EXPECT_NE(xml.find("<md:KeyDescriptor use=\"signing\">"), std::string::npos);
  EXPECT_NE(xml.find("Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
                     "Location=\"https://idp.test/sso\""),
            std::string::npos);
  auto certificates = tree.elements("X509Certificate");
  ASSERT_EQ(certificates.size(), 1u);
  std::string pem = read_file(keys().idp.cert_pem_file), body;
  for (std::size_t at = pem.find('\n') + 1; at < pem.find("-----END"); ++at)
    if (pem[at] != '\n') body += pem[at];
  std::string listed;
  for (char c : certificates[0].second)
    if (c != '\n') listed += c;
  EXPECT_EQ(listed, body);
  EXPECT_THROW(idp_metadata_xml("x", (keys().dir / "missing.pem").string(), "y"),
               std::invalid_argument);
}

TEST(FormBody, CarriesBase64AndRelayStateUrlEncoded) {
  std::string xml = make_response(good_spec());
  std::string b64 = base64(xml);
  EXPECT_EQ(b64.find('\n'), std::string::npos);
  EXPECT_EQ(decode_base64(b64), xml);
  EXPECT_EQ(base64("ab"), "YWI=");
  EXPECT_EQ(base64("?>?"), "Pz4/");

  std::string body = form_body("?>?>", "tx 1&a=b/c");
  EXPECT_EQ(body, "SAMLResponse=Pz4%2FPg%3D%3D&RelayState=tx%201%26a%3Db%2Fc");
}

}  // namespace
}  // namespace ssoc::test::saml
