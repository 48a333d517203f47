// The forge's hostile output: edits after signing break the signature; comments, wrapping and
// duplicate IDs keep the original signature valid where the header says so; DOCTYPEs expand as
// described.
#include <gtest/gtest.h>

#include "check_support.hpp"

namespace ssoc::test::saml {
namespace {

using namespace check;

const char* kEvil = "mallory@evil.test";

std::string signed_response_only() {
  ResponseSpec spec = good_spec();
  spec.sign_assertion = false;
  return make_response(spec);
}

std::string signed_assertion_only() {
  ResponseSpec spec = good_spec();
  spec.sign_response = false;
  return make_response(spec);
}

// The one signature of a response signed once.
SignatureCheck only_signature(const std::string& xml) {
  auto checks = check_signatures(xml, keys().idp.cert_pem_file);
  EXPECT_EQ(checks.size(), 1u);
  return checks.empty() ? SignatureCheck{} : checks.front();
}

TEST(ReplaceAfterSigning, BreaksBothSignatures) {
  std::string xml = make_response(good_spec());
  std::string changed = replace_after_signing(xml, "alice@example.test", "mallory@example.test");
  EXPECT_EQ(count(changed, "mallory@example.test"), 2u);  // NameID and Email
  auto checks = check_signatures(changed, keys().idp.cert_pem_file);
  ASSERT_EQ(checks.size(), 2u);
  for (const auto& check : checks) EXPECT_FALSE(check.valid) << check.holder;
  EXPECT_FALSE(xmlsec1_verifies(changed, keys().idp.cert_pem_file));
  EXPECT_FALSE(xmlsec1_verifies(changed, keys().idp.cert_pem_file, kAssertionSignatureXpath));
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file, kAssertionSignatureXpath));
}

TEST(ReplaceAfterSigning, ABitOfWhitespaceIsEnough) {
  std::string xml = signed_assertion_only();
  EXPECT_FALSE(
      only_signature(replace_after_signing(xml, "<saml:Subject>", "<saml:Subject> ")).valid);
  EXPECT_THROW(replace_after_signing(xml, "not in there", "x"), std::invalid_argument);
}

class CommentInjection : public testing::Test {
 protected:
  // What the attacker registered at the IdP: alice@example.test.evil.test.
  std::string signed_xml() {
    ResponseSpec spec = good_spec();
    spec.name_id = "alice@example.test.evil.test";
    spec.attributes = {{"Email", spec.name_id}};
    return make_response(spec);
  }
};

TEST_F(CommentInjection, NameIdTruncatesForNaiveReadersAndSignaturesStillVerify) {
  std::string xml = insert_comment_in_name_id(signed_xml(), 18);
  EXPECT_NE(xml.find(">alice@example.test<!--x-->.evil.test</saml:NameID>"), std::string::npos);
  Tree tree(xml);
  EXPECT_EQ(tree.first_text("NameID"), "alice@example.test");
  EXPECT_EQ(tree.elements("NameID")[0].second, "alice@example.test.evil.test");
  auto checks = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(checks.size(), 2u);
  for (const auto& check : checks) EXPECT_TRUE(check.valid) << check.holder;
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));
  EXPECT_TRUE(xmlsec1_verifies(xml, keys().idp.cert_pem_file, kAssertionSignatureXpath));
}

TEST_F(CommentInjection, EmailAttributeTooAndAtTheEdges) {
  std::string xml = insert_comment_in_attribute(signed_xml(), "Email", 18);
  EXPECT_NE(xml.find(">alice@example.test<!--x-->.evil.test</saml:AttributeValue>"),
            std::string::npos);
  EXPECT_EQ(Tree(xml).first_text("AttributeValue"), "alice@example.test");
  for (const auto& check : check_signatures(xml, keys().idp.cert_pem_file))
    EXPECT_TRUE(check.valid) << check.holder;
  std::string front = insert_comment_in_name_id(signed_xml(), 0);
  EXPECT_NE(front.find("><!--x-->alice@example.test.evil.test<"), std::string::npos);
  EXPECT_TRUE(xmlsec1_verifies(front, keys().idp.cert_pem_file, kAssertionSignatureXpath));
  EXPECT_THROW(insert_comment_in_name_id(signed_xml(), 29), std::invalid_argument);
  EXPECT_THROW(insert_comment_in_attribute(signed_xml(), "Phone", 1), std::invalid_argument);
}

struct Layout {
  int number;
  bool response_level;
  const char* referenced;  // where the element the (original) signature covers now sits
  bool verifies;           // under xmlsec (a conforming enveloped-signature transform)
  const char* evil_name_id;
  const char* original_name_id;
};

void PrintTo(const Layout& layout, std::ostream* out) {
  *out << "XSW" << layout.number;
}

class Xsw : public testing::TestWithParam<Layout> {};

