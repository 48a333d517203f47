// The request-head parser on its own: what it accepts, and the status of every refusal.
#include <gtest/gtest.h>

#include "http/request_head.hpp"

namespace ssoc::http {
namespace {

constexpr std::size_t kMaxBody = 1000;

int refusal(std::string_view head) {
  HeadOutcome outcome = parse_request_head(head, kMaxBody);
  if (auto* refused = std::get_if<HeadRefusal>(&outcome)) return refused->status;
  return 0;
}

RequestHead parsed(std::string_view head) {
  HeadOutcome outcome = parse_request_head(head, kMaxBody);
  if (auto* refused = std::get_if<HeadRefusal>(&outcome)) {
    ADD_FAILURE() << "refused with " << refused->status;
    return {};
  }
  return std::get<RequestHead>(outcome);
}

TEST(RequestHead, SplitsTheTargetAndLowerCasesNames) {
  RequestHead head = parsed(
      "GET /sso/login?key=a%2Bb&state=x HTTP/1.1\r\nHOST: sso.test\r\nX-Thing:  \t v a l "
      "\t\r\n\r\n");
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/sso/login?key=a%2Bb&state=x");
  EXPECT_EQ(head.path, "/sso/login");
  EXPECT_EQ(head.query, "key=a%2Bb&state=x");
  ASSERT_EQ(head.headers.size(), 2u);
  EXPECT_EQ(head.headers[0], (std::pair<std::string, std::string>{"host", "sso.test"}));
  EXPECT_EQ(head.headers[1], (std::pair<std::string, std::string>{"x-thing", "v a l"}));
  EXPECT_TRUE(head.keep_alive);
  EXPECT_EQ(head.content_length, 0u);
}

TEST(RequestHead, TargetWithoutQueryHasAnEmptyQuery) {
  RequestHead head = parsed("GET /ping HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(head.path, "/ping");
  EXPECT_EQ(head.query, "");
}

TEST(RequestHead, KeepAliveFollowsVersionAndConnection) {
  EXPECT_TRUE(parsed("GET / HTTP/1.1\r\nHost: a\r\n\r\n").keep_alive);
  EXPECT_FALSE(parsed("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").keep_alive);
  EXPECT_FALSE(parsed("GET / HTTP/1.1\r\nHost: a\r\nConnection: te, close\r\n\r\n").keep_alive);
  EXPECT_FALSE(parsed("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(parsed("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive);
}

TEST(RequestHead, ReadsContentLengthAndExpect) {
  RequestHead head = parsed(
      "POST /saml/acs HTTP/1.1\r\nHost: a\r\nContent-Length: 0012\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(head.content_length, 12u);
  EXPECT_TRUE(head.expect_continue);
  EXPECT_EQ(parsed("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n").content_length,
            1000u);
}

TEST(RequestHead, RefusesTransferEncoding) {
  EXPECT_EQ(refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"), 411);
  EXPECT_EQ(refusal("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"), 411);
  EXPECT_EQ(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"),
            400);
}

TEST(RequestHead, RefusesDuplicateOrMalformedContentLength) {
  EXPECT_EQ(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n"),
            400);
  EXPECT_EQ(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3, 3\r\n\r\n"), 400);
  for (const char* value : {"", "-1", "+3", "3a", "0x10", "1 2", "1.0"})
    EXPECT_EQ(
        refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::string(value) + "\r\n\r\n"),
        400)
        << value;
}

TEST(RequestHead, TooLargeContentLengthIs413EvenWhenItOverflows) {
  EXPECT_EQ(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n"), 413);
  EXPECT_EQ(refusal("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
                    "99999999999999999999999999999999\r\n\r\n"),
            413);
}

TEST(RequestHead, RefusesObsFoldAndMalformedFields) {
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\tfolded\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\nX-A : 1\r\n\r\n"), 400);  // space before ':'
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\nno colon\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\n: empty name\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\x01z\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\nX-A: a\nB: z\r\n\r\n"), 400);  // bare LF
  const char with_nul[] = "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\0z\r\n\r\n";
  EXPECT_EQ(refusal(std::string(with_nul, sizeof with_nul - 1)), 400);
}

TEST(RequestHead, RefusesMissingOrRepeatedHostInHttp11) {
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  EXPECT_EQ(refusal("GET / HTTP/1.0\r\n\r\n"), 0);
}

TEST(RequestHead, RefusesMalformedRequestLines) {
  for (const char* line :
       {"GET /\r\n", "GET  / HTTP/1.1\r\n", "GET / HTTP/1.1 \r\n", "G(T / HTTP/1.1\r\n",
        "GET http://a/ HTTP/1.1\r\n", "CONNECT a:443 HTTP/1.1\r\n", "GET * HTTP/1.1\r\n",
        "GET /\x7f HTTP/1.1\r\n", "GET /\xc3\xa9 HTTP/1.1\r\n", "GET / http/1.1\r\n",
        "GET / HTTP/1.10\r\n", " GET / HTTP/1.1\r\n"})
    EXPECT_EQ(refusal(std::string(line) + "Host: a\r\n\r\n"), 400) << line;
  EXPECT_EQ(refusal("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 0);
}

TEST(RequestHead, RefusesOtherVersionsWith505) {
  EXPECT_EQ(refusal("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505);
  EXPECT_EQ(refusal("GET / HTTP/0.9\r\nHost: a\r\n\r\n"), 505);
  EXPECT_EQ(refusal("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), 505);
}

TEST(FindHeadEnd, FindsTheBlankLineAcrossByteAtATimeInput) {
  std::string head = "GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY";
  std::string buffer;
  std::size_t scanned = 0;
  std::optional<std::size_t> end;
  for (char c : head) {
    buffer += c;
    end = find_head_end(buffer, scanned);
    if (end) break;
  }
  ASSERT_TRUE(end);
  EXPECT_EQ(*end, head.find("BODY"));
}

TEST(FindHeadEnd, BareLineFeedsDoNotEndAHead) {
  std::size_t scanned = 0;
  EXPECT_EQ(find_head_end("GET / HTTP/1.1\nHost: a\n\n", scanned), std::nullopt);
}

}  // namespace
}  // namespace ssoc::http
