// Slow and abusive clients against the service's real HTTPS listener, with the limits and
// timeouts it really runs with (http::ServerOptions defaults; docs/operations.md "Slow and
// abusive clients"): hundreds of idle sockets and slowloris connections must not starve real
// logins and are cut off at header_timeout (10 s); a 50 MB body is refused from its head and not
// read. tests/http covers the same mechanisms with short timeouts on a bare server.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>

#include "service/listening_service.hpp"

namespace ssoc::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using http::test::TestClient;

// A cut-off reaches the abusive client as EPIPE, not as a SIGPIPE that would end the test
// program (OpenSSL writes with write(2)).
struct IgnoredSigpipe {
  void (*previous)(int) = ::signal(SIGPIPE, SIG_IGN);
  ~IgnoredSigpipe() { ::signal(SIGPIPE, previous); }
};

constexpr auto kHeaderTimeout =
    10s;  // http::ServerOptions::header_timeout, which the service keeps

// 300 TCP sockets that never say a word (not even a TLS hello) and 20 TLS connections sending a
// request head one byte a second, while a user logs in over and over: every login completes,
// none slower than 2 s. At header_timeout each slowloris connection gets 408 and is closed (the
// trickle does not extend it) and the idle sockets are closed without a word.
TEST(AbusiveClients, IdleSocketsAndSlowlorisDoNotStarveLoginsAndAreCutOffAtTheHeaderTimeout) {
  IgnoredSigpipe ignored_sigpipe;
  ListeningService fx;
  auto started = Clock::now();
  std::vector<std::unique_ptr<TestClient>> idle;
  for (int i = 0; i < 300; ++i) {
    idle.push_back(TestClient::connect(fx.service->port()));
    ASSERT_TRUE(idle.back()) << "idle socket " << i;
  }
  std::vector<std::unique_ptr<TestClient>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(fx.connect());
    ASSERT_TRUE(slow.back()) << "slowloris " << i;
  }
  // The slowloris thread: one byte a second on each connection, until it is cut off.
  const std::string head =
      http::test::get_request("/ping", "X-Padding: " + std::string(64, 'p') + "\r\n");
  std::vector<Clock::duration> cut_after(slow.size(), Clock::duration::zero());
  std::atomic<bool> done{false};
  std::thread trickler([&] {
    for (std::size_t at = 0; !done && at < head.size(); ++at) {
      auto tick = Clock::now();
      bool any_left = false;
      for (std::size_t i = 0; i < slow.size(); ++i) {
        if (cut_after[i] != Clock::duration::zero()) continue;
        if (!slow[i]->send(std::string_view(&head[at], 1)) || slow[i]->wait_closed(1ms))
          cut_after[i] = Clock::now() - started;
        else
          any_left = true;
      }
      if (!any_left) break;
      std::this_thread::sleep_until(tick + 1s);
    }
  });

  // Real logins meanwhile, until past the header timeout.
  std::string first;
  int logins = 0;
  Clock::duration slowest{};
  while (Clock::now() - started < kHeaderTimeout + 2s) {
    auto asked = Clock::now();
    std::string why;
    std::string password = fx.login_over_https("alice@example.test", &why);
    ASSERT_FALSE(password.empty()) << "login " << logins << ": " << why;
    slowest = std::max(slowest, Clock::now() - asked);
    if (first.empty()) first = password;
    EXPECT_EQ(password, first);
    ++logins;
  }
  done = true;
  trickler.join();
  EXPECT_GT(logins, 5);
  EXPECT_LT(slowest, 2s) << "a login waited behind the abusive clients";

  for (std::size_t i = 0; i < slow.size(); ++i) {
    EXPECT_GE(cut_after[i], kHeaderTimeout - 1s) << "slowloris " << i << " cut off early";
    EXPECT_LT(cut_after[i], kHeaderTimeout + 2s) << "slowloris " << i << " was not cut off";
  }
  // What a slowloris connection got before its close: a 408 (inside TLS, so read it back).
  EXPECT_NE(slow[0]->received().find(" 408 "), std::string::npos) << slow[0]->received();
  int closed = 0;
  for (auto& socket : idle)
    if (socket->wait_closed(100ms) && socket->received().empty()) ++closed;
  EXPECT_EQ(closed, 300) << "idle sockets still open (or answered) after the header timeout";
}

// A 50 MB body announced in the head: 413 at once, from the head alone, and the service stops
// taking the body: the connection is cut after about the size limit (1 MiB + 4 KiB, plus what
// the kernels' socket buffers hold), never the 50 MB.
TEST(AbusiveClients, AFiftyMegabyteBodyGets413FromItsHeadAndIsNotRead) {
  ListeningService fx;
  IgnoredSigpipe ignored_sigpipe;
  constexpr std::size_t kBody = 50u << 20;
  auto client = fx.connect();
  ASSERT_TRUE(client);
  timeval five_seconds{5, 0};  // a send that blocks this long means nobody reads any more
  ::setsockopt(SSL_get_fd(client->ssl()), SOL_SOCKET, SO_SNDTIMEO, &five_seconds,
               sizeof five_seconds);
  std::string head =
      "POST /saml/acs HTTP/1.1\r\nHost: sso.test\r\nContent-Type: "
      "application/x-www-form-urlencoded\r\nContent-Length: " +
      std::to_string(kBody) + "\r\n\r\n";
  auto asked = Clock::now();
  ASSERT_TRUE(client->send(head));
  auto refused = client->read_response(2s);
  ASSERT_TRUE(refused) << "no answer to the head alone";
  EXPECT_EQ(refused->status, 413);
  EXPECT_EQ(refused->header("connection"), "close");
  EXPECT_EQ(refused->body.find("name=\"token\""), std::string::npos);
  EXPECT_LT(Clock::now() - asked, 1s);

  // The body anyway, as a client that does not listen would send it.
  const std::string chunk(64 * 1024, 'A');
  std::size_t sent = 0;
  auto sending = Clock::now();
  while (sent < kBody && client->send(chunk)) sent += chunk.size();
  EXPECT_LT(sent, std::size_t{20} << 20) << "the service took " << sent << " bytes of the body";
  EXPECT_LT(Clock::now() - sending, 4s) << "the connection was left open, not cut";

  // And the service goes on serving.
  EXPECT_FALSE(fx.login_over_https("alice@example.test").empty());
}

}  // namespace
}  // namespace ssoc::test
