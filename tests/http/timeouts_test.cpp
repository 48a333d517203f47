// Slow and idle clients: per-connection timeouts, and that they never hold up other clients.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "http_fixture.hpp"

namespace ssoc::http::test {
namespace {

using Clock = std::chrono::steady_clock;

class SlowClients : public OverBothWires {};

TEST_P(SlowClients, SlowlorisIsCutOffAfterHeaderTimeoutWhileOthersAreAnswered) {
  ServerOptions options;
  options.header_timeout = 600ms;
  auto server = start(options);
  ASSERT_TRUE(server);
  auto slow = connect(*server);
  ASSERT_TRUE(slow);
  auto started = Clock::now();
  ASSERT_TRUE(slow->send("G"));

  // Meanwhile another client keeps asking, on one kept-alive connection.
  auto busy = connect(*server);
  ASSERT_TRUE(busy);
  Clock::duration slowest{};
  int answered = 0;
  while (Clock::now() - started < 1200ms) {
    auto asked = Clock::now();
    ASSERT_TRUE(busy->send(get_request("/busy")));
    auto response = busy->read_response(2s);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    slowest = std::max(slowest, Clock::now() - asked);
    ++answered;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_GT(answered, 10);
  EXPECT_LT(slowest, 200ms);

  // The slow client got a 408 and was closed, at about header_timeout.
  auto response = slow->read_response(1s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_TRUE(slow->wait_closed(1s));
}

TEST_P(SlowClients, TricklingBytesDoNotExtendTheHeaderTimeout) {
  ServerOptions options;
  options.header_timeout = 500ms;
  auto server = start(options);
  ASSERT_TRUE(server);
  auto slow = connect(*server);
  ASSERT_TRUE(slow);
  auto started = Clock::now();
  std::string request = get_request("/", "X-Padding: " + std::string(200, 'p') + "\r\n");
  bool cut_off = false;
  for (char byte : request) {
    if (!slow->send(std::string_view(&byte, 1))) {
      cut_off = true;  // the server closed while we were still sending
      break;
    }
    if (slow->wait_closed(50ms)) {
      cut_off = true;
      break;
    }
  }
  auto elapsed = Clock::now() - started;
  EXPECT_TRUE(cut_off) << "the whole head was trickled in without a cut-off";
  EXPECT_GE(elapsed, 450ms);
  EXPECT_LT(elapsed, 1500ms);
  EXPECT_NE(slow->received().find(" 408 "), std::string::npos) << slow->received();
}

TEST_P(SlowClients, SilentConnectionIsClosedWithoutAResponse) {
  ServerOptions options;
  options.header_timeout = 300ms;
  auto server = start(options);
  ASSERT_TRUE(server);
  auto silent = connect(*server);  // for TLS the handshake is done; then nothing
  ASSERT_TRUE(silent);
  auto started = Clock::now();
  EXPECT_TRUE(silent->wait_closed(2s));
  EXPECT_GE(Clock::now() - started, 250ms);
  EXPECT_EQ(silent->received(), "");
}

TEST_P(SlowClients, SlowBodyGets408AfterBodyTimeout) {
  ServerOptions options;
  options.body_timeout = 400ms;
  auto server = start(options);
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  auto started = Clock::now();
  ASSERT_TRUE(client->send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\nonly-part"));
  auto response = client->read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 408);
  EXPECT_GE(Clock::now() - started, 350ms);
  EXPECT_TRUE(client->wait_closed(1s));
}

TEST_P(SlowClients, IdleKeptAliveConnectionIsClosedAfterIdleTimeout) {
  ServerOptions options;
  options.idle_timeout = 400ms;
  options.header_timeout = 5s;
  auto server = start(options);
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/")));
  ASSERT_TRUE(client->read_response());
  auto answered = Clock::now();
  EXPECT_TRUE(client->wait_closed(2s));
  auto idle = Clock::now() - answered;
  EXPECT_GE(idle, 350ms);
  EXPECT_LT(idle, 1500ms);
  EXPECT_EQ(client->received(), "");  // closed silently: nothing of a request had come
}

TEST_P(SlowClients, TwoHundredIdleSocketsDoNotStopARealRequest) {
  auto server = start();
  ASSERT_TRUE(server);
  // Raw TCP connections that never speak: against a TLS server they never even say hello.
  std::vector<std::unique_ptr<TestClient>> idle;
  for (int i = 0; i < 200; ++i) {
    auto socket = TestClient::connect(server->port());
    ASSERT_TRUE(socket) << i;
    // Half of them begin: a request line, or the first bytes of a TLS ClientHello.
    if (i % 2 == 0) {
      ASSERT_TRUE(socket->send(tls() ? "\x16\x03\x01" : "GET / HTTP/1.1\r\n"));
    }
    idle.push_back(std::move(socket));
  }
  auto asked = Clock::now();
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/real")));
  auto response = client->read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /real ? #");
  EXPECT_LT(Clock::now() - asked, 500ms);
}

INSTANTIATE_TEST_SUITE_P(Wires, SlowClients, ::testing::Values(Wire::Plain, Wire::Tls), wire_name);

TEST(MaxConnections, ConnectionsAboveTheLimitAreClosedAtOnce) {
  ServerOptions options;
  options.max_connections = 3;
  auto server = start_server(options);
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<TestClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(TestClient::connect(server->port()));
    ASSERT_TRUE(held.back());
    ASSERT_TRUE(held.back()->send(get_request("/held")));
    ASSERT_TRUE(held.back()->read_response()) << i;  // accepted and kept alive
  }
  auto extra = TestClient::connect(server->port());
  ASSERT_TRUE(extra);  // the kernel completes the handshake...
  extra->send(get_request("/extra"));
  EXPECT_TRUE(extra->wait_closed(2s));  // ...and the server closes it unanswered
  EXPECT_EQ(extra->received(), "");

  // A held connection still works, and once one goes, a new one is served again.
  ASSERT_TRUE(held[0]->send(get_request("/again")));
  ASSERT_TRUE(held[0]->read_response());
  held.pop_back();
  std::this_thread::sleep_for(100ms);  // the server notices the close
  auto replacement = TestClient::connect(server->port());
  ASSERT_TRUE(replacement);
  ASSERT_TRUE(replacement->send(get_request("/replacement")));
  auto response = replacement->read_response(2s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

}  // namespace
}  // namespace ssoc::http::test
