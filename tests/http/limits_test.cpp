// What the server refuses by itself, over plain and TLS connections: the status, then the close.
#include <gtest/gtest.h>

#include <atomic>

#include "http_fixture.hpp"

namespace ssoc::http::test {
namespace {

class Refusal : public OverBothWires {
 protected:
  // Sends `bytes` on a fresh connection and expects `status`, then the server closing; and
  // that the handler never saw the request.
  void expect_refused(std::string_view bytes, int status, ServerOptions options = {}) {
    std::atomic<int> handled{0};
    auto server = start(options, [&](const Request& request) {
      ++handled;
      return echo(request);
    });
    ASSERT_TRUE(server);
    auto client = connect(*server);
    ASSERT_TRUE(client);
    ASSERT_TRUE(client->send(bytes));
    auto response = client->read_response(3s);
    ASSERT_TRUE(response) << "no response";
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->header("connection"), "close");
    EXPECT_TRUE(client->wait_closed(3s)) << "the connection stayed open";
    EXPECT_EQ(handled.load(), 0);
  }
};

TEST_P(Refusal, TooLargeBodyGets413BeforeAnyBodyByteIsSent) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  // Only the head is sent; a server waiting for the body would time out instead (10 s).
  auto started = std::chrono::steady_clock::now();
  expect_refused("POST /saml/acs HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n", 413,
                 options);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_P(Refusal, BodyAtTheLimitIsAccepted) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  auto server = start(options);
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  std::string body(1000, 'b');
  ASSERT_TRUE(client->send(post_request("/saml/acs", body)));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /saml/acs ? #" + body);
}

TEST_P(Refusal, HeadersOverTheLimitGet431) {
  ServerOptions options;
  options.max_header_bytes = 2048;
  expect_refused(get_request("/", "X-Big: " + std::string(3000, 'h') + "\r\n"), 431, options);
}

TEST_P(Refusal, EndlessHeadersGet431WithoutTheirEnd) {
  ServerOptions options;
  options.max_header_bytes = 2048;
  // No blank line ever comes; the limit alone must end it.
  expect_refused("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(4000, 'h'), 431, options);
}

TEST_P(Refusal, HeadersJustUnderTheLimitAreAccepted) {
  ServerOptions options;
  options.max_header_bytes = 2048;
  auto server = start(options);
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  std::string filler(2048 - get_request("/", "X-Big: \r\n").size(), 'h');
  std::string request = get_request("/", "X-Big: " + filler + "\r\n");
  ASSERT_EQ(request.size(), 2048u);
  ASSERT_TRUE(client->send(request));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_P(Refusal, TransferEncodingIsRefused) {
  expect_refused(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n",
      411);
}

TEST_P(Refusal, TransferEncodingWithContentLengthIsRefused) {
  expect_refused(
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\nbody",
      400);
}

TEST_P(Refusal, DuplicateContentLengthIsRefused) {
  expect_refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nbody",
                 400);
}

TEST_P(Refusal, NonNumericContentLengthIsRefused) {
  expect_refused("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4x\r\n\r\nbody", 400);
}

TEST_P(Refusal, ObsFoldIsRefused) {
  expect_refused("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n", 400);
}

TEST_P(Refusal, OtherHttpVersionsAreRefused) {
  expect_refused("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505);
}

TEST_P(Refusal, GarbageIsRefused) {
  expect_refused("\x16\x03\x01garbage\r\n\r\n", 400);
}

INSTANTIATE_TEST_SUITE_P(Wires, Refusal, ::testing::Values(Wire::Plain, Wire::Tls), wire_name);

}  // namespace
}  // namespace ssoc::http::test
