// The bytes a Response becomes on the wire, and the responses that must never be sent.
#include <gtest/gtest.h>

#include <stdexcept>

#include "http/response_writer.hpp"

namespace ssoc::http {
namespace {

Response page(int status, std::string body) {
  Response response;
  response.status = status;
  response.headers = {{"Content-Type", "text/html; charset=utf-8"}, {"Cache-Control", "no-store"}};
  response.body = std::move(body);
  return response;
}

TEST(SerializeResponse, WritesStatusHeadersLengthAndBody) {
  EXPECT_EQ(serialize_response(page(200, "<p>hi</p>"), {}),
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Cache-Control: no-store\r\nContent-Length: 9\r\n\r\n<p>hi</p>");
}

TEST(SerializeResponse, SaysConnectionCloseWhenClosing) {
  EXPECT_EQ(serialize_response(page(404, ""), {.close = true}),
            "HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Cache-Control: no-store\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

TEST(SerializeResponse, ConfirmsKeepAliveToHttp10) {
  std::string bytes = serialize_response(page(200, "x"), {.http10 = true});
  EXPECT_NE(bytes.find("\r\nConnection: keep-alive\r\n"), std::string::npos);
  EXPECT_TRUE(bytes.starts_with("HTTP/1.1 200 OK\r\n"));
}

TEST(SerializeResponse, HeadKeepsTheLengthAndDropsTheBody) {
  std::string bytes = serialize_response(page(200, "12345"), {.head_request = true});
  EXPECT_TRUE(bytes.ends_with("Content-Length: 5\r\n\r\n")) << bytes;
}

TEST(SerializeResponse, NoContentHasNoLengthAndNoBody) {
  EXPECT_EQ(serialize_response(page(204, "ignored"), {}),
            "HTTP/1.1 204 No Content\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n\r\n");
}

TEST(SerializeResponse, IgnoresFramingHeadersFromTheHandler) {
  Response response = page(200, "abc");
  response.headers.emplace_back("content-length", "999");
  response.headers.emplace_back("Transfer-Encoding", "chunked");
  response.headers.emplace_back("Connection", "keep-alive");
  std::string bytes = serialize_response(response, {.close = true});
  EXPECT_EQ(bytes.find("999"), std::string::npos);
  EXPECT_EQ(bytes.find("chunked"), std::string::npos);
  EXPECT_EQ(bytes.find("keep-alive"), std::string::npos);
  EXPECT_NE(bytes.find("Content-Length: 3\r\n"), std::string::npos);
}

TEST(IsSendable, RefusesHeaderInjectionAndOddStatuses) {
  EXPECT_TRUE(is_sendable(page(200, "")));
  Response injected = page(302, "");
  injected.headers.emplace_back("Location", "/x\r\nSet-Cookie: a=b");
  EXPECT_FALSE(is_sendable(injected));
  Response lf = page(200, "");
  lf.headers.emplace_back("X-A", "a\nb");
  EXPECT_FALSE(is_sendable(lf));
  Response bad_name = page(200, "");
  bad_name.headers.emplace_back("X A", "1");
  EXPECT_FALSE(is_sendable(bad_name));
  Response nul = page(200, "");
  nul.headers.emplace_back("X-A", std::string("a\0b", 3));
  EXPECT_FALSE(is_sendable(nul));
  EXPECT_FALSE(is_sendable(page(101, "")));
  EXPECT_FALSE(is_sendable(page(600, "")));
}

TEST(ErrorPages, UsesTheCallersPagesWithConnectionClose) {
  ErrorPages pages([](int status) {
    Response response;
    response.status = status;
    response.headers = {{"Content-Type", "text/html"}};
    response.body = "<h1>" + std::to_string(status) + "</h1>";
    return response;
  });
  EXPECT_EQ(pages.bytes(413),
            "HTTP/1.1 413 Content Too Large\r\nContent-Type: text/html\r\nContent-Length: 12\r\n"
            "Connection: close\r\n\r\n<h1>413</h1>");
}

TEST(ErrorPages, BuildsEveryPageAfreshSoEachCanCarryItsOwnReference) {
  int made = 0;
  ErrorPages pages([&made](int status) {
    Response response;
    response.status = status;
    response.body = "reference " + std::to_string(++made);
    return response;
  });
  EXPECT_TRUE(pages.bytes(400).ends_with("reference 1"));
  EXPECT_TRUE(pages.bytes(400).ends_with("reference 2"));
  EXPECT_TRUE(pages.bytes(999).starts_with("HTTP/1.1 500 "));  // not a server status
}

TEST(ErrorPages, FallsBackToPlainTextForNullOrUnsendablePages) {
  ErrorPages plain(nullptr);
  EXPECT_TRUE(plain.bytes(431).starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
  EXPECT_TRUE(
      plain.bytes(431).ends_with("Connection: close\r\n\r\n431 Request Header Fields Too Large\n"));
  ErrorPages broken([](int status) {
    Response response;
    response.status = status;
    response.headers = {{"Bad Name", "x"}};
    return response;
  });
  EXPECT_TRUE(broken.bytes(400).ends_with("\r\n\r\n400 Bad Request\n"));
  ErrorPages throwing([](int) -> Response { throw std::runtime_error("no page"); });
  EXPECT_TRUE(throwing.bytes(408).ends_with("\r\n\r\n408 Request Timeout\n"));
}

}  // namespace
}  // namespace ssoc::http
