// Percent-encoding and form parsing: the helpers the login endpoints read their parameters with.
#include <gtest/gtest.h>

#include "http/message.hpp"

namespace ssoc::http {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

TEST(PercentDecode, DecodesEscapesOfEitherCase) {
  EXPECT_EQ(percent_decode("a%2Fb%2fc%41", false), "a/b/cA");
  EXPECT_EQ(percent_decode("%00x", false), std::string("\0x", 2));
}

TEST(PercentDecode, PlusIsSpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a+b%2B", true), "a b+");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
}

TEST(PercentDecode, RefusesBadEscapes) {
  for (const char* bad : {"%", "%4", "a%4", "%G0", "%0G", "%%41", "abc%", "%-1"})
    EXPECT_EQ(percent_decode(bad, true), std::nullopt) << bad;
}

TEST(PercentDecode, EmptyInputIsEmpty) {
  EXPECT_EQ(percent_decode("", true), "");
}

TEST(PercentEncode, KeepsUnreservedAndEscapesTheRest) {
  EXPECT_EQ(percent_encode("Az09-._~"), "Az09-._~");
  EXPECT_EQ(percent_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(percent_encode(std::string("\0", 1)), "%00");
}

TEST(PercentEncode, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(percent_decode(percent_encode(all), false), all);
  EXPECT_EQ(percent_decode(percent_encode(all), true), all);
}

TEST(ParseForm, ParsesAndDecodesPairsInOrder) {
  auto fields = parse_form("key=MCow%2BBQ&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&state=a+b");
  ASSERT_TRUE(fields);
  EXPECT_EQ(
      *fields,
      (Fields{{"key", "MCow+BQ"}, {"redirect_uri", "http://127.0.0.1:9/cb"}, {"state", "a b"}}));
}

TEST(ParseForm, EmptyInputIsAnEmptyList) {
  auto fields = parse_form("");
  ASSERT_TRUE(fields);
  EXPECT_TRUE(fields->empty());
}

TEST(ParseForm, EmptyValuesAndEmptyPiecesAreAccepted) {
  EXPECT_EQ(parse_form("a=&b=2&"), (Fields{{"a", ""}, {"b", "2"}}));
  EXPECT_EQ(parse_form("&&a=1&&"), (Fields{{"a", "1"}}));
  EXPECT_EQ(parse_form("a=b=c"), (Fields{{"a", "b=c"}}));
}

TEST(ParseForm, RefusesARepeatedName) {
  EXPECT_EQ(parse_form("state=a&state=b"), std::nullopt);
  EXPECT_EQ(parse_form("state=a&state=a"), std::nullopt);
  // The same name spelled differently is still the same name once decoded.
  EXPECT_EQ(parse_form("state=a&st%61te=b"), std::nullopt);
  EXPECT_EQ(parse_form("a+b=1&a%20b=2"), std::nullopt);
}

TEST(ParseForm, RefusesBadEscapes) {
  EXPECT_EQ(parse_form("a=%zz"), std::nullopt);
  EXPECT_EQ(parse_form("a%=1"), std::nullopt);
  EXPECT_EQ(parse_form("a=1&b=%4"), std::nullopt);
}

TEST(ParseForm, RefusesPiecesWithoutNameOrEquals) {
  EXPECT_EQ(parse_form("a"), std::nullopt);
  EXPECT_EQ(parse_form("a=1&b"), std::nullopt);
  EXPECT_EQ(parse_form("=1"), std::nullopt);
  EXPECT_EQ(parse_form("a=1&=2"), std::nullopt);
}

TEST(RequestHeader, FindsTheFirstFieldOfAName) {
  Request request;
  request.headers = {{"host", "a"}, {"x-two", "1"}, {"x-two", "2"}};
  EXPECT_EQ(request.header("x-two"), "1");
  EXPECT_EQ(request.header("Host"), std::nullopt);  // names are looked up lower-case
  EXPECT_EQ(request.header("absent"), std::nullopt);
}

TEST(Form, RefusesMoreFieldsThanTheLimit) {
  std::string form;
  for (std::size_t i = 0; i < kMaxFormFields; ++i) form += "f" + std::to_string(i) + "=&";
  EXPECT_TRUE(parse_form(form));
  EXPECT_FALSE(parse_form(form + "one=more"));
  // Empty pieces do not count; a million-field body is refused at the limit, not compared.
  EXPECT_TRUE(parse_form(std::string(100000, '&') + "a=1"));
  std::string huge;
  for (int i = 0; i < 100000; ++i) huge += std::to_string(i) + "=&";
  EXPECT_FALSE(parse_form(huge));
}

}  // namespace
}  // namespace ssoc::http
