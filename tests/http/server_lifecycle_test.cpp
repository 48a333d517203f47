// Starting (ports, addresses), concurrency of handlers, and the graceful stop.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "http_fixture.hpp"
#include "support/test_env.hpp"

namespace ssoc::http::test {
namespace {

using Clock = std::chrono::steady_clock;

// Waits (at most 5 s) for `flag` to become true.
bool wait_for(const std::atomic<bool>& flag) {
  auto deadline = Clock::now() + 5s;
  while (!flag.load() && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
  return flag.load();
}

TEST(ServerStart, PortZeroGivesARealPort) {
  auto server = start_server({});
  ASSERT_TRUE(server);
  EXPECT_NE(server->port(), 0);
  auto client = TestClient::connect(server->port());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/ping")));
  EXPECT_TRUE(client->read_response());
}

TEST(ServerStart, BusyPortIsAClearIoError) {
  ssoc::test::Listener busy;
  ServerOptions options;
  options.port = static_cast<std::uint16_t>(std::stoi(busy.port()));
  auto started = Server::start(options, echo);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().cause, Cause::Io);
  const std::string& message = started.error().message;
  EXPECT_NE(message.find("127.0.0.1:" + busy.port()), std::string::npos) << message;
  EXPECT_NE(message.find("already in use"), std::string::npos) << message;
}

TEST(ServerStart, BindAddressThatIsNotALiteralIsInvalidSetting) {
  ServerOptions options;
  options.bind_address = "localhost";
  auto started = Server::start(options, echo);
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().cause, Cause::InvalidSetting);
  EXPECT_NE(started.error().message.find("'localhost'"), std::string::npos);
}

TEST(ServerStart, ZeroTimeoutAndMissingHandlerAreInvalidSetting) {
  ServerOptions options;
  options.header_timeout = 0ms;
  auto zero = Server::start(options, echo);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().cause, Cause::InvalidSetting);
  auto no_handler = Server::start({}, nullptr);
  ASSERT_FALSE(no_handler);
  EXPECT_EQ(no_handler.error().cause, Cause::InvalidSetting);
}

TEST(ServerStart, WildcardAddressServesLoopback) {
  ServerOptions options;
  options.bind_address = "0.0.0.0";
  auto server = start_server(options);
  ASSERT_TRUE(server);
  auto client = TestClient::connect(server->port());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/ping")));
  EXPECT_TRUE(client->read_response());
}

TEST(Handlers, RunConcurrently) {
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  auto server = start_server({}, [&](const Request& request) {
    int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(400ms);
    --running;
    return echo(request);
  });
  ASSERT_TRUE(server);
  auto first = TestClient::connect(server->port());
  auto second = TestClient::connect(server->port());
  ASSERT_TRUE(first && second);
  auto started = Clock::now();
  ASSERT_TRUE(first->send(get_request("/one")));
  ASSERT_TRUE(second->send(get_request("/two")));
  EXPECT_TRUE(first->read_response());
  EXPECT_TRUE(second->read_response());
  EXPECT_EQ(most.load(), 2);
  EXPECT_LT(Clock::now() - started, 700ms) << "the two handlers ran one after the other";
}

TEST(Handlers, ASlowHandlerDoesNotHoldUpOtherRequests) {
  auto server = start_server({}, [](const Request& request) {
    if (request.path == "/slow") std::this_thread::sleep_for(1s);
    return echo(request);
  });
  ASSERT_TRUE(server);
  auto slow = TestClient::connect(server->port());
  ASSERT_TRUE(slow);
  ASSERT_TRUE(slow->send(get_request("/slow")));
  std::this_thread::sleep_for(50ms);
  auto fast = TestClient::connect(server->port());
  ASSERT_TRUE(fast);
  for (int i = 0; i < 5; ++i) {
    auto asked = Clock::now();
    ASSERT_TRUE(fast->send(get_request("/fast")));
    ASSERT_TRUE(fast->read_response());
    EXPECT_LT(Clock::now() - asked, 200ms);
  }
  auto response = slow->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /slow ? #");
}

