// The service behind its real HTTPS listener: endpoints, the size limit, and hostile responses
// posted by many clients at once while real logins go through.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http_fixture.hpp"
#include "service/service.hpp"
#include "service/service_fixture.hpp"

namespace ssoc::test {
namespace {

using http::test::get_request;
using http::test::post_request;
using http::test::TestClient;

struct HttpsFixture : LoginFixture {
  std::unique_ptr<service::Service> service;
  std::shared_ptr<SSL_CTX> client_tls;
  HttpsFixture() {
    // A second connection to the same database: the fixture starts logins, the service ends them.
    auto own_store = store::Store::open(folder / "ssoconnect.db");
    // A port of the kernel's choosing: tests run in parallel.
    auto listening = std::make_shared<service::ServiceConfig>(*config);
    listening->bind_port = 0;
    auto started = service::Service::start(listening, std::move(own_store).value());
    if (!started) throw std::runtime_error(started.error().describe());
    service = std::move(started).value();
    client_tls = *http::make_client_tls({test::chain_ca_der(chain.pem)});
  }
  std::unique_ptr<TestClient> connect() const {
    std::string why;
    auto client = TestClient::connect(service->port(), client_tls.get(), &why);
    if (!client) throw std::runtime_error(why);
    return client;
  }
};

TEST(Https, ServesPingAndMetadata) {
  HttpsFixture fx;
  auto client = fx.connect();
  ASSERT_TRUE(client->send(get_request("/ping")));
  auto ping = client->read_response();
  ASSERT_TRUE(ping);
  EXPECT_EQ(ping->status, 200);
  EXPECT_NE(
      ping->body.find("{\"status\":\"Ready\",\"sso\":\"Running\",\"configuration\":\"Running\""),
      std::string::npos)
      << ping->body;
  ASSERT_TRUE(client->send(get_request("/saml/metadata")));
  auto metadata = client->read_response();
  ASSERT_TRUE(metadata);
  EXPECT_NE(metadata->body.find("entityID=\"https://sso.test:8443/saml/metadata\""),
            std::string::npos);
  EXPECT_NE(metadata->body.find("Location=\"https://sso.test:8443/saml/acs\""), std::string::npos);
  ASSERT_TRUE(client->send(get_request("/nothing")));
  auto missing = client->read_response();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  ASSERT_TRUE(client->send(get_request("/saml/acs")));
  auto wrong_method = client->read_response();
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 405);
}

TEST(Https, AResponseOverTheSizeLimitGets413WithAReferenceAndNoToken) {
  HttpsFixture fx;
  auto client = fx.connect();
  std::string head =
      "POST /saml/acs HTTP/1.1\r\nHost: sso.test\r\nContent-Type: "
      "application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string((2u << 20)) + "\r\n\r\n";
  ASSERT_TRUE(client->send(head));  // the body is never sent: refused on the head alone
  auto refused = client->read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 413);
  EXPECT_NE(refused->body.find("reference number"), std::string::npos);
  EXPECT_EQ(refused->body.find("name=\"token\""), std::string::npos);
}

TEST(Https, HostileResponsesFromManyClientsDoNotStopRealLogins) {
  HttpsFixture fx;
  // Hostile bodies: wrapped, tampered, unsigned, a DOCTYPE, near-limit garbage.
  std::vector<std::string> hostile;
  {
    auto b = fx.begin();
    forge::ResponseSpec spec = fx.spec(b);
    spec.sign_response = false;
    std::string signed_xml = forge::make_response(spec);
    for (int layout = 3; layout <= 5; ++layout)
      hostile.push_back(
          forge::form_body(forge::xsw(signed_xml, layout, "admin@example.test"), b.relay_state));
    hostile.push_back(forge::form_body(
        forge::replace_after_signing(signed_xml, ">alice@", ">admin@"), b.relay_state));
    hostile.push_back(forge::form_body(forge::with_doctype_entity(signed_xml), b.relay_state));
    hostile.push_back("SAMLResponse=" + std::string(1000000, 'A') + "&RelayState=" + b.relay_state);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> refused{0}, wrong{0};
  std::vector<std::thread> attackers;
  for (int t = 0; t < 4; ++t)
    attackers.emplace_back([&, t] {
      auto client = fx.connect();
      for (std::size_t i = t; !stop; ++i) {
        const std::string& body = hostile[i % hostile.size()];
        if (!client->send(post_request("/saml/acs", body))) break;
        auto r = client->read_response(std::chrono::seconds(30));
        if (!r) break;
        (r->status == 400 ? refused : wrong)++;
      }
    });
  // Meanwhile, real logins over HTTPS: each one completes and delivers its password.
  std::string first;
  for (int i = 0; i < 10; ++i) {
    auto b = fx.begin();
    std::string body = forge::form_body(forge::make_response(fx.spec(b)), b.relay_state);
    auto client = fx.connect();
    ASSERT_TRUE(client->send(post_request("/saml/acs", body)));
    auto page = client->read_response(std::chrono::seconds(30));
    ASSERT_TRUE(page);
    http::Response as_response{page->status, {}, page->body};
    std::string password(as_text(fx.open(as_response, b).password));
    if (first.empty()) first = password;
    EXPECT_EQ(password, first);
  }
  stop = true;
  for (auto& t : attackers) t.join();
  EXPECT_GT(refused.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_FALSE(fx.store->find_user("admin@example.test").value());
}

TEST(Https, AReloadSwapsTheSettingsInWholeWithoutRestarting) {
  HttpsFixture fx;
  auto keys = vault::ClientKeyPair::generate_x25519();
  ASSERT_TRUE(keys);
  std::string target = "/sso/login?key=" + keys->public_base64url() +
                       "&redirect_uri=" + http::percent_encode("https://vault.example.test/done") +
                       "&state=s";
  auto status_of = [&] {
    auto client = fx.connect();
    client->send(get_request(target));
    auto r = client->read_response();
    return r ? r->status : 0;
  };
  EXPECT_EQ(status_of(), 400);  // not allowed yet
  LoginFixture allowing("https://vault.example.test/done");
  fx.service->reload(allowing.config);
  EXPECT_EQ(status_of(), 302);
  fx.service->reload(fx.config);
  EXPECT_EQ(status_of(), 400);
}

}  // namespace
}  // namespace ssoc::test
