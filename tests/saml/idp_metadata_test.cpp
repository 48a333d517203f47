// IdP metadata: what a real IdP publishes is accepted; everything else is refused with a message
// that names idp_metadata_file.
#include "saml/idp_metadata.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "common/openssl.hpp"
#include "support/test_env.hpp"

namespace ssoc::saml {
namespace {

using test::TempDir;

struct MetadataParts {
  std::string entity_id = "https://idp.example.com/saml/metadata";
  std::string key_use = " use=\"signing\"";
  std::string certificate;  // base64, may hold line breaks
  std::string redirect_binding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
  bool with_idp = true;
};

// Metadata as Okta or Keycloak publish it: an encryption key, a signing key, two bindings.
std::string idp_entity(const MetadataParts& parts) {
  std::ostringstream xml;
  xml << "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"\n"
      << "    xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" << parts.entity_id
      << "\">\n";
  if (parts.with_idp) {
    xml << "  <md:IDPSSODescriptor WantAuthnRequestsSigned=\"false\"\n"
        << "      protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n"
        << "    <md:KeyDescriptor use=\"encryption\">\n"
        << "      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>bm90IGEgY2VydGlmaWNhdGU="
        << "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\n"
        << "    </md:KeyDescriptor>\n";
    if (!parts.certificate.empty()) {
      xml << "    <md:KeyDescriptor" << parts.key_use << ">\n"
          << "      <ds:KeyInfo>\n        <ds:X509Data>\n          <ds:X509Certificate>\n"
          << parts.certificate << "          </ds:X509Certificate>\n"
          << "        </ds:X509Data>\n      </ds:KeyInfo>\n    </md:KeyDescriptor>\n";
    }
    xml << "    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
        << "</md:NameIDFormat>\n"
        << "    <md:SingleSignOnService "
           "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\"\n"
        << "        Location=\"https://idp.example.com/sso/post\"/>\n"
        << "    <md:SingleSignOnService Binding=\"" << parts.redirect_binding << "\"\n"
        << "        Location=\"https://idp.example.com/sso/redirect\"/>\n"
        << "  </md:IDPSSODescriptor>\n";
  } else {
    xml << "  <md:SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:"
           "protocol\">\n"
        << "    <md:AssertionConsumerService index=\"0\" Binding=\"urn:oasis:names:tc:SAML:2.0:"
           "bindings:HTTP-POST\" Location=\"https://sp.example.com/acs\"/>\n"
        << "  </md:SPSSODescriptor>\n";
  }
  xml << "</md:EntityDescriptor>\n";
  return xml.str();
}

std::string document(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body;
}

Result<IdpMetadata> parse(const std::string& xml) {
  return parse_idp_metadata(as_bytes(xml), "idp-metadata.xml");
}

class IdpMetadataTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    test::TestChain chain = test::make_test_chain(dir_->path(), "idp.example.com");
    leaf_base64_ = new std::string(test::pem_body(dir_->path() / "leaf.pem", "            "));
  }
  static void TearDownTestSuite() {
    delete leaf_base64_;
    delete dir_;
  }

  MetadataParts good() const {
    MetadataParts parts;
    parts.certificate = *leaf_base64_;
    return parts;
  }

  // The substring check that every refusal shares: the setting it names and the file.
  static void expect_refused(const Result<IdpMetadata>& result, std::string_view words) {
    ASSERT_FALSE(result.ok()) << "accepted";
    EXPECT_EQ(result.error().cause, Cause::InvalidSetting);
    EXPECT_NE(result.error().message.find("idp_metadata_file"), std::string::npos)
        << result.error().message;
    EXPECT_NE(result.error().message.find(words), std::string::npos) << result.error().message;
  }

  static TempDir* dir_;
  static std::string* leaf_base64_;
};

TempDir* IdpMetadataTest::dir_ = nullptr;
std::string* IdpMetadataTest::leaf_base64_ = nullptr;

