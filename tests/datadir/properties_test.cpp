#include <gtest/gtest.h>

#include <string>

#include "datadir/properties.hpp"

namespace ssoc::datadir {
namespace {

constexpr std::string_view kSecret = "hunter2-S3cr3t";

Result<Properties> parse(std::string_view text) {
  return Properties::parse(as_bytes(text), "instance.properties");
}

// Parsing `text` fails with InvalidSetting, names the file and line, and never shows kSecret.
void expect_refused(std::string_view text, int line) {
  auto parsed = parse(text);
  ASSERT_FALSE(parsed.ok()) << text;
  EXPECT_EQ(parsed.error().cause, Cause::InvalidSetting);
  const std::string& message = parsed.error().message;
  EXPECT_NE(message.find("line " + std::to_string(line) + " of instance.properties"),
            std::string::npos)
      << message;
  EXPECT_EQ(message.find(kSecret), std::string::npos) << message;
}

TEST(Properties, SerializeThenParseRoundTrips) {
  Properties props;
  ASSERT_TRUE(props.set("instance_id", "123456789012").ok());
  ASSERT_TRUE(props.set("keystore_password", "p=a ss é ").ok());
  ASSERT_TRUE(props.set("empty", "").ok());
  SecretBytes text = props.serialize("SSO Connect instance settings");
  EXPECT_EQ(as_text(text),
            "# SSO Connect instance settings\n"
            "instance_id=123456789012\nkeystore_password=p=a ss é \nempty=\n");

  auto parsed = Properties::parse(text, "instance.properties");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->entries().size(), 3u);
  EXPECT_EQ(parsed->get("instance_id"), "123456789012");
  EXPECT_EQ(parsed->get("keystore_password"), "p=a ss é ");
  EXPECT_EQ(parsed->get("empty"), "");
  EXPECT_EQ(parsed->entries()[1].first, "keystore_password");
  EXPECT_EQ(parsed->source(), "instance.properties");
}

TEST(Properties, SkipsCommentsBlankLinesAndCarriageReturns) {
  auto parsed = parse(
      "# comment\r\n! other comment\n\n   \r\n  \tbind_port = 8443\r\n"
      "  # indented comment\nadmin_address=127.0.0.1");  // last line without "\n"
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  ASSERT_EQ(parsed->entries().size(), 2u);
  EXPECT_EQ(parsed->get("bind_port"), "8443");
  EXPECT_EQ(parsed->get("admin_address"), "127.0.0.1");
  EXPECT_FALSE(parsed->get("comment"));
}

TEST(Properties, KeepsEqualsSignsAndTrailingSpaceInValues) {
  auto parsed = parse("master_key=  YWJj==  \npassword=a=b=c\t\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->get("master_key"), "YWJj==  ");
  EXPECT_EQ(parsed->get("password"), "a=b=c\t");
}

TEST(Properties, RefusesLineWithoutEquals) {
  expect_refused("a=1\n" + std::string(kSecret) + "\n", 2);
}

TEST(Properties, RefusesEmptyOrInvalidKey) {
  expect_refused("=" + std::string(kSecret) + "\n", 1);
  expect_refused("a=1\n\nbad key=" + std::string(kSecret) + "\n", 3);
  expect_refused("k\xc3\xa9y=" + std::string(kSecret) + "\n", 1);
  // The text before '=' might be a password pasted by mistake: it is not echoed either.
  expect_refused(std::string(kSecret) + "!=x\n", 1);
}

TEST(Properties, RefusesDuplicateKeyNamingBothLines) {
  auto parsed = parse("password=one\n# c\npassword=" + std::string(kSecret) + "\n");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().cause, Cause::InvalidSetting);
  EXPECT_NE(parsed.error().message.find("line 3"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("line 1"), std::string::npos);
  EXPECT_NE(parsed.error().message.find("password"), std::string::npos);
  EXPECT_EQ(parsed.error().message.find(kSecret), std::string::npos);
  EXPECT_EQ(parsed.error().message.find("one"), std::string::npos);
}

TEST(Properties, RefusesInvalidUtf8) {
  const std::string secret(kSecret);
  expect_refused("a=1\npassword=" + secret + "\xff\n", 2);
  expect_refused("password=" + secret + "\xc0\xaf\n", 1);          // overlong '/'
  expect_refused("password=" + secret + "\xe0\x80\xaf\n", 1);      // overlong, 3 bytes
  expect_refused("password=" + secret + "\xed\xa0\x80\n", 1);      // surrogate U+D800
  expect_refused("password=" + secret + "\xf4\x90\x80\x80\n", 1);  // above U+10FFFF
  expect_refused("password=" + secret + "\x80\n", 1);              // lone continuation
  // Valid multi-byte text is accepted: 2, 3 and 4 bytes.
  auto parsed = parse("name=\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\x91\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
}

TEST(Properties, RefusesTruncatedMultiByteSequenceAtEnd) {
  expect_refused("a=1\npassword=" + std::string(kSecret) + "\xe2\x82", 2);
  expect_refused("password=" + std::string(kSecret) + "\xf0\x9f\x94", 1);
}

TEST(Properties, RefusesNulByte) {
  expect_refused("a=1\nb=2\npassword=" + std::string(kSecret) + std::string(1, '\0') + "x\n", 3);
}

// Found by the properties fuzz target: "a=b\rc\r" kept "b\rc" as the value, which serialize()
// wrote as "a=b\rc\r\n" and a second parse read as "b\rc": a rewrite changed the setting.
TEST(Properties, RefusesCarriageReturnInsideLine) {
  expect_refused("external_host=sso.test\rin\r\r", 1);
  expect_refused("bind_port=8443\nkeystore_password=a\rb\n", 2);
  expect_refused("old_mac=line\rendings=here\r", 1);
  EXPECT_TRUE(parse("a=b\r\nc=d\r").ok());
}

TEST(Properties, RefusesOversizedText) {
  std::string text = "password=" + std::string(kSecret) + "\n# padding ";
  text.resize(Properties::kMaxSize + 1, 'a');
  auto parsed = parse(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().cause, Cause::InvalidSetting);
  EXPECT_NE(parsed.error().message.find("instance.properties"), std::string::npos);
  EXPECT_EQ(parsed.error().message.find(kSecret), std::string::npos);

  text.resize(Properties::kMaxSize);  // exactly the limit is fine
  EXPECT_TRUE(parse(text).ok());
}

TEST(Properties, SetReplacesInPlaceOrAppends) {
  auto parsed = parse("a=1\nb=2\nc=3\n");
  ASSERT_TRUE(parsed.ok());
  Properties props = std::move(parsed).value();
  ASSERT_TRUE(props.set("b", "22").ok());
  ASSERT_TRUE(props.set("d", "4").ok());
  EXPECT_EQ(as_text(props.serialize()), "a=1\nb=22\nc=3\nd=4\n");
  EXPECT_TRUE(props.erase("a"));
  EXPECT_FALSE(props.erase("a"));
  EXPECT_EQ(as_text(props.serialize()), "b=22\nc=3\nd=4\n");
}

TEST(Properties, SetRefusesValuesThatWouldNotParseBack) {
  Properties props;
  const std::string values[] = {"line\nbreak", "carriage\rreturn", std::string("nul\0x", 5),
                                " leading space", "bad\xff"};
  for (const std::string& value : values) {
    auto set = props.set("password", value);
    ASSERT_FALSE(set.ok()) << value;
    EXPECT_EQ(set.error().cause, Cause::InvalidSetting);
    EXPECT_NE(set.error().message.find("password"), std::string::npos);
  }
  auto bad_key = props.set("bad key", "v");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().cause, Cause::InvalidSetting);
  EXPECT_TRUE(props.empty());
}

TEST(Properties, RequireNamesMissingKeyAndSource) {
  auto parsed = parse("present=yes\nblank=\n");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->require("present").value(), "yes");
  for (std::string_view key : {"absent_key", "blank"}) {
    auto missing = parsed->require(key);
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error().cause, Cause::InvalidSetting);
    EXPECT_NE(
        missing.error().message.find(std::string(key) + " is missing from instance.properties"),
        std::string::npos)
        << missing.error().message;
  }
}

}  // namespace
}  // namespace ssoc::datadir
