// The service behind its real HTTPS listener, for the tests of many clients at once (parallel
// logins, slow and abusive clients): a LoginFixture whose Service listens on a port of the
// kernel's choosing with its own connection to the database, and HTTPS clients trusting its CA.
// The fixture's own connection reads the transactions, as an IdP learns the request id from the
// AuthnRequest.
#pragma once

#include <latch>
#include <thread>

#include "http_fixture.hpp"
#include "service/service.hpp"
#include "service/service_fixture.hpp"

namespace ssoc::test {

// Runs `body(i)` on `count` threads released at the same instant, and joins them.
template <class Body>
void at_once(int count, Body body) {
  std::latch start(count);
  std::vector<std::thread> threads;
  for (int i = 0; i < count; ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      body(i);
    });
  for (auto& thread : threads) thread.join();
}

struct ListeningService : LoginFixture {
  std::unique_ptr<service::Service> service;
  std::shared_ptr<SSL_CTX> client_tls;

  ListeningService() {
    auto own_store = store::Store::open(folder / "ssoconnect.db");
    if (!own_store) throw std::runtime_error(own_store.error().describe());
    auto listening = std::make_shared<service::ServiceConfig>(*config);
    listening->bind_port = 0;
    auto started = service::Service::start(listening, std::move(own_store).value());
    if (!started) throw std::runtime_error(started.error().describe());
    service = std::move(started).value();
    client_tls = *http::make_client_tls({test::chain_ca_der(chain.pem)});
  }

  // An HTTPS connection (handshake done); null, with a test failure, if it cannot be made.
  std::unique_ptr<http::test::TestClient> connect() const {
    std::string why;
    auto client = http::test::TestClient::connect(service->port(), client_tls.get(), &why);
    if (!client) ADD_FAILURE() << why;
    return client;
  }

  // GET /sso/login over `client` as a vault client does; the login's keys and relay state
  // (request_id is left to find_request_id).
  std::optional<Begun> begin_over_https(http::test::TestClient& client) const {
    Begun b;
    auto keys = vault::ClientKeyPair::generate_x25519();
    if (!keys) return std::nullopt;
    b.keys = std::make_shared<vault::ClientKeyPair>(std::move(keys).value());
    b.state = "s";
    if (!client.send(http::test::get_request("/sso/login?key=" + b.keys->public_base64url() +
                                             "&redirect_uri=" + http::percent_encode(kRedirect) +
                                             "&state=s")))
      return std::nullopt;
    auto redirect = client.read_response(std::chrono::seconds(60));
    if (!redirect || redirect->status != 302) return std::nullopt;
    b.relay_state = query_value(redirect->header("location").value_or(""), "RelayState");
    return b;
  }
  void find_request_id(Begun& b) const {
    auto pending = store->find_transaction(b.relay_state, now);
    if (!pending || !*pending) throw std::runtime_error("no transaction for a begun login");
    b.request_id = (*pending)->request_id;
  }

  // A whole login of `name` over HTTPS, on new connections; the delivered password, or empty
  // (with the reason in *why).
  std::string login_over_https(const std::string& name, std::string* why = nullptr) {
    auto fail = [&](const std::string& reason) {
      if (why) *why = reason;
      return std::string();
    };
    auto client = connect();
    if (!client) return fail("connect");
    auto b = begin_over_https(*client);
    if (!b) return fail("GET /sso/login");
    find_request_id(*b);
    std::string body = forge::form_body(forge::make_response(spec(*b, name)), b->relay_state);
    if (!client->send(http::test::post_request("/saml/acs", body))) return fail("send");
    auto page = client->read_response(std::chrono::seconds(60));
    if (!page || page->status != 200)
      return fail("POST /saml/acs: " + std::to_string(page ? page->status : 0));
    return std::string(as_text(open(http::Response{page->status, {}, page->body}, *b).password));
  }
};

}  // namespace ssoc::test
