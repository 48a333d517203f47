// Hostile and broken SAML responses at the ACS: each is refused with status 400 and an error
// page with a reference number and no token, and none creates a user or reveals a password.
#include <gtest/gtest.h>

#include "saml/saml_time.hpp"
#include "service/service_fixture.hpp"

namespace ssoc::test {
namespace {

using forge::ResponseSpec;

// Posts the response made by `change` (applied to a good spec) for a new login.
template <class Change>
http::Response post_changed(LoginFixture& fx, Change change) {
  auto b = fx.begin();
  ResponseSpec spec = fx.spec(b);
  change(spec);
  return fx.post(forge::make_response(spec), b);
}

TEST(Refused, AnUnsignedResponse) {
  LoginFixture fx;
  EXPECT_REFUSED(fx,
                 post_changed(fx,
                              [](ResponseSpec& s) {
                                s.sign_response = false;
                                s.sign_assertion = false;
                              }),
                 400);
}

TEST(Refused, AResponseSignedByAnotherKey) {
  LoginFixture fx;
  for (bool response : {true, false}) {
    EXPECT_REFUSED(fx,
                   post_changed(fx,
                                [&](ResponseSpec& s) {
                                  s.signer = fx.other_idp;
                                  s.sign_response = response;
                                  s.sign_assertion = !response;
                                }),
                   400);
  }
}

TEST(Refused, ANameIdAttributeOrConditionChangedAfterSigning) {
  LoginFixture fx;
  struct Change {
    const char* from;
    const char* to;
  };
  for (bool sign_response : {true, false}) {
    for (Change c :
         {Change{">alice@example.test</saml:NameID>", ">admin@example.test</saml:NameID>"},
          Change{">alice@example.test</saml:AttributeValue>",
                 ">admin@example.test</saml:AttributeValue>"},
          Change{"<saml:Audience>", "<saml:Audience>x"}}) {
      auto b = fx.begin();
      ResponseSpec spec = fx.spec(b);
      spec.sign_response = sign_response;
      spec.sign_assertion = !sign_response;
      std::string xml = forge::make_response(spec);
      SCOPED_TRACE(c.from);
      EXPECT_REFUSED(fx, fx.post(forge::replace_after_signing(xml, c.from, c.to), b), 400);
    }
    // A condition: the validity end moved later.
    auto b = fx.begin();
    ResponseSpec spec = fx.spec(b);
    spec.sign_response = sign_response;
    spec.sign_assertion = !sign_response;
    spec.not_on_or_after = static_cast<std::time_t>(fx.now + 250);
    std::string xml = forge::make_response(spec);
    std::string changed = forge::replace_after_signing(
        xml, "NotOnOrAfter=\"" + ssoc::saml::format_saml_time(fx.now + 250) + "\"",
        "NotOnOrAfter=\"2099-01-01T00:00:00Z\"");
    EXPECT_REFUSED(fx, fx.post(changed, b), 400);
  }
}

TEST(Refused, ACommentInsideTheNameIdOrTheEmailAttribute) {
  LoginFixture fx;
  for (int where = 0; where < 2; ++where) {
    auto b = fx.begin();
    ResponseSpec spec = fx.spec(b, "admin@example.test.evil.test");
    spec.attributes = {{"Email", "admin@example.test.evil.test"}};
    std::string xml = forge::make_response(spec);
    std::string commented = where == 0 ? forge::insert_comment_in_name_id(xml, 18)
                                       : forge::insert_comment_in_attribute(xml, "Email", 18);
    EXPECT_REFUSED(fx, fx.post(commented, b), 400);
  }
}

TEST(Refused, ExpiredAndNotYetValidAssertions) {
  LoginFixture fx;
  std::time_t now = static_cast<std::time_t>(fx.now);
  EXPECT_REFUSED(fx, post_changed(fx, [&](ResponseSpec& s) { s.not_on_or_after = now - 200; }),
                 400);
  EXPECT_REFUSED(
      fx, post_changed(fx, [&](ResponseSpec& s) { s.subject_not_on_or_after = now - 200; }), 400);
  EXPECT_REFUSED(fx, post_changed(fx, [&](ResponseSpec& s) { s.not_before = now + 400; }), 400);
  // Issued more than 5 minutes (plus the skew) ago, or in the future.
  EXPECT_REFUSED(fx, post_changed(fx, [&](ResponseSpec& s) { s.issue_instant = now - 500; }), 400);
  EXPECT_REFUSED(fx, post_changed(fx, [&](ResponseSpec& s) { s.issue_instant = now + 400; }), 400);
  // Within the clock skew (180 s) both ways: accepted.
  auto b = fx.begin();
  ResponseSpec within = fx.spec(b);
  within.not_before = now + 100;
  within.not_on_or_after = now - 100;
  within.subject_not_on_or_after = now + 600;
  EXPECT_EQ(fx.post(forge::make_response(within), b).status, 200);
}

TEST(Refused, AWrongAudienceDestinationOrRecipient) {
  LoginFixture fx;
  EXPECT_REFUSED(fx, post_changed(fx, [](ResponseSpec& s) { s.audience = "https://other.sp/"; }),
                 400);
  EXPECT_REFUSED(
      fx, post_changed(fx, [](ResponseSpec& s) { s.destination = "https://other.sp/acs"; }), 400);
  EXPECT_REFUSED(
      fx, post_changed(fx, [](ResponseSpec& s) { s.recipient = "https://other.sp/acs"; }), 400);
}

TEST(Refused, MissingElementsTheProfileRequires) {
  LoginFixture fx;
  using Omit = bool ResponseSpec::*;
  for (Omit omit : {&ResponseSpec::omit_authn_statement, &ResponseSpec::omit_bearer,
                    &ResponseSpec::omit_audience, &ResponseSpec::omit_subject_confirmation_data,
                    &ResponseSpec::omit_recipient, &ResponseSpec::omit_subject_not_on_or_after,
                    &ResponseSpec::omit_assertion_issuer, &ResponseSpec::omit_destination}) {
    EXPECT_REFUSED(fx, post_changed(fx, [&](ResponseSpec& s) { s.*omit = true; }), 400);
  }
  EXPECT_REFUSED(fx,
                 post_changed(fx,
                              [](ResponseSpec& s) {
                                s.subject_confirmation_method =
                                    "urn:oasis:names:tc:SAML:2.0:cm:holder-of-key";
                              }),
                 400);
}

TEST(Refused, IssuersThatAreNotTheIdp) {
  LoginFixture fx;
  EXPECT_REFUSED(
      fx, post_changed(fx, [](ResponseSpec& s) { s.assertion_issuer = "https://evil/"; }), 400);
  EXPECT_REFUSED(fx, post_changed(fx, [](ResponseSpec& s) { s.response_issuer = "https://evil/"; }),
                 400);
}

TEST(Refused, NoneOrTwoAssertions) {
  LoginFixture fx;
  EXPECT_REFUSED(fx, post_changed(fx, [](ResponseSpec& s) { s.assertion_count = 0; }), 400);
  EXPECT_REFUSED(fx, post_changed(fx, [](ResponseSpec& s) { s.assertion_count = 2; }), 400);
}

TEST(Refused, AnUnknownOrAnotherLoginsInResponseTo) {
  LoginFixture fx;
  EXPECT_REFUSED(fx, post_changed(fx, [](ResponseSpec& s) { s.in_response_to = "_unknown"; }), 400);
  // The response to login A posted with login B's RelayState.
  auto a = fx.begin();
  auto b = fx.begin();
  EXPECT_REFUSED(fx, fx.post(forge::make_response(fx.spec(a)), b), 400);
}

TEST(Refused, AnUnsolicitedResponse) {
  LoginFixture fx;
  auto b = fx.begin();
  ResponseSpec spec = fx.spec(b);
  spec.in_response_to.clear();
  EXPECT_REFUSED(fx, fx.post(forge::make_response(spec), b), 400);
  // No RelayState at all, or one that names nothing.
  std::string good = forge::make_response(fx.spec(b));
  EXPECT_REFUSED(fx, fx.post_form("SAMLResponse=" + http::percent_encode(forge::base64(good))),
                 400);
  EXPECT_REFUSED(fx, fx.post_form(forge::form_body(good, "made-up-relay-state")), 400);
}

TEST(Refused, AnExpiredLoginTransaction) {
  LoginFixture fx;
  auto b = fx.begin();
  fx.now += service::kTransactionLifetime + 1;
  EXPECT_REFUSED(fx, fx.post(forge::make_response(fx.spec(b)), b), 400);
}

TEST(Refused, AReplayedResponseOrAssertion) {
  LoginFixture fx;
  auto b = fx.begin();
  std::string xml = forge::make_response(fx.spec(b));
  ASSERT_EQ(fx.post(xml, b).status, 200);
  // The same response again: its transaction is used up and its assertion id known.
  http::Response again = fx.post(xml, b);
  EXPECT_EQ(again.status, 400);
  EXPECT_EQ(again.body.find("name=\"token\""), std::string::npos);
  // The same assertion id in a response to a new login.
  auto b2 = fx.begin();
  ResponseSpec spec = fx.spec(b2);
  std::size_t at = xml.find("<saml:Assertion");
  std::size_t id = xml.find("ID=\"", at) + 4;
  spec.assertion_id = xml.substr(id, xml.find('"', id) - id);
  http::Response replay = fx.post(forge::make_response(spec), b2);
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(replay.body.find("name=\"token\""), std::string::npos);
  EXPECT_EQ(fx.store->user_count(), 1u);
}

TEST(Refused, ANonSuccessStatus) {
  LoginFixture fx;
  EXPECT_REFUSED(
      fx,
      post_changed(
          fx, [](ResponseSpec& s) { s.status = "urn:oasis:names:tc:SAML:2.0:status:Responder"; }),
      400);
}

TEST(Refused, ADoctypeOrEntityDeclaration) {
  LoginFixture fx;
  for (auto kind : {forge::DoctypeEntity::bounded_laughs, forge::DoctypeEntity::same_text,
                    forge::DoctypeEntity::external_file}) {
    auto b = fx.begin();
    std::string xml = forge::with_doctype_entity(forge::make_response(fx.spec(b)), kind);
    EXPECT_REFUSED(fx, fx.post(xml, b), 400);
  }
}

TEST(Refused, GarbageTruncatedAndOversizedInput) {
  LoginFixture fx;
  auto b = fx.begin();
  std::string b64 = forge::base64(forge::make_response(fx.spec(b)));
  auto post_b64 = [&](const std::string& text) {
    return fx.post_form("SAMLResponse=" + http::percent_encode(text) +
                        "&RelayState=" + http::percent_encode(b.relay_state));
  };
  EXPECT_REFUSED(fx, post_b64("!!!not base64***"), 400);
  EXPECT_REFUSED(fx, post_b64(b64.substr(0, b64.size() / 2)), 400);
  EXPECT_REFUSED(fx, post_b64(b64.substr(0, b64.size() - 3)), 400);
  EXPECT_REFUSED(fx, post_b64(forge::base64("<samlp:Response")), 400);
  EXPECT_REFUSED(fx, post_b64(std::string((1u << 20) + 10, 'A')), 400);
  EXPECT_REFUSED(fx, post_b64(""), 400);
  EXPECT_REFUSED(fx, fx.post_form("SAMLResponse=%zz&RelayState=x"), 400);
  EXPECT_REFUSED(fx, fx.post_form("SAMLResponse=a&SAMLResponse=b&RelayState=x"), 400);
  // The transaction survived all of that: the real response still logs in.
  EXPECT_EQ(fx.post(forge::make_response(fx.spec(b)), b).status, 200);
}

TEST(Refused, Sha1SignaturesUnlessAllowedAndRsaPkcs1KeyTransport) {
  LoginFixture fx;
  EXPECT_REFUSED(fx,
                 post_changed(fx,
                              [](ResponseSpec& s) {
                                s.digest = "sha1";
                                s.signature = "rsa-sha1";
                              }),
                 400);
  EXPECT_REFUSED(fx,
                 post_changed(fx,
                              [&](ResponseSpec& s) {
                                s.encrypt_to_cert_pem_file = fx.chain.pem.string();
                                s.key_transport = "rsa-1_5";
                              }),
                 400);
  LoginFixture lax("", /*allow_sha1=*/true);
  auto b = lax.begin();
  ResponseSpec spec = lax.spec(b);
  spec.digest = "sha1";
  spec.signature = "rsa-sha1";
  EXPECT_EQ(lax.post(forge::make_response(spec), b).status, 200);
}

TEST(Refused, BadClientKeysStatesAndRedirectUris) {
  LoginFixture fx("https://vault.example.test/sso/done");
  auto begin_with = [&](const std::string& query) {
    http::Request request;
    request.method = "GET";
    request.path = "/sso/login";
    request.query = query;
    return fx.flow->begin(*fx.config, request);
  };
  auto keys = vault::ClientKeyPair::generate_x25519();
  ASSERT_TRUE(keys);
  std::string key = "key=" + keys->public_base64url();
  for (const char* uri :
       {"https://evil.example/cb", "http://127.0.0.1.evil.example:80/cb",
        "http://localhost@evil.example:80/", "http://127.0.0.1/cb", "http://127.0.0.1:0/cb",
        "http://127.0.0.1:99999/cb", "https://127.0.0.1:8080/cb", "http://127.0.0.1:8080/cb#frag",
        "javascript:alert(1)", "http://[::2]:80/", "https://vault.example.test/sso/done/more",
        "http://127.0.0.1:8080/\"><script>"}) {
    http::Response r = begin_with(key + "&redirect_uri=" + http::percent_encode(uri) + "&state=s");
    EXPECT_EQ(r.status, 400) << uri;
  }
  for (const char* uri : {"http://127.0.0.1:8080/cb", "http://[::1]:9/", "http://localhost:65535",
                          "https://vault.example.test/sso/done"}) {
    EXPECT_EQ(begin_with(key + "&redirect_uri=" + http::percent_encode(uri)).status, 302) << uri;
  }
  std::string redirect = "&redirect_uri=" + http::percent_encode(kRedirect);
  EXPECT_EQ(begin_with("redirect_uri=x").status, 400);
  EXPECT_EQ(begin_with("key=AAAA" + redirect).status, 400);
  EXPECT_EQ(begin_with(key + redirect + "&state=" + std::string(2000, 's')).status, 400);
  EXPECT_EQ(begin_with(key + redirect + "&state=a%0Ab").status, 400);
  EXPECT_EQ(begin_with(key + redirect + "&" + key).status, 400);
  auto weak = vault::ClientKeyPair::generate_rsa(2048);
  ASSERT_TRUE(weak);
  EXPECT_EQ(begin_with("key=" + weak->public_base64url() + redirect).status, 302);
}

}  // namespace
}  // namespace ssoc::test
