// Attacks found by review of the ACS, each kept as a regression test: a CipherReference that
// would make the SP fetch a URL, an EncryptedKey beside the EncryptedData, namespaces that the
// plaintext borrows from the EncryptedAssertion it is decrypted in (a use-after-free before),
// signatures with extra transforms (CPU exhaustion before the signature is known bad), a
// namespace-declaration bomb, AES-CBC outside a signed Response, transient NameIDs.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "service/service_fixture.hpp"
#include "support/saml/xml_security.hpp"

namespace ssoc::test {
namespace {

std::string replace_first(std::string text, const std::string& from, const std::string& to) {
  std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("not found: " + from);
  return text.replace(at, from.size(), to);
}

// The response for `b`, assertion signed (not the Response), then encrypted to the SP.
std::string encrypted_response(const LoginFixture& fx, const LoginFixture::Begun& b,
                               const std::string& cipher = "aes256-gcm") {
  forge::ResponseSpec spec = fx.spec(b);
  spec.sign_response = false;
  spec.encrypt_to_cert_pem_file = fx.chain.pem.string();
  spec.data_encryption = cipher;
  return forge::make_response(spec);
}

TEST(Hardening, ACipherReferenceIsRefusedWithoutFetchingIt) {
  LoginFixture fx;
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), len), 0);
  ASSERT_EQ(::listen(listener, 8), 0);
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/ssrf";
  for (bool in_key : {false, true}) {
    auto b = fx.begin();
    std::string xml = encrypted_response(fx, b);
    // The key's CipherValue comes first in the document, the data's last.
    std::size_t at = in_key ? xml.find("<CipherValue>") : xml.rfind("<CipherValue>");
    ASSERT_NE(at, std::string::npos);
    std::size_t end = xml.find("</CipherValue>", at) + std::string("</CipherValue>").size();
    xml.replace(at, end - at, "<CipherReference URI=\"" + url + "\"/>");
    EXPECT_REFUSED(fx, fx.post(xml, b), 400);
    auto b2 = fx.begin();
    std::string file = encrypted_response(fx, b2);
    at = file.rfind("<CipherValue>");
    end = file.find("</CipherValue>", at) + std::string("</CipherValue>").size();
    file.replace(at, end - at, "<CipherReference URI=\"file:///dev/zero\"/>");
    EXPECT_REFUSED(fx, fx.post(file, b2), 400);
  }
  pollfd pending{listener, POLLIN, 0};
  EXPECT_EQ(::poll(&pending, 1, 200), 0) << "the SP connected to the URL in the message";
  ::close(listener);
}

TEST(Hardening, AnEncryptedKeyBesideTheEncryptedDataIsRefused) {
  LoginFixture fx;
  auto b = fx.begin();
  std::string xml = encrypted_response(fx, b);
  std::size_t start = xml.find("<EncryptedKey");
  ASSERT_NE(start, std::string::npos);
  std::size_t end = xml.find("</EncryptedKey>") + std::string("</EncryptedKey>").size();
  std::string key = xml.substr(start, end - start);
  std::string sibling =
      replace_first(xml, "</saml:EncryptedAssertion>", key + "</saml:EncryptedAssertion>");
  EXPECT_REFUSED(fx, fx.post(sibling, b), 400);
  // The same response without the sibling is good: the refusal was for the sibling.
  EXPECT_EQ(fx.post(xml, b).status, 200);
}

TEST(Hardening, APlaintextUsingTheWrappersNamespacesIsHandledSafely) {
  LoginFixture fx;
  auto b = fx.begin();
  forge::ResponseSpec spec = fx.spec(b);
  spec.sign_response = false;
  std::string xml = forge::make_response(spec);
  // The Assertion relies on the saml prefix declared above it (exc-c14n output is unchanged).
  std::string decl = " xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\"";
  std::size_t assertion = xml.find("<saml:Assertion");
  std::size_t own = xml.find(decl, assertion);
  ASSERT_LT(own, xml.find('>', assertion));
  xml.erase(own, decl.size());
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "r.xml", nullptr, 0);
  ASSERT_NE(doc, nullptr);
  xmlNode* node = xmlDocGetRootElement(doc)->children;
  while (node != nullptr &&
         !(node->type == XML_ELEMENT_NODE &&
           std::string(reinterpret_cast<const char*>(node->name)) == "Assertion"))
    node = node->next;
  ASSERT_NE(node, nullptr);
  forge::detail::encrypt_assertion(node, fx.chain.pem.string(), "aes256-gcm", "rsa-oaep-mgf1p");
  xmlChar* text = nullptr;
  int size = 0;
  xmlDocDumpMemory(doc, &text, &size);
  std::string encrypted(reinterpret_cast<char*>(text), static_cast<std::size_t>(size));
  xmlFree(text);
  xmlFreeDoc(doc);
  // The assertion is signed and the plaintext well-formed in its context, so it is accepted;
  // its namespaces are declared again where the Assertion lands, so nothing points into the
  // freed wrapper (the ASan run of this test shows it). (Lasso 2.8 does not find the assertion
  // in such a plaintext, -427.)
  http::Response page = fx.post(encrypted, b);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_FALSE(token_field(page.body).empty());
}

