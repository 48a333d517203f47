// The token parser of the reference client: strict, flat JSON with DESIGN.md's keys.
#include <gtest/gtest.h>

#include "client/token.hpp"

namespace ssoc::client {
namespace {

const std::string kGood =
    R"({"user":"alice@example.test","email":"alice@example.test","first_name":"Al\u00efce",)"
    R"("last_name":"O\"Brien","password":"AQID","new_user":true,"session_id":"s1",)"
    R"("issued_at":1796150438,"state":"st\/ate"})";

TEST(Token, ReadsEveryFieldWithEscapes) {
  auto token = parse_token(kGood);
  ASSERT_TRUE(token) << token.error().describe();
  EXPECT_EQ(token->user, "alice@example.test");
  EXPECT_EQ(token->first_name,
            "Al\xc3\xaf"
            "ce");
  EXPECT_EQ(token->last_name, "O\"Brien");
  EXPECT_EQ(token->password, "AQID");
  EXPECT_TRUE(token->new_user);
  EXPECT_EQ(token->session_id, "s1");
  EXPECT_EQ(token->issued_at, 1796150438);
  EXPECT_EQ(token->state, "st/ate");
  auto spaced = parse_token(
      " \n{ \"user\" : \"u\" , \"email\":\"\",\"first_name\":\"\",\"last_name\":"
      "\"\",\"password\":\"p\",\"new_user\":false,\"session_id\":\"s\","
      "\"issued_at\":0,\"state\":\"\",\"later\":\"ignored\"}\n");
  ASSERT_TRUE(spaced) << spaced.error().describe();
  EXPECT_FALSE(spaced->new_user);
}

TEST(Token, RefusesEveryTruncation) {
  for (std::size_t n = 0; n < kGood.size(); ++n) EXPECT_FALSE(parse_token(kGood.substr(0, n))) << n;
}

TEST(Token, RefusesMissingRepeatedAndMistypedKeys) {
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  EXPECT_FALSE(parse_token(replace(kGood, R"("state":"st\/ate")", R"("other":"x")")));
  EXPECT_FALSE(parse_token(replace(kGood, R"("new_user":true)", R"("new_user":"true")")));
  EXPECT_FALSE(parse_token(replace(kGood, R"("issued_at":1796150438)", R"("issued_at":"1")")));
  EXPECT_FALSE(parse_token(replace(kGood, R"("issued_at":1796150438)", R"("issued_at":-1)")));
  EXPECT_FALSE(parse_token(replace(kGood, R"("issued_at":1796150438)", R"("issued_at":01)")));
  EXPECT_FALSE(parse_token(
      replace(kGood, R"("issued_at":1796150438)", R"("issued_at":1234567890123456789012)")));
  EXPECT_FALSE(parse_token(replace(kGood, R"("password":"AQID")", R"("password":null)")));
  EXPECT_FALSE(
      parse_token(replace(kGood, R"("user":"alice@example.test")", R"("user":"a","user":"b")")));
  // A later key may not repeat a known one either.
  EXPECT_FALSE(parse_token(kGood.substr(0, kGood.size() - 1) + R"(,"state":"mine"})"));
}

TEST(Token, RefusesBadJson) {
  for (const char* bad : {"", "[]", "{", "{}", "null", R"({"user":"a\x"})", R"({"user":"\ud800"})",
                          R"({"user":"\udc00"})", R"({"user":"\u12"})", "{\"user\":\"a\nb\"}",
                          R"({"user":"a",})", R"({"user" "a"})", R"({user:"a"})"}) {
    EXPECT_FALSE(parse_token(bad)) << bad;
  }
  EXPECT_FALSE(parse_token(kGood + "x"));
  EXPECT_FALSE(parse_token(kGood + "{}"));
}

TEST(Token, RefusesOversizedInput) {
  std::string big =
      kGood.substr(0, kGood.size() - 1) + R"(,"pad":")" + std::string(kMaxTokenSize, 'x') + "\"}";
  auto refused = parse_token(big);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("64 KiB"), std::string::npos);
}

}  // namespace
}  // namespace ssoc::client
