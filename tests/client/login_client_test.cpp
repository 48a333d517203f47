// The reference client's loopback listener: only a POST of a well-formed token carrying this
// login's state ends the wait; the password it prints is the one sealed to its one-time key.
#include <gtest/gtest.h>

#include <thread>

#include "client/login_client.hpp"
#include "common/json.hpp"
#include "http_fixture.hpp"
#include "vault/client_key.hpp"

namespace ssoc::client {
namespace {

using http::test::post_request;
using http::test::TestClient;

std::string param(const std::string& url, const std::string& name) {
  auto form = http::parse_form(url.substr(url.find('?') + 1));
  for (const auto& [k, v] : *form)
    if (k == name) return v;
  return {};
}

std::string token_json(const std::string& sealed, const std::string& session,
                       const std::string& state) {
  return "{\"user\":\"alice@example.test\",\"email\":\"alice@example.test\",\"first_name\":\"A\","
         "\"last_name\":\"E\",\"password\":" +
         json_string(sealed) + ",\"new_user\":false,\"session_id\":" + json_string(session) +
         ",\"issued_at\":1,\"state\":" + json_string(state) + "}";
}

// Plays the browser: the URL it is given names the callback; it posts what `bodies` holds.
struct FakeBrowser {
  std::vector<int> statuses;
  std::thread thread;
  void post_all(const std::string& url,
                std::function<std::vector<std::string>(const std::string& url)> bodies) {
    thread = std::thread([this, url, bodies] {
      std::string redirect = param(url, "redirect_uri");
      std::uint16_t port =
          static_cast<std::uint16_t>(std::stoi(redirect.substr(redirect.rfind(':') + 1, 5)));
      for (const std::string& body : bodies(url)) {
        auto client = TestClient::connect(port);
        if (!client) break;
        client->send(post_request("/ssoc/callback", body));
        auto r = client->read_response();
        statuses.push_back(r ? r->status : 0);
      }
    });
  }
};

TEST(LoginClient, OnlyATokenWithThisLoginsStateEndsTheLogin) {
  const SecretBytes password =
      secret_from(std::string_view("correct-horse-battery-staple-0123456789abcd"));
  FakeBrowser browser;
  LoginOptions options;
  options.server = "https://sso.test:8443/";
  options.timeout = std::chrono::seconds(20);
  std::string seen_url;
  options.open_browser = [&](const std::string& url) {
    seen_url = url;
    browser.post_all(url, [&](const std::string& u) {
      auto key = vault::ClientPublicKey::from_base64url(param(u, "key"));
      std::string sealed = *key->seal(password, "session-1");
      std::string state = param(u, "state");
      return std::vector<std::string>{
          "token=" + http::percent_encode(token_json(sealed, "session-1", "another-login")),
          "token=" + http::percent_encode("{not json"),
          "nothing=here",
          "token=" + http::percent_encode(token_json(sealed, "session-1", state)),
      };
    });
  };
  auto result = login(options);
  browser.thread.join();
  ASSERT_TRUE(result) << result.error().describe();
  EXPECT_EQ(as_text(result->master_password), as_text(password));
  EXPECT_EQ(result->token.user, "alice@example.test");
  EXPECT_EQ(browser.statuses, (std::vector<int>{400, 400, 400, 200}));
  // What the client asked the server for: its key, a loopback redirect, a state.
  EXPECT_EQ(seen_url.rfind("https://sso.test:8443/sso/login?key=", 0), 0u) << seen_url;
  EXPECT_EQ(param(seen_url, "redirect_uri").rfind("http://127.0.0.1:", 0), 0u);
  EXPECT_EQ(param(seen_url, "state").size(), 22u);
}

TEST(LoginClient, ASealForAnotherSessionOrKeyIsAnIntegrityFailure) {
  FakeBrowser browser;
  LoginOptions options;
  options.server = "https://sso.test:8443";
  options.timeout = std::chrono::seconds(20);
  options.open_browser = [&](const std::string& url) {
    browser.post_all(url, [&](const std::string& u) {
      auto key = vault::ClientPublicKey::from_base64url(param(u, "key"));
      std::string sealed = *key->seal(secret_from(std::string_view("pw")), "session-A");
      return std::vector<std::string>{
          "token=" + http::percent_encode(token_json(sealed, "session-B", param(u, "state")))};
    });
  };
  auto result = login(options);
  browser.thread.join();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().cause, Cause::IntegrityFailure);
}

TEST(LoginClient, GivesUpAfterItsTimeoutAndRefusesAServerThatIsNotAUrl) {
  LoginOptions options;
  options.server = "https://sso.test:8443";
  options.timeout = std::chrono::seconds(1);
  options.open_browser = [](const std::string&) {};
  auto result = login(options);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().cause, Cause::Io);
  options.server = "sso.test";
  EXPECT_EQ(login(options).error().cause, Cause::Usage);
}

}  // namespace
}  // namespace ssoc::client
