// A login service over real parts, without sockets: the SP keystore made by openssl, a test IdP
// (tests/support/saml: responses signed with xmlsec), a real SQLite store, and the LoginFlow the
// HTTPS listener calls. The clock is the fixture's, so transactions can be made to expire.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "client/token.hpp"
#include "http/message.hpp"
#include "service/login_flow.hpp"
#include "service/service_config.hpp"
#include "store/store.hpp"
#include "support/saml/saml_forge.hpp"
#include "support/test_env.hpp"
#include "vault/client_key.hpp"

namespace ssoc::test {

namespace forge = ssoc::test::saml;

inline constexpr const char* kIdpEntity = "https://idp.test/metadata";
inline constexpr const char* kSpEntity = "https://sso.test:8443/saml/metadata";
inline constexpr const char* kAcsUrl = "https://sso.test:8443/saml/acs";
inline constexpr const char* kRedirect = "http://127.0.0.1:41234/callback";

// "a=b&c=d" -> value of `name`, percent-decoded; empty when absent.
inline std::string query_value(std::string_view url, std::string_view name) {
  std::size_t q = url.find('?');
  auto form = http::parse_form(q == std::string_view::npos ? "" : url.substr(q + 1));
  if (!form) return {};
  for (const auto& [k, v] : *form)
    if (k == name) return v;
  return {};
}

inline std::string html_unescape(std::string text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    std::size_t semi = text.find(';', i);
    std::string entity = text.substr(i, semi - i + 1);
    if (entity == "&amp;")
      out += '&';
    else if (entity == "&lt;")
      out += '<';
    else if (entity == "&gt;")
      out += '>';
    else if (entity == "&quot;")
      out += '"';
    else if (entity == "&#39;")
      out += '\'';
    else
      throw std::runtime_error("unexpected entity " + entity);
    i = semi;
  }
  return out;
}

// The value of the hidden field `token` of a token page, unescaped; empty if there is none.
inline std::string token_field(const std::string& html) {
  const std::string marker = "name=\"token\" value=\"";
  std::size_t at = html.find(marker);
  if (at == std::string::npos) return {};
  at += marker.size();
  return html_unescape(html.substr(at, html.find('"', at) - at));
}

struct LoginFixture {
  TempDir dir;
  TestChain chain = make_test_chain(dir.path());
  forge::IdpKey idp = forge::make_idp_key(dir.path(), "idp.test");
  forge::IdpKey other_idp = forge::make_idp_key(dir.path(), "attacker.test");
  fs::path folder = dir / "data";
  std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  std::shared_ptr<const service::ServiceConfig> config;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<service::LoginFlow> flow;

  explicit LoginFixture(std::string redirect_allow = "", bool allow_sha1 = false,
                        bool sign_requests = true) {
    fs::create_directories(folder);
    std::string metadata =
        forge::idp_metadata_xml(kIdpEntity, idp.cert_pem_file, "https://idp.test/sso");
    write_all(folder / "idp-metadata.xml", as_bytes(metadata));
    settings::FolderSettings settings;
    auto set = [](datadir::Properties& p, const char* k, const std::string& v) {
      if (!p.set(k, v)) throw std::runtime_error(std::string("cannot set ") + k);
    };
    set(settings.instance, "external_host", "sso.test");
    set(settings.instance, "external_port", "8443");
    set(settings.instance, "bind_address", "127.0.0.1");
    set(settings.instance, "bind_port", "8443");
    set(settings.instance, "keystore_file", chain.p12.string());
    set(settings.instance, "keystore_password", chain.password);
    set(settings.shared, "sp_entity_id", kSpEntity);
    set(settings.shared, "idp_metadata_file", "idp-metadata.xml");
    set(settings.shared, "master_key", "bWFzdGVyLWtleS0zMi1ieXRlcy1mb3ItdGVzdHMtLS0=");
    set(settings.shared, "master_key_id", "1");
    set(settings.shared, "redirect_allow", redirect_allow);
    set(settings.shared, "allow_sha1", allow_sha1 ? "true" : "false");
    set(settings.shared, "sign_requests", sign_requests ? "true" : "false");
    auto read = service::read_service_config(folder, settings, now);
    if (!read) throw std::runtime_error(read.error().describe());
    config = std::make_shared<const service::ServiceConfig>(std::move(read).value());
    auto opened = store::Store::open(folder / "ssoconnect.db");
    if (!opened) throw std::runtime_error(opened.error().describe());
    store = std::move(opened).value();
    flow = std::make_unique<service::LoginFlow>(*store, [this] { return now; });
  }