TEST_F(IdpMetadataTest, ReadsEntityIdSigningCertificateAndRedirectUrl) {
  auto metadata = parse(document(idp_entity(good())));
  ASSERT_TRUE(metadata.ok()) << metadata.error().describe();
  EXPECT_EQ(metadata->entity_id, "https://idp.example.com/saml/metadata");
  EXPECT_EQ(metadata->sso_redirect_url, "https://idp.example.com/sso/redirect");
  ASSERT_EQ(metadata->signing_certificates.size(), 1u);  // the encryption key is left out

  // The DER is the leaf certificate that openssl made.
  const Bytes& der = metadata->signing_certificates.front();
  const unsigned char* p = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ASSERT_TRUE(cert);
  char name[256] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, name, sizeof name);
  EXPECT_STREQ(name, "idp.example.com");
}

TEST_F(IdpMetadataTest, KeyDescriptorWithoutUseCountsAsSigning) {
  MetadataParts parts = good();
  parts.key_use = "";
  auto metadata = parse(document(idp_entity(parts)));
  ASSERT_TRUE(metadata.ok()) << metadata.error().describe();
  EXPECT_EQ(metadata->signing_certificates.size(), 1u);
}

TEST_F(IdpMetadataTest, ReadsTheOneIdpOfAnEntitiesDescriptor) {
  MetadataParts sp = good();
  sp.entity_id = "https://sp.example.com";
  sp.with_idp = false;
  std::string xml =
      document("<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">\n" +
               idp_entity(sp) + idp_entity(good()) + "</md:EntitiesDescriptor>\n");
  auto metadata = parse(xml);
  ASSERT_TRUE(metadata.ok()) << metadata.error().describe();
  EXPECT_EQ(metadata->entity_id, "https://idp.example.com/saml/metadata");
}

TEST_F(IdpMetadataTest, RefusesAnEntitiesDescriptorWithTwoIdps) {
  MetadataParts other = good();
  other.entity_id = "https://other-idp.example.com";
  std::string xml =
      document("<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">\n" +
               idp_entity(good()) + idp_entity(other) + "</md:EntitiesDescriptor>\n");
  expect_refused(parse(xml), "2 identity providers");
}

TEST_F(IdpMetadataTest, RefusesMetadataWithoutIdpDescriptor) {
  MetadataParts parts = good();
  parts.with_idp = false;
  expect_refused(parse(document(idp_entity(parts))), "no identity provider");
}

TEST_F(IdpMetadataTest, RefusesMetadataWithoutSigningCertificate) {
  MetadataParts parts = good();
  parts.certificate.clear();  // only the encryption key is left
  expect_refused(parse(document(idp_entity(parts))), "no signing certificate");
}

TEST_F(IdpMetadataTest, RefusesGarbageBase64) {
  MetadataParts parts = good();
  parts.certificate = "MIIC!!not*base64";
  expect_refused(parse(document(idp_entity(parts))), "not valid base64");
}

TEST_F(IdpMetadataTest, RefusesACertificateThatDoesNotParse) {
  MetadataParts parts = good();
  parts.certificate = "bm90IGEgY2VydGlmaWNhdGUgYXQgYWxs";  // "not a certificate at all"
  expect_refused(parse(document(idp_entity(parts))), "not an X.509 certificate");
}

TEST_F(IdpMetadataTest, RefusesATruncatedCertificate) {
  MetadataParts parts = good();
  std::string base64 = parts.certificate;
  std::erase_if(base64, [](char c) { return c == ' ' || c == '\n'; });
  parts.certificate = base64.substr(0, base64.size() / 2 / 4 * 4);
  expect_refused(parse(document(idp_entity(parts))), "not an X.509 certificate");
}

TEST_F(IdpMetadataTest, RefusesMetadataWithoutRedirectBinding) {
  MetadataParts parts = good();
  parts.redirect_binding = "urn:oasis:names:tc:SAML:2.0:bindings:SOAP";
  expect_refused(parse(document(idp_entity(parts))), "HTTP-Redirect");
}