TEST_P(Xsw, KeepsTheOriginalSignatureOverTheOriginalElement) {
  const Layout& layout = GetParam();
  std::string input = layout.response_level ? signed_response_only() : signed_assertion_only();
  std::string xml = xsw(input, layout.number, kEvil);
  Tree tree(xml);

  // The only signature is the IdP's original one, now referencing the relocated original.
  auto signature = only_signature(xml);
  EXPECT_EQ(signature.referenced, layout.referenced);
  EXPECT_EQ(signature.valid, layout.verifies);
  EXPECT_EQ(xmlsec1_verifies(xml, keys().idp.cert_pem_file), layout.verifies);
  auto values = tree.elements("SignatureValue");
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0].second, Tree(input).elements("SignatureValue")[0].second);

  // The evil NameID where a naive SP reads, the original where the signature points.
  auto name_ids = tree.elements("NameID");
  ASSERT_EQ(name_ids.size(), 2u);
  EXPECT_NE(std::find(name_ids.begin(), name_ids.end(),
                      std::pair<std::string, std::string>(layout.evil_name_id, kEvil)),
            name_ids.end());
  EXPECT_NE(
      std::find(name_ids.begin(), name_ids.end(),
                std::pair<std::string, std::string>(layout.original_name_id, "alice@example.test")),
      name_ids.end());
  EXPECT_EQ(count(xml, std::string(">") + kEvil + "</saml:AttributeValue>"), 1u);
  EXPECT_FALSE(has_duplicates(tree.ids()));
}

INSTANTIATE_TEST_SUITE_P(
    Forge, Xsw,
    testing::Values(
        Layout{1, true, "/Response/Signature/Response", false, "/Response/Assertion/Subject/NameID",
               "/Response/Signature/Response/Assertion/Subject/NameID"},
        Layout{2, true, "/Response/Response", true, "/Response/Assertion/Subject/NameID",
               "/Response/Response/Assertion/Subject/NameID"},
        Layout{3, false, "/Response/Assertion[2]", true, "/Response/Assertion/Subject/NameID",
               "/Response/Assertion[2]/Subject/NameID"},
        Layout{4, false, "/Response/Assertion/Assertion", true,
               "/Response/Assertion/Subject/NameID",
               "/Response/Assertion/Assertion/Subject/NameID"},
        Layout{5, false, "/Response/Assertion[2]", true, "/Response/Assertion/Subject/NameID",
               "/Response/Assertion[2]/Subject/NameID"},
        Layout{6, false, "/Response/Assertion/Signature/Assertion", false,
               "/Response/Assertion/Subject/NameID",
               "/Response/Assertion/Signature/Assertion/Subject/NameID"},
        Layout{7, false, "/Response/Assertion", true,
               "/Response/Extensions/Assertion/Subject/NameID",
               "/Response/Assertion/Subject/NameID"},
        Layout{8, false, "/Response/Assertion/Signature/Object/Assertion", false,
               "/Response/Assertion/Subject/NameID",
               "/Response/Assertion/Signature/Object/Assertion/Subject/NameID"},
        Layout{9, true, "/Response/Extensions/Response", true, "/Response/Assertion/Subject/NameID",
               "/Response/Extensions/Response/Assertion/Subject/NameID"},
        Layout{10, false, "/Response/Assertion/Advice/Assertion", true,
               "/Response/Assertion/Subject/NameID",
               "/Response/Assertion/Advice/Assertion/Subject/NameID"},
        Layout{11, false, "/Response/Extensions/Assertion", true,
               "/Response/Assertion/Subject/NameID",
               "/Response/Extensions/Assertion/Subject/NameID"}),
    [](const testing::TestParamInfo<Layout>& info) {
      return "Layout" + std::to_string(info.param.number);
    });

TEST(XswInput, RefusesWhatItCannotWrap) {
  EXPECT_THROW(xsw(signed_assertion_only(), 1, kEvil), std::invalid_argument);
  EXPECT_THROW(xsw(signed_response_only(), 3, kEvil), std::invalid_argument);
  EXPECT_THROW(xsw(signed_response_only(), 0, kEvil), std::invalid_argument);
  EXPECT_THROW(xsw(signed_response_only(), 12, kEvil), std::invalid_argument);
  EXPECT_THROW(xsw("<not-saml/>", 2, kEvil), std::invalid_argument);
  EXPECT_THROW(xsw("<unclosed", 2, kEvil), std::invalid_argument);
}

TEST(XswInput, AssertionLayoutsBreakAResponseSignature) {
  std::string xml = xsw(make_response(good_spec()), 3, kEvil);
  auto checks = check_signatures(xml, keys().idp.cert_pem_file);
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].referenced, "/Response");
  EXPECT_FALSE(checks[0].valid);
  EXPECT_EQ(checks[1].referenced, "/Response/Assertion[2]");
  EXPECT_TRUE(checks[1].valid);
}

