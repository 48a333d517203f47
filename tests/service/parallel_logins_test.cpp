// Many logins at once through the real HTTPS listener, the login flow, the store and the replay
// cache: the tests the tsan preset runs (label "concurrency", see tests/CMakeLists.txt). They
// also hold in the ordinary builds: each delivered password is that user's one, and a response
// posted by many clients at the same instant is accepted exactly once.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>

#include "service/listening_service.hpp"

namespace ssoc::test {
namespace {

using http::test::get_request;
using http::test::post_request;
using http::test::TestClient;

constexpr int kClients = 16;

std::string user_name(int i) {
  return "user" + std::to_string(i) + "@example.test";
}

// 16 clients begin and finish logins over HTTPS at once, first logins and returning ones of the
// same users mixed, while the settings are swapped (SIGHUP's reload) and /ping is asked. Every
// login delivers that user's one password; one row per user.
TEST(ParallelLogins, SixteenClientsOverHttpsEachGetTheirUsersOnePassword) {
  ListeningService fx;
  constexpr int kPerClient = 3, kUsers = 8;
  std::vector<std::vector<LoginFixture::Begun>> begun(kClients);
  std::atomic<int> failures{0};
  // Step 1: the /sso/login of every login, from all clients at once.
  at_once(kClients, [&](int c) {
    auto client = fx.connect();
    for (int i = 0; client && i < kPerClient; ++i) {
      auto b = fx.begin_over_https(*client);
      if (!b) {
        ++failures;
        return;
      }
      begun[c].push_back(std::move(*b));
    }
  });
  ASSERT_EQ(failures.load(), 0);
  // Step 2: the IdP's responses, made in this thread (the test IdP is not meant to be shared).
  std::vector<std::vector<std::string>> bodies(kClients);
  for (int c = 0; c < kClients; ++c)
    for (int i = 0; i < kPerClient; ++i) {
      auto& b = begun[c][i];
      fx.find_request_id(b);
      std::string xml = forge::make_response(fx.spec(b, user_name((c + i) % kUsers)));
      bodies[c].push_back(forge::form_body(xml, b.relay_state));
    }
  // Step 3: every response posted at once; meanwhile reloads and pings.
  std::mutex delivered_mutex;
  std::multimap<std::string, std::string> delivered;  // user -> password
  std::atomic<bool> posting{true};
  std::thread reloader([&] {
    auto pinger = fx.connect();
    while (posting) {
      fx.service->reload(fx.config);
      if (pinger && pinger->send(get_request("/ping"))) {
        auto ping = pinger->read_response(std::chrono::seconds(60));
        if (!ping || ping->status != 200) ++failures;
      }
    }
  });
  at_once(kClients, [&](int c) {
    auto client = fx.connect();
    for (int i = 0; client && i < kPerClient; ++i) {
      if (!client->send(post_request("/saml/acs", bodies[c][i]))) {
        ++failures;
        return;
      }
      auto page = client->read_response(std::chrono::seconds(120));
      if (!page || page->status != 200) {
        ++failures;
        continue;
      }
      auto& b = begun[c][i];
      auto d = fx.open(http::Response{page->status, {}, page->body}, b);
      std::lock_guard lock(delivered_mutex);
      delivered.emplace(d.token.user, std::string(as_text(d.password)));
    }
  });
  posting = false;
  reloader.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(delivered.size(), static_cast<std::size_t>(kClients * kPerClient));
  for (int u = 0; u < kUsers; ++u) {
    auto [first, last] = delivered.equal_range(user_name(u));
    ASSERT_NE(first, last) << user_name(u);
    for (auto it = first; it != last; ++it) EXPECT_EQ(it->second, first->second) << user_name(u);
  }
  EXPECT_EQ(fx.store->user_count(), static_cast<std::size_t>(kUsers));
}

// The same signed response posted by 16 clients at the same instant, over HTTPS: the replay
// cache and the transaction let exactly one through; the others get 400 and no token.
TEST(ParallelLogins, OneResponsePostedByManyClientsAtOnceIsAcceptedOnce) {
  ListeningService fx;
  for (int round = 0; round < 3; ++round) {
    auto b = fx.begin();
    std::string request = post_request(
        "/saml/acs", forge::form_body(forge::make_response(fx.spec(b)), b.relay_state));
    std::vector<std::unique_ptr<TestClient>> clients;
    for (int c = 0; c < kClients; ++c) clients.push_back(fx.connect());  // handshakes done first
    std::atomic<int> accepted{0}, refused{0}, other{0};
    at_once(kClients, [&](int c) {
      if (!clients[c] || !clients[c]->send(request)) {
        ++other;
        return;
      }
      auto page = clients[c]->read_response(std::chrono::seconds(120));
      if (page && page->status == 200 && !token_field(page->body).empty())
        ++accepted;
      else if (page && page->status == 400 &&
               page->body.find("name=\"token\"") == std::string::npos)
        ++refused;
      else
        ++other;
    });
    EXPECT_EQ(accepted.load(), 1) << "round " << round;
    EXPECT_EQ(refused.load(), kClients - 1) << "round " << round;
    EXPECT_EQ(other.load(), 0) << "round " << round;
  }
  EXPECT_EQ(fx.store->user_count(), 1u);
}

// The replay cache alone: one assertion (same ID, same signature) answering 16 different login
// transactions cannot be made, so 16 transactions each get a response carrying the same
// assertion ID, posted at once straight to the login flow. Only the first remembered ID wins.
TEST(ParallelLogins, OneAssertionIdAnsweringManyTransactionsAtOnceIsAcceptedOnce) {
  LoginFixture fx;
  std::vector<LoginFixture::Begun> begun;
  std::vector<std::string> bodies;
  for (int c = 0; c < kClients; ++c) {
    begun.push_back(fx.begin());
    forge::ResponseSpec spec = fx.spec(begun.back());
    spec.assertion_id = "_0123456789abcdef0123456789abcdef";
    bodies.push_back(forge::form_body(forge::make_response(spec), begun.back().relay_state));
  }
  std::atomic<int> accepted{0}, refused{0};
  at_once(kClients, [&](int c) {
    http::Response page = fx.post_form(bodies[c]);
    if (page.status == 200 && !token_field(page.body).empty())
      ++accepted;
    else if (page.status == 400 && page.body.find("name=\"token\"") == std::string::npos)
      ++refused;
  });
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(refused.load(), kClients - 1);
}

}  // namespace
}  // namespace ssoc::test
