// Requests and responses over real sockets, plain and TLS: keep-alive, pipelining, HTTP/1.0,
// HEAD, 100-continue, handler failures.
#include <gtest/gtest.h>

#include <mutex>
#include <stdexcept>
#include <thread>

#include "http_fixture.hpp"

namespace ssoc::http::test {
namespace {

class RoundTrip : public OverBothWires {};

TEST_P(RoundTrip, GetAndPostOnOneKeptAliveConnection) {
  auto server = start();
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client->send(get_request("/sso/login?key=k" + std::to_string(i) + "&state=s")));
    auto response = client->read_response();
    ASSERT_TRUE(response) << "request " << i;
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "GET /sso/login ?key=k" + std::to_string(i) + "&state=s #");
    EXPECT_EQ(response->header("x-frame-options"), "DENY");
    EXPECT_EQ(response->header("connection"), std::nullopt);

    std::string form = "SAMLResponse=PHNhbWw%2B&RelayState=" + std::to_string(i);
    ASSERT_TRUE(client->send(
        post_request("/saml/acs", form, "Content-Type: application/x-www-form-urlencoded\r\n")));
    response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "POST /saml/acs ? #" + form);
  }
  EXPECT_FALSE(client->wait_closed(200ms)) << "a kept-alive connection was closed";
}

TEST_P(RoundTrip, HandlerSeesLowerCasedHeadersAndThePeer) {
  Request seen;
  std::mutex mutex;
  auto server = start({}, [&](const Request& request) {
    std::lock_guard lock(mutex);
    seen = request;
    return Response{};
  });
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/ping", "X-Forwarded-For:   10.0.0.1  \r\n")));
  ASSERT_TRUE(client->read_response());
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen.header("x-forwarded-for"), "10.0.0.1");
  EXPECT_EQ(seen.header("host"), "sso.test");
  EXPECT_TRUE(seen.peer.starts_with("127.0.0.1:")) << seen.peer;
  EXPECT_EQ(seen.target, "/ping");
}

TEST_P(RoundTrip, PipelinedRequestsAreAnsweredInOrder) {
  auto server = start({}, [](const Request& request) {
    // The first request is the slowest: an out-of-order server would answer it last.
    if (request.path == "/1") std::this_thread::sleep_for(100ms);
    return echo(request);
  });
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/1") + post_request("/2", "two") + get_request("/3")));
  for (std::string expected : {"GET /1 ? #", "POST /2 ? #two", "GET /3 ? #"}) {
    auto response = client->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, expected);
  }
}

TEST_P(RoundTrip, ConnectionCloseIsHonoured) {
  auto server = start();
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/a", "Connection: close\r\n")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(client->wait_closed(2s));
}

TEST_P(RoundTrip, Http10ClosesUnlessKeepAliveIsAsked) {
  auto server = start();
  ASSERT_TRUE(server);
  auto kept = connect(*server);
  ASSERT_TRUE(kept);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(kept->send("GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
    auto response = kept->read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->header("connection"), "keep-alive");
  }
  auto closed = connect(*server);
  ASSERT_TRUE(closed);
  ASSERT_TRUE(closed->send("GET /c HTTP/1.0\r\n\r\n"));
  auto response = closed->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "GET /c ? #");
  EXPECT_EQ(response->header("connection"), "close");
  EXPECT_TRUE(closed->wait_closed(2s));
}

TEST_P(RoundTrip, HeadGetsTheLengthWithoutTheBody) {
  auto server = start();
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n" + get_request("/y")));
  auto head = client->read_response(5s, true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->header("content-length"), std::to_string(std::string("HEAD /x ? #").size()));
  EXPECT_EQ(head->body, "");
  auto next = client->read_response();  // would be garbled had the body been sent
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /y ? #");
}

TEST_P(RoundTrip, ExpectContinueGetsTheInterimResponseBeforeTheBody) {
  auto server = start();
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(
      "POST /saml/acs HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client->read_response(2s);
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(client->send("body"));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "POST /saml/acs ? #body");
}

TEST_P(RoundTrip, AThrowingHandlerGives500AndTheServerGoesOn) {
  auto server = start({}, [](const Request& request) -> Response {
    if (request.path == "/throw") throw std::runtime_error("secret detail");
    return echo(request);
  });
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/throw")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body.find("secret"), std::string::npos);
  EXPECT_TRUE(client->wait_closed(2s));
  auto again = connect(*server);
  ASSERT_TRUE(again);
  ASSERT_TRUE(again->send(get_request("/fine")));
  auto fine = again->read_response();
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
}

TEST_P(RoundTrip, AHeaderInjectionFromTheHandlerIsNeverSent) {
  auto server = start({}, [](const Request&) {
    Response response;
    response.status = 302;
    response.headers = {{"Location", "/next\r\nSet-Cookie: session=stolen"}};
    return response;
  });
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send(get_request("/")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->header("set-cookie"), std::nullopt);
  EXPECT_EQ(response->header("location"), std::nullopt);
}

TEST_P(RoundTrip, ServerMadePagesComeFromErrorResponse) {
  ServerOptions options;
  options.error_response = [](int status) {
    Response response;
    response.status = status;
    response.headers = {{"Content-Type", "text/html"}, {"X-Frame-Options", "DENY"}};
    response.body = "<p>Error " + std::to_string(status) + "</p>";
    return response;
  };
  auto server = start(options);
  ASSERT_TRUE(server);
  auto client = connect(*server);
  ASSERT_TRUE(client);
  ASSERT_TRUE(client->send("GET / HTTP/1.1\r\n\r\n"));  // no Host
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(response->body, "<p>Error 400</p>");
  EXPECT_EQ(response->header("x-frame-options"), "DENY");
  EXPECT_EQ(response->header("connection"), "close");
}

INSTANTIATE_TEST_SUITE_P(Wires, RoundTrip, ::testing::Values(Wire::Plain, Wire::Tls), wire_name);

}  // namespace
}  // namespace ssoc::http::test