TEST(GracefulStop, FinishesAnInFlightRequestAndClosesIdleConnections) {
  std::atomic<bool> handling{false};
  auto server = start_server({}, [&](const Request& request) {
    handling = true;
    std::this_thread::sleep_for(300ms);
    Response response = echo(request);
    response.body += std::string(100000, 'z');  // more than one write's worth
    return response;
  });
  ASSERT_TRUE(server);
  std::uint16_t port = server->port();
  auto idle = TestClient::connect(port);
  ASSERT_TRUE(idle);
  auto partial = TestClient::connect(port);
  ASSERT_TRUE(partial);
  ASSERT_TRUE(partial->send("GET /never-finished HTTP/1.1\r\n"));
  auto in_flight = TestClient::connect(port);
  ASSERT_TRUE(in_flight);
  ASSERT_TRUE(in_flight->send(get_request("/in-flight")));
  ASSERT_TRUE(wait_for(handling));

  auto stopping = Clock::now();
  server->stop();
  EXPECT_GE(Clock::now() - stopping, 200ms) << "stop() did not wait for the handler";

  auto response = in_flight->read_response(1s);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "GET /in-flight ? #" + std::string(100000, 'z'));
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(in_flight->wait_closed(1s));
  EXPECT_TRUE(idle->wait_closed(1s));
  EXPECT_EQ(idle->received(), "");
  EXPECT_TRUE(partial->wait_closed(1s));
  EXPECT_FALSE(TestClient::connect(port)) << "still accepting after stop()";
}

TEST(GracefulStop, AnswersRequestsStillQueuedForAWorker) {
  ServerOptions options;
  options.worker_threads = 1;
  std::atomic<bool> handling{false};
  auto server = start_server(options, [&](const Request& request) {
    handling = true;
    std::this_thread::sleep_for(150ms);
    return echo(request);
  });
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(TestClient::connect(server->port()));
    ASSERT_TRUE(clients.back());
    ASSERT_TRUE(clients.back()->send(get_request("/q" + std::to_string(i))));
  }
  ASSERT_TRUE(wait_for(handling));
  std::this_thread::sleep_for(20ms);  // the other two reach the queue
  server->stop();
  for (int i = 0; i < 3; ++i) {
    auto response = clients[i]->read_response(1s);
    ASSERT_TRUE(response) << i;
    EXPECT_EQ(response->body, "GET /q" + std::to_string(i) + " ? #");
  }
}

TEST(GracefulStop, AfterTheGraceClientsAreDisconnectedButTheHandlerIsWaitedFor) {
  std::atomic<bool> handling{false};
  std::atomic<bool> returned{false};
  auto server = start_server({}, [&](const Request& request) {
    handling = true;
    std::this_thread::sleep_for(1200ms);
    returned = true;
    return echo(request);
  });
  ASSERT_TRUE(server);
  auto client = TestClient::connect(server->port());
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/stuck")));
  ASSERT_TRUE(wait_for(handling));

  Clock::duration disconnected_after{};
  auto stopping = Clock::now();
  std::thread watcher([&] {
    if (client->wait_closed(3s)) disconnected_after = Clock::now() - stopping;
  });
  server->stop(200ms);
  auto stop_took = Clock::now() - stopping;
  watcher.join();
  EXPECT_TRUE(returned.load()) << "stop() returned while the handler still ran";
  EXPECT_GE(stop_took, 900ms);
  EXPECT_GT(disconnected_after, 150ms);
  EXPECT_LT(disconnected_after, 800ms) << "the client was kept past the grace";
  EXPECT_EQ(client->received(), "");
}

TEST(GracefulStop, StopTwiceAndThenDestroyIsHarmless) {
  auto server = start_server({});
  ASSERT_TRUE(server);
  server->stop();
  server->stop();
  server.reset();
}

}  // namespace
}  // namespace ssoc::http::test
