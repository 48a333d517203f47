// The second IdP implementation: tests/saml_idp/pysaml2_response.py drives pysaml2, whose output
// must verify with the xmlsec1 command and say what the SP expects.
#include <gtest/gtest.h>
#include <unistd.h>

#include "check_support.hpp"

namespace ssoc::test::saml {
namespace {

using namespace check;

// Runs the script with the usual identity plus `flags`; returns the decoded XML.
std::string pysaml2_response(const std::string& flags, int* exit_status = nullptr) {
  fs::path out = keys().dir / ("pysaml2-" + std::to_string(::getpid()) + ".b64");
  std::string command = std::string("/usr/bin/python3 '") + SSOC_PYSAML2_RESPONSE + "'" +
                        " --idp-key '" + keys().idp.key_pem_file + "' --idp-cert '" +
                        keys().idp.cert_pem_file + "' --idp-entity-id https://idp.test/metadata" +
                        " --sp-entity-id " + kSpEntity + " --acs-url " + kAcs +
                        " --in-response-to _request-4711 --name-id alice@example.test" +
                        " --email Alice@Example.test --first Alice --last Example --out '" +
                        out.string() + "' " + flags;
  std::string output;
  int rc = run(command, &output);
  if (exit_status != nullptr) {
    *exit_status = rc;
  } else {
    EXPECT_EQ(rc, 0) << output;
  }
  std::string b64 = read_file(out);
  fs::remove(out);
  return rc == 0 ? decode_base64(b64) : "";
}

TEST(Pysaml2Response, SignedResponseAndAssertionVerify) {
  std::string xml = pysaml2_response("--sign-response --sign-assertion");
  auto checks = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].referenced, "/Response");
  EXPECT_TRUE(checks[0].valid);
  EXPECT_EQ(checks[1].referenced, "/Response/Assertion");
  EXPECT_TRUE(checks[1].valid);
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file, kAssertionSignatureXpath));
  EXPECT_FALSE(xmlsec1_verifies(xml, keys().attacker.cert_pem_file));
  EXPECT_EQ(count(xml, "Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\""), 2u);
  EXPECT_EQ(count(xml, "sha1"), 0u);
}

TEST(Pysaml2Response, SaysWhatTheSpExpects) {
  std::string xml = pysaml2_response("--sign-assertion");
  EXPECT_NE(xml.find("Destination=\"" + std::string(kAcs) + "\""), std::string::npos);
  EXPECT_NE(xml.find("Recipient=\"" + std::string(kAcs) + "\""), std::string::npos);
  EXPECT_EQ(count(xml, "InResponseTo=\"_request-4711\""), 2u);
  Tree tree(xml);
  EXPECT_EQ(tree.elements("Audience")[0].second, kSpEntity);
  EXPECT_EQ(tree.elements("NameID")[0].second, "alice@example.test");
  EXPECT_NE(xml.find("NameID Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\""),
            std::string::npos);
  for (const char* name : {"Email", "First", "Last"}) {
    EXPECT_NE(xml.find(std::string("Attribute Name=\"") + name +
                       "\" NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:basic\""),
              std::string::npos)
        << name;
  }
  auto values = tree.elements("AttributeValue");
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].second, "Alice@Example.test");
  EXPECT_EQ(values[1].second, "Alice");
  EXPECT_EQ(values[2].second, "Example");
  auto checks = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].referenced, "/Response/Assertion");
  EXPECT_TRUE(checks[0].valid);
}

TEST(Pysaml2Response, EncryptedAssertionDecryptsToASignedAssertion) {
  std::string xml = pysaml2_response("--sign-response --sign-assertion --encrypt-cert '" +
                                     keys().sp.cert_pem_file + "'");
  EXPECT_EQ(xml.find("alice@example.test"), std::string::npos);
  EXPECT_NE(xml.find("EncryptedAssertion"), std::string::npos);
  EXPECT_NE(xml.find("http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"), std::string::npos);
  auto outer = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(outer.size(), 1u);
  EXPECT_TRUE(outer[0].valid);
  EXPECT_EQ(xmlsec1_decrypt(xml, keys().attacker.key_pem_file), "");
  std::string decrypted = xmlsec1_decrypt(xml, keys().sp.key_pem_file);
  ASSERT_NE(decrypted, "");
  EXPECT_EQ(Tree(decrypted).elements("NameID")[0].second, "alice@example.test");
  EXPECT_TRUE(xmlsec1_verifies(decrypted, keys().idp.cert_pem_file, kAssertionSignatureXpath));
}

TEST(Pysaml2Response, Sha1OnlyWhenAsked) {
  std::string xml = pysaml2_response("--sign-response --algorithms sha1");
  EXPECT_NE(xml.find("Algorithm=\"http://www.w3.org/2000/09/xmldsig#rsa-sha1\""),
            std::string::npos);
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));
}

TEST(Pysaml2Response, BadArgumentsExitTwo) {
  int rc = 0;
  pysaml2_response("--algorithms md5", &rc);
  EXPECT_EQ(rc, 2);
}

}  // namespace
}  // namespace ssoc::test::saml