TEST(Hardening, ExtraOrMissingSignatureTransformsAreRefused) {
  LoginFixture fx;
  const std::string exc = "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>";
  for (int variant = 0; variant < 3; ++variant) {
    auto b = fx.begin();
    forge::ResponseSpec spec = fx.spec(b);
    spec.sign_response = false;
    std::string xml = forge::make_response(spec);
    if (variant == 0) {
      std::string many;
      for (int i = 0; i < 200; ++i) many += exc;
      xml = replace_first(xml, "</ds:Transforms>", many + "</ds:Transforms>");
    } else if (variant == 1) {
      xml = replace_first(xml, exc, "");  // enveloped only: inclusive c14n by default
    } else {
      xml = replace_first(xml, "</ds:SignatureValue>",
                          "</ds:SignatureValue><ds:Object><x/></ds:Object>");
    }
    SCOPED_TRACE(variant);
    EXPECT_REFUSED(fx, fx.post(xml, b), 400);
  }
}

TEST(Hardening, ANamespaceDeclarationBombIsRefused) {
  LoginFixture fx;
  auto b = fx.begin();
  std::string xml = forge::make_response(fx.spec(b));
  std::string bomb;
  for (int i = 0; i < 200; ++i)
    bomb += " xmlns:p" + std::to_string(i) + "=\"urn:x:" + std::to_string(i) + "\"";
  xml = replace_first(xml, "<samlp:Response", "<samlp:Response" + bomb);
  EXPECT_REFUSED(fx, fx.post(xml, b), 400);
}

TEST(Hardening, AesCbcIsAcceptedOnlyInsideASignedResponse) {
  LoginFixture fx;
  auto b = fx.begin();
  EXPECT_REFUSED(fx, fx.post(encrypted_response(fx, b, "aes128-cbc"), b), 400);
  EXPECT_EQ(fx.post(encrypted_response(fx, b, "aes128-gcm"), b).status, 200);
}

TEST(Hardening, ATransientNameIdIsNoUserIdButAnEmailAttributeIs) {
  LoginFixture fx;
  auto b = fx.begin();
  forge::ResponseSpec spec = fx.spec(b, "_7c1f0a2b3d4e");
  spec.name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
  spec.attributes = {{"First", "Tran"}};
  EXPECT_REFUSED(fx, fx.post(forge::make_response(spec), b), 400);
  auto b2 = fx.begin();
  forge::ResponseSpec with_email = fx.spec(b2, "_8d2e1b3c4f5a");
  with_email.name_id_format = spec.name_id_format;
  with_email.attributes = {{"Email", "tran@example.test"}};
  http::Response page = fx.post(forge::make_response(with_email), b2);
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(fx.open(page, b2).token.user, "tran@example.test");
}

TEST(Hardening, TheTokenPagesPolicyLimitsTheFormToTheRedirectOrigin) {
  LoginFixture fx;
  auto csp = [](const http::Response& r) {
    for (const auto& [k, v] : r.headers)
      if (k == "Content-Security-Policy") return v;
    return std::string();
  };
  auto b = fx.begin();
  http::Response page = fx.post(forge::make_response(fx.spec(b)), b);
  EXPECT_NE(csp(page).find("form-action http://127.0.0.1:41234;"), std::string::npos) << csp(page);
  // A CSP host source cannot name [::1]: the directive is left out rather than made to block.
  auto v6 = fx.begin(false, "http://[::1]:41234/callback");
  http::Response v6_page = fx.post(forge::make_response(fx.spec(v6)), v6);
  ASSERT_EQ(v6_page.status, 200);
  EXPECT_EQ(csp(v6_page).find("form-action"), std::string::npos) << csp(v6_page);
  EXPECT_NE(csp(v6_page).find("script-src 'nonce-"), std::string::npos);
}

}  // namespace
}  // namespace ssoc::test