TEST(DuplicateAssertionId, AfterTheOriginalTheSignatureStillResolvesToIt) {
  std::string xml = duplicate_assertion_id(signed_assertion_only(), kEvil);
  Tree tree(xml);
  EXPECT_TRUE(has_duplicates(tree.ids()));
  auto signature = only_signature(xml);
  EXPECT_EQ(signature.referenced, "/Response/Assertion");
  EXPECT_TRUE(signature.valid);
  auto name_ids = tree.elements("NameID");
  ASSERT_EQ(name_ids.size(), 2u);
  EXPECT_EQ(name_ids[0].second, "alice@example.test");
  EXPECT_EQ(name_ids[1].first, "/Response/Assertion[2]/Subject/NameID");
  EXPECT_EQ(name_ids[1].second, kEvil);
}

TEST(DuplicateAssertionId, BeforeTheOriginalTheIdResolvesToTheEvilCopy) {
  std::string xml =
      duplicate_assertion_id(signed_assertion_only(), kEvil, DuplicatePlace::before_original);
  auto signature = only_signature(xml);
  EXPECT_EQ(signature.holder, "/Response/Assertion[2]");
  EXPECT_EQ(signature.referenced, "/Response/Assertion");
  EXPECT_FALSE(signature.valid);
  EXPECT_EQ(Tree(xml).elements("NameID")[0].second, kEvil);
}

// What a parser that expands entities makes of `xml`: xmllint --noent, in its own process (in
// this one xmlsec's loader refuses every external entity, see saml_forge.hpp).
std::string expanded(const std::string& xml) {
  fs::path file = keys().dir / ("entities-" + std::to_string(::getpid()) + ".xml");
  write_file(file, xml);
  std::string output;
  EXPECT_EQ(run("xmllint --noent --nonet '" + file.string() + "'", &output), 0) << output;
  fs::remove(file);
  return output;
}

TEST(DoctypeEntity, BoundedLaughsExpandToThreeThousandCharacters) {
  std::string xml = with_doctype_entity(make_response(good_spec()));
  EXPECT_EQ(xml.find("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE samlp:Response ["), 0u);
  EXPECT_NE(xml.find("\">&lol3;</saml:NameID>"), std::string::npos);
  // libxml2 2.9's amplification guard calls this an entity loop unless XML_PARSE_HUGE, even
  // when entities are not substituted.
  EXPECT_THROW(Tree{xml}, std::invalid_argument);
  EXPECT_EQ(Tree(xml, XML_PARSE_NONET | XML_PARSE_HUGE).first_text("NameID"), "");
  std::string lol3;
  for (int i = 0; i < 1000; ++i) lol3 += "lol";
  EXPECT_EQ(
      Tree(xml, XML_PARSE_NONET | XML_PARSE_NOENT | XML_PARSE_HUGE).elements("NameID")[0].second,
      lol3);
}

TEST(DoctypeEntity, SameTextKeepsTheSignatureForAnExpandingParser) {
  std::string xml = with_doctype_entity(signed_assertion_only(), DoctypeEntity::same_text);
  EXPECT_NE(xml.find("<!ENTITY name \"alice@example.test\">"), std::string::npos);
  EXPECT_NE(xml.find("\">&name;</saml:NameID>"), std::string::npos);
  std::string seen = expanded(xml);
  EXPECT_NE(seen.find("\">alice@example.test</saml:NameID>"), std::string::npos);
  EXPECT_NE(seen.find("<!DOCTYPE samlp:Response"), std::string::npos);
  EXPECT_TRUE(xmlsec1_verifies(seen, keys().idp.cert_pem_file));
  // Unexpanded, exc-c14n refuses the entity reference node.
  EXPECT_FALSE(xmlsec1_verifies(xml, keys().idp.cert_pem_file));
}

TEST(DoctypeEntity, ExternalFileIsReadByAnExpandingParser) {
  fs::path secret = keys().dir / ("xxe-" + std::to_string(::getpid()) + ".txt");
  write_file(secret, "marker-4711");
  std::string xml = with_doctype_entity(make_response(good_spec()), DoctypeEntity::external_file,
                                        secret.string());
  EXPECT_NE(xml.find("<!ENTITY xxe SYSTEM \"file://" + secret.string() + "\">"), std::string::npos);
  EXPECT_NE(xml.find("\">&xxe;</saml:NameID>"), std::string::npos);
  EXPECT_EQ(xml.find("marker-4711"), std::string::npos);
  EXPECT_NE(expanded(xml).find("\">marker-4711</saml:NameID>"), std::string::npos);
  fs::remove(secret);
  EXPECT_THROW(with_doctype_entity(xml, DoctypeEntity::external_file, "relative.txt"),
               std::invalid_argument);
}

}  // namespace
}  // namespace ssoc::test::saml