  // A login started by a vault client with an X25519 (or RSA) key.
  struct Begun {
    std::shared_ptr<vault::ClientKeyPair> keys;
    std::string state, relay_state, request_id;
    http::Response response;
  };
  Begun begin(bool rsa = false, const std::string& redirect = kRedirect,
              const std::string& state = "opaque-client-state") {
    Begun b;
    auto keys =
        rsa ? vault::ClientKeyPair::generate_rsa(2048) : vault::ClientKeyPair::generate_x25519();
    if (!keys) throw std::runtime_error(keys.error().describe());
    b.keys = std::make_shared<vault::ClientKeyPair>(std::move(keys).value());
    b.state = state;
    http::Request request;
    request.method = "GET";
    request.path = "/sso/login";
    request.query = "key=" + b.keys->public_base64url() +
                    "&redirect_uri=" + http::percent_encode(redirect) +
                    "&state=" + http::percent_encode(state);
    b.response = flow->begin(*config, request);
    if (b.response.status != 302) return b;
    std::string location;
    for (const auto& [k, v] : b.response.headers)
      if (k == "Location") location = v;
    b.relay_state = query_value(location, "RelayState");
    auto pending = store->find_transaction(b.relay_state, now);
    if (!pending || !*pending) throw std::runtime_error("no transaction after begin");
    b.request_id = (*pending)->request_id;
    return b;
  }

  // What the IdP would send for this login, for `name` (NameID and Email attribute).
  forge::ResponseSpec spec(const Begun& b, const std::string& name = "alice@example.test") const {
    forge::ResponseSpec s;
    s.idp_entity_id = kIdpEntity;
    s.destination = kAcsUrl;
    s.recipient = kAcsUrl;
    s.audience = kSpEntity;
    s.in_response_to = b.request_id;
    s.name_id = name;
    s.attributes = {{"Email", name}, {"First", "Alice"}, {"Last", "Example"}};
    s.now = static_cast<std::time_t>(now);
    s.signer = idp;
    return s;
  }

  http::Response post_form(const std::string& body) const {
    http::Request request;
    request.method = "POST";
    request.path = "/saml/acs";
    request.body = body;
    return flow->finish(*config, request);
  }
  http::Response post(const std::string& xml, const Begun& b) const {
    return post_form(forge::form_body(xml, b.relay_state));
  }

  struct Delivered {
    client::Token token;
    SecretBytes password;
  };
  // Opens the token page as the vault client would; throws if it is not one.
  Delivered open(const http::Response& page, const Begun& b) const {
    if (page.status != 200) throw std::runtime_error("status " + std::to_string(page.status));
    auto token = client::parse_token(token_field(page.body));
    if (!token) throw std::runtime_error(token.error().describe());
    auto password = b.keys->open(token->password, token->session_id);
    if (!password) throw std::runtime_error(password.error().describe());
    return {std::move(*token), std::move(*password)};
  }
  // A whole good login of `name`; returns the delivered master password as text.
  std::string login(const std::string& name = "alice@example.test") {
    Begun b = begin();
    Delivered d = open(post(forge::make_response(spec(b, name)), b), b);
    return std::string(as_text(d.password));
  }
};

// A refused response: status, an error page with a reference and no token, no user made.
#define EXPECT_REFUSED(fx, response, expected_status)               \
  do {                                                              \
    const http::Response& r_ = (response);                          \
    EXPECT_EQ(r_.status, expected_status);                          \
    EXPECT_EQ(r_.body.find("name=\"token\""), std::string::npos);   \
    EXPECT_NE(r_.body.find("reference number"), std::string::npos); \
    EXPECT_EQ((fx).store->user_count(), 0u);                        \
  } while (0)

}  // namespace ssoc::test