TEST_F(IdpMetadataTest, RefusesElementsOutsideTheMetadataNamespace) {
  std::string xml = idp_entity(good());
  xml.replace(xml.find("urn:oasis:names:tc:SAML:2.0:metadata"),
              std::string_view("urn:oasis:names:tc:SAML:2.0:metadata").size(),
              "urn:example:not-saml");
  expect_refused(parse(document(xml)), "not SAML 2.0 metadata");
}

TEST_F(IdpMetadataTest, RefusesBillionLaughsWithoutExpandingIt) {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE md:EntityDescriptor [\n"
      "  <!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    xml += "  <!ENTITY lol" + std::to_string(i) + " \"";
    for (int k = 0; k < 10; ++k)
      xml += "&lol" + (i == 1 ? std::string() : std::to_string(i - 1)) + ";";
    xml += "\">\n";
  }
  xml += "]>\n";
  std::string body = idp_entity(good());
  body.replace(body.find("https://idp.example.com/saml/metadata"),
               std::string_view("https://idp.example.com/saml/metadata").size(), "&lol9;");
  xml += body;
  expect_refused(parse(xml), "DOCTYPE");
}

// Parsing stops at "<!DOCTYPE name": the declarations after it are never read, so a broken
// internal subset is reported as a DOCTYPE, not as a syntax error inside it.
TEST_F(IdpMetadataTest, StopsAtTheDoctypeBeforeReadingItsDeclarations) {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [ <!ENTITY broken \"never closed\n" +
                    idp_entity(good());
  expect_refused(parse(xml), "DOCTYPE");
}

TEST_F(IdpMetadataTest, RefusesAnExternalEntityDoctype) {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE md:EntityDescriptor SYSTEM \"file:///etc/passwd\">\n" +
      idp_entity(good());
  expect_refused(parse(xml), "DOCTYPE");
}

TEST_F(IdpMetadataTest, RefusesTextThatIsNotXml) {
  expect_refused(parse("this is not XML at all\n"), "not well-formed XML");
}

TEST_F(IdpMetadataTest, RefusesAnEmptyDocument) {
  expect_refused(parse(""), "empty");
}

TEST_F(IdpMetadataTest, RefusesTruncatedMetadata) {
  std::string xml = document(idp_entity(good()));
  expect_refused(parse(xml.substr(0, xml.size() * 2 / 3)), "not well-formed XML");
}

TEST_F(IdpMetadataTest, RefusesOversizedMetadata) {
  std::string xml = document(idp_entity(good()));
  std::string padding = "<!-- " + std::string(1u << 20, 'x') + " -->\n";
  expect_refused(parse(xml + padding), "more than the 1048576 allowed");
}

TEST_F(IdpMetadataTest, ReadsAFile) {
  TempDir dir;
  std::string xml = document(idp_entity(good()));
  test::write_all(dir / "idp-metadata.xml", as_bytes(xml));
  auto metadata = read_idp_metadata(dir / "idp-metadata.xml");
  ASSERT_TRUE(metadata.ok()) << metadata.error().describe();
  EXPECT_EQ(metadata->entity_id, "https://idp.example.com/saml/metadata");
}

TEST_F(IdpMetadataTest, RefusesAMissingFileNamingIt) {
  TempDir dir;
  auto metadata = read_idp_metadata(dir / "absent.xml");
  expect_refused(metadata, "absent.xml does not exist");
}

TEST_F(IdpMetadataTest, RefusesAnOversizedFileBeforeReadingIt) {
  TempDir dir;
  std::string big = document(idp_entity(good())) + "<!-- " + std::string(2u << 20, 'x') + " -->";
  test::write_all(dir / "big.xml", as_bytes(big));
  expect_refused(read_idp_metadata(dir / "big.xml"), "more than the 1048576 allowed");
}

}  // namespace
}  // namespace ssoc::saml
