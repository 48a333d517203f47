// Good logins through LoginFlow: what the vault client receives, and that it is the same
// master password every time for a user and a different one for every other user.
#include <gtest/gtest.h>

#include <thread>

#include <libxml/parser.h>
#include <openssl/pem.h>
#include <zlib.h>

#include <cstdlib>

#include "common/encoding.hpp"
#include "common/openssl.hpp"
#include "saml/saml_time.hpp"
#include "service/service_fixture.hpp"

namespace ssoc::test {
namespace {

bool has_header(const http::Response& r, const std::string& name, const std::string& value) {
  for (const auto& [k, v] : r.headers)
    if (k == name && v == value) return true;
  return false;
}

TEST(Login, BeginRedirectsToTheIdpWithASignedAuthnRequestAndNoToken) {
  LoginFixture fx;
  auto b = fx.begin();
  ASSERT_EQ(b.response.status, 302);
  std::string location;
  for (const auto& [k, v] : b.response.headers)
    if (k == "Location") location = v;
  EXPECT_EQ(location.rfind("https://idp.test/sso?", 0), 0u) << location;
  EXPECT_FALSE(query_value(location, "SAMLRequest").empty());
  EXPECT_EQ(query_value(location, "SigAlg"), "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256");
  EXPECT_FALSE(query_value(location, "Signature").empty());
  EXPECT_EQ(b.relay_state.size(), 43u);
  EXPECT_EQ(b.request_id.size(), 41u);
  EXPECT_TRUE(has_header(b.response, "Cache-Control", "no-store"));
  // The signature (SAML bindings 3.4.4.1) covers "SAMLRequest=..&RelayState=..&SigAlg=.." as
  // sent, with the SP's keystore key: check it with the certificate, as an IdP would.
  std::string query = location.substr(location.find('?') + 1);
  std::string signed_part = query.substr(0, query.find("&Signature="));
  ASSERT_EQ(signed_part.rfind("SAMLRequest=", 0), 0u);
  ASSERT_NE(signed_part.find("&RelayState="), std::string::npos);
  auto signature = base64_decode(query_value(location, "Signature"));
  ASSERT_TRUE(signature);
  ossl::Bio bio(BIO_new_file(fx.chain.pem.string().c_str(), "r"));
  ossl::X509Ptr leaf(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(leaf);
  ossl::MdCtx verify(EVP_MD_CTX_new());
  ASSERT_EQ(EVP_DigestVerifyInit(verify.get(), nullptr, EVP_sha256(), nullptr,
                                 X509_get0_pubkey(leaf.get())),
            1);
  EXPECT_EQ(EVP_DigestVerify(verify.get(), signature->data(), signature->size(),
                             as_bytes(signed_part).data(), signed_part.size()),
            1);
  std::string tampered = signed_part + "x";
  ossl::MdCtx again(EVP_MD_CTX_new());
  EVP_DigestVerifyInit(again.get(), nullptr, EVP_sha256(), nullptr, X509_get0_pubkey(leaf.get()));
  EXPECT_NE(EVP_DigestVerify(again.get(), signature->data(), signature->size(),
                             as_bytes(tampered).data(), tampered.size()),
            1);
}

// The SAMLRequest parameter: raw DEFLATE of the AuthnRequest XML (bindings §3.4.4.1).
std::string inflate_raw(const std::string& deflated) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  std::string out(64 * 1024, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(deflated.data()));
  z.avail_in = static_cast<uInt>(deflated.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  return out;
}

TEST(Login, TheAuthnRequestNamesThisSpItsAcsAndTheTransactionsRequestId) {
  LoginFixture fx;
  auto b = fx.begin();
  std::string location;
  for (const auto& [k, v] : b.response.headers)
    if (k == "Location") location = v;
  auto deflated = base64_decode(query_value(location, "SAMLRequest"));
  ASSERT_TRUE(deflated);
  std::string xml = inflate_raw(std::string(deflated->begin(), deflated->end()));
  xmlDoc* doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "request.xml", nullptr,
                              XML_PARSE_NONET);
  ASSERT_NE(doc, nullptr) << xml;
  xmlNode* root = xmlDocGetRootElement(doc);
  auto attr = [](xmlNode* node, const char* name) {
    xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
    std::string text = value != nullptr ? reinterpret_cast<char*>(value) : "";
    xmlFree(value);
    return text;
  };
  EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "AuthnRequest");
  ASSERT_NE(root->ns, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->ns->href),
               "urn:oasis:names:tc:SAML:2.0:protocol");
  EXPECT_EQ(attr(root, "ID"), b.request_id);
  EXPECT_EQ(attr(root, "Version"), "2.0");
  EXPECT_EQ(attr(root, "Destination"), "https://idp.test/sso");
  EXPECT_EQ(attr(root, "AssertionConsumerServiceURL"), kAcsUrl);
  EXPECT_EQ(attr(root, "ProtocolBinding"), "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
  auto issued = ssoc::saml::parse_saml_time(attr(root, "IssueInstant"));
  ASSERT_TRUE(issued);
  EXPECT_LE(std::llabs(*issued - static_cast<std::int64_t>(std::time(nullptr))), 5);
  std::string issuer, policy_format;
  for (xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    std::string name = reinterpret_cast<const char*>(c->name);
    if (name == "Issuer") {
      xmlChar* text = xmlNodeGetContent(c);
      issuer = reinterpret_cast<char*>(text);
      xmlFree(text);
    }
    if (name == "NameIDPolicy") policy_format = attr(c, "Format");
  }
  EXPECT_EQ(issuer, kSpEntity);
  EXPECT_EQ(policy_format, "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified");
  xmlFreeDoc(doc);
}

TEST(Login, TheAuthnRequestIsUnsignedWhenSignRequestsIsOff) {
  LoginFixture fx("", false, /*sign_requests=*/false);
  auto request = fx.config->sp->make_authn_request("relay");
  ASSERT_TRUE(request);
  EXPECT_EQ(query_value(request->redirect_url, "RelayState"), "relay");
  EXPECT_FALSE(query_value(request->redirect_url, "SAMLRequest").empty());
  EXPECT_EQ(request->redirect_url.find("Signature="), std::string::npos);
  EXPECT_EQ(request->redirect_url.find("SigAlg="), std::string::npos);
}

TEST(Login, DeliversASealedMasterPasswordInAPostedFormAndTheSameOneNextTime) {
  LoginFixture fx;
  auto b = fx.begin();
  http::Response page = fx.post(forge::make_response(fx.spec(b)), b);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_TRUE(has_header(page, "Cache-Control", "no-store"));
  // One form, posted to the redirect URI, with one hidden field named token.
  EXPECT_NE(page.body.find("<form method=\"post\" action=\"http://127.0.0.1:41234/callback\">"),
            std::string::npos)
      << page.body;
  EXPECT_EQ(page.body.find("<form", page.body.find("<form") + 1), std::string::npos);
  EXPECT_NE(page.body.find("document.forms[0].submit()"), std::string::npos);
  auto first = fx.open(page, b);
  EXPECT_EQ(first.password.size(), 43u);
  EXPECT_TRUE(first.token.new_user);
  EXPECT_EQ(first.token.user, "alice@example.test");
  EXPECT_EQ(first.token.email, "alice@example.test");
  EXPECT_EQ(first.token.first_name, "Alice");
  EXPECT_EQ(first.token.last_name, "Example");
  EXPECT_EQ(first.token.state, "opaque-client-state");
  EXPECT_EQ(first.token.issued_at, fx.now);
  // The token carries the password sealed, never in clear.
  EXPECT_EQ(page.body.find(std::string(as_text(first.password))), std::string::npos);

  auto b2 = fx.begin(/*rsa=*/true);
  auto second = fx.open(fx.post(forge::make_response(fx.spec(b2)), b2), b2);
  EXPECT_FALSE(second.token.new_user);
  EXPECT_EQ(as_text(second.password), as_text(first.password));
  EXPECT_NE(second.token.session_id, first.token.session_id);
  EXPECT_EQ(fx.store->user_count(), 1u);
}

TEST(Login, EveryUserGetsADifferentPasswordAndTheUserIdIsTrimmedAndLowerCased) {
  LoginFixture fx;
  std::string alice = fx.login("alice@example.test");
  std::string bob = fx.login("bob@example.test");
  EXPECT_NE(alice, bob);
  EXPECT_EQ(fx.login("  Alice@Example.TEST "), alice);
  EXPECT_EQ(fx.store->user_count(), 2u);
}

TEST(Login, UsesTheNameIdWhenTheEmailAttributeIsAbsent) {
  LoginFixture fx;
  auto b = fx.begin();
  auto spec = fx.spec(b, "carol@example.test");
  spec.attributes = {{"First", "Carol"}};
  auto d = fx.open(fx.post(forge::make_response(spec), b), b);
  EXPECT_EQ(d.token.user, "carol@example.test");
  EXPECT_EQ(d.token.first_name, "Carol");
}

TEST(Login, AcceptsResponseOnlyAndAssertionOnlySignaturesAndEncryptedAssertions) {
  LoginFixture fx;
  std::string password = fx.login();
  auto only_response = fx.begin();
  auto s1 = fx.spec(only_response);
  s1.sign_assertion = false;
  EXPECT_EQ(
      as_text(fx.open(fx.post(forge::make_response(s1), only_response), only_response).password),
      password);
  auto only_assertion = fx.begin();
  auto s2 = fx.spec(only_assertion);
  s2.sign_response = false;
  EXPECT_EQ(
      as_text(fx.open(fx.post(forge::make_response(s2), only_assertion), only_assertion).password),
      password);
  for (const char* cipher : {"aes256-gcm", "aes128-cbc"}) {
    auto encrypted = fx.begin();
    auto s3 = fx.spec(encrypted);
    s3.encrypt_to_cert_pem_file = fx.chain.pem.string();
    s3.data_encryption = cipher;
    http::Response page = fx.post(forge::make_response(s3), encrypted);
    ASSERT_EQ(page.status, 200) << cipher;
    EXPECT_EQ(as_text(fx.open(page, encrypted).password), password) << cipher;
  }
}

TEST(Login, TwoSimultaneousFirstLoginsOfOneUserGetTheSamePassword) {
  LoginFixture fx;
  constexpr int kLogins = 8;
  std::vector<LoginFixture::Begun> begun;
  std::vector<std::string> bodies;
  for (int i = 0; i < kLogins; ++i) {
    begun.push_back(fx.begin());
    bodies.push_back(
        forge::form_body(forge::make_response(fx.spec(begun.back())), begun.back().relay_state));
  }
  std::vector<std::string> passwords(kLogins);
  std::vector<char> created(kLogins);
  std::vector<std::thread> threads;
  for (int i = 0; i < kLogins; ++i)
    threads.emplace_back([&, i] {
      auto d = fx.open(fx.post_form(bodies[i]), begun[i]);
      passwords[i] = std::string(as_text(d.password));
      created[i] = d.token.new_user;
    });
  for (auto& t : threads) t.join();
  for (int i = 1; i < kLogins; ++i) EXPECT_EQ(passwords[i], passwords[0]);
  EXPECT_EQ(std::count(created.begin(), created.end(), true), 1);
  EXPECT_EQ(fx.store->user_count(), 1u);
}

TEST(Login, TheDatabaseHoldsNoMasterPasswordInPlaintext) {
  LoginFixture fx;
  std::vector<std::string> passwords;
  for (int i = 0; i < 40; ++i)
    passwords.push_back(fx.login("user" + std::to_string(i) + "@example.test"));
  for (int i = 0; i < 40; ++i)
    EXPECT_EQ(fx.login("user" + std::to_string(i) + "@example.test"), passwords[i]);
  std::string files;
  for (const auto& entry : fs::directory_iterator(fx.folder))
    if (entry.path().filename().string().rfind("ssoconnect.db", 0) == 0) {
      Bytes bytes = read_all(entry.path());
      files.append(bytes.begin(), bytes.end());
    }
  ASSERT_NE(files.find("user39@example.test"), std::string::npos);  // the grep can find things
  for (const std::string& p : passwords) {
    EXPECT_EQ(files.find(p), std::string::npos);
    Bytes raw;  // nor the 32 random bytes behind it
    auto decoded = base64url_decode(p);
    ASSERT_TRUE(decoded);
    EXPECT_EQ(files.find(std::string(decoded->begin(), decoded->end())), std::string::npos);
  }
}

TEST(Login, ARowCopiedToAnotherUserDoesNotDecryptAndRevealsNothing) {
  LoginFixture fx;
  fx.login("alice@example.test");
  fx.login("mallory@example.test");
  auto alice = fx.store->find_user("alice@example.test");
  ASSERT_TRUE(alice && *alice);
  // Mallory's row gets Alice's encrypted password (as a database-level attacker could do).
  ASSERT_TRUE(fx.store->delete_user("mallory@example.test").value());
  store::User copy = **alice;
  copy.id = "mallory@example.test";
  copy.email = copy.id;
  ASSERT_TRUE(fx.store->insert_user_if_absent(copy));
  auto b = fx.begin();
  http::Response page = fx.post(forge::make_response(fx.spec(b, "mallory@example.test")), b);
  EXPECT_EQ(page.status, 500);
  EXPECT_EQ(page.body.find("name=\"token\""), std::string::npos);
}

TEST(Login, ADisabledUserIsRefused) {
  LoginFixture fx;
  fx.login();
  ASSERT_TRUE(fx.store->set_disabled("alice@example.test", true).value());
  auto b = fx.begin();
  http::Response page = fx.post(forge::make_response(fx.spec(b)), b);
  EXPECT_EQ(page.status, 403);
  EXPECT_EQ(page.body.find("name=\"token\""), std::string::npos);
}

TEST(Login, AResponseFromPysaml2IsAccepted) {
  LoginFixture fx;
  std::string first = fx.login("dave@example.test");
  for (const char* flags :
       {"--sign-response --sign-assertion", "--sign-assertion", "--sign-response"}) {
    auto b = fx.begin();
    fs::path out = fx.dir / "pysaml2.b64";
    std::string command = std::string("/usr/bin/python3 ") + SSOC_PYSAML2_SCRIPT + " --idp-key " +
                          fx.idp.key_pem_file + " --idp-cert " + fx.idp.cert_pem_file +
                          " --idp-entity-id " + kIdpEntity + " --sp-entity-id " + kSpEntity +
                          " --acs-url " + kAcsUrl + " --in-response-to " + b.request_id +
                          " --name-id dave@example.test --email Dave@Example.test --first Dave "
                          "--last Dee " +
                          flags + " --out " + out.string() + " 2>&1";
    std::string output;
    ASSERT_EQ(run_command(command, &output), 0) << output;
    Bytes b64 = read_all(out);
    std::string body = "SAMLResponse=" + http::percent_encode(std::string(b64.begin(), b64.end())) +
                       "&RelayState=" + http::percent_encode(b.relay_state);
    http::Response page = fx.post_form(body);
    ASSERT_EQ(page.status, 200) << flags;
    auto d = fx.open(page, b);
    EXPECT_EQ(as_text(d.password), first) << flags;
    EXPECT_EQ(d.token.first_name, "Dave");
  }
}

}  // namespace
}  // namespace ssoc::test
