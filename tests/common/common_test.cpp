#include <gtest/gtest.h>

#include "common/encoding.hpp"
#include "common/error.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc {
namespace {

Result<int> parse_positive(int n) {
  if (n <= 0) return fail(Cause::InvalidInput, "not positive");
  return n;
}

Result<int> doubled(int n) {
  int v = TRY(parse_positive(n));
  return v * 2;
}

TEST(Result, TryPropagatesTheFirstError) {
  EXPECT_EQ(doubled(4).value(), 8);
  auto r = doubled(-1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().cause, Cause::InvalidInput);
  EXPECT_EQ(r.error().describe(), "invalid-input: not positive");
}

TEST(Cause, ExitStatusFollowsDesign) {
  EXPECT_EQ(exit_status(Cause::KeyMissing), 3);
  EXPECT_EQ(exit_status(Cause::PermissionDenied), 3);
  EXPECT_EQ(exit_status(Cause::InvalidSetting), 4);
  EXPECT_EQ(exit_status(Cause::NotConfigured), 4);
  EXPECT_EQ(exit_status(Cause::Usage), 2);
  EXPECT_EQ(exit_status(Cause::Io), 1);
  EXPECT_EQ(cause_name(Cause::CertificateChainMissing), "certificate-chain-missing");
  EXPECT_EQ(cause_name(Cause::EncryptedFilesMissing), "encrypted-files-missing");
}

TEST(Encoding, Base64RoundTripsAndRejectsNonCanonicalText) {
  for (std::string text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto encoded = base64_encode(as_bytes(text));
    auto decoded = base64_decode(encoded);
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(as_text(*decoded), text);
    auto url = base64url_decode(base64url_encode(as_bytes(text)));
    ASSERT_TRUE(url);
    EXPECT_EQ(as_text(*url), text);
  }
  EXPECT_EQ(base64_encode(as_bytes("foobar")), "Zm9vYmFy");
  EXPECT_FALSE(base64_decode("Zm9vYmF"));      // truncated
  EXPECT_FALSE(base64_decode("Zm9v YmFy"));    // whitespace
  EXPECT_FALSE(base64_decode("Zm9=YmFy"));     // padding inside
  EXPECT_FALSE(base64_decode("Zh=="));         // non-zero unused bits
  EXPECT_FALSE(base64url_decode("Zm9v+mFy"));  // wrong alphabet
}

TEST(Encoding, HexRoundTrips) {
  Bytes data{0x00, 0xab, 0xff};
  EXPECT_EQ(hex_encode(data), "00abff");
  EXPECT_EQ(*hex_decode("00ABff"), data);
  EXPECT_FALSE(hex_decode("0"));
  EXPECT_FALSE(hex_decode("zz"));
}

TEST(Secret, ComparesInConstantTimeByContent) {
  EXPECT_TRUE(equal_constant_time(as_bytes("abc"), as_bytes("abc")));
  EXPECT_FALSE(equal_constant_time(as_bytes("abc"), as_bytes("abd")));
  EXPECT_FALSE(equal_constant_time(as_bytes("abc"), as_bytes("abcd")));
  SecretBytes s = secret_from(std::string_view("pin"));
  EXPECT_EQ(as_text(s), "pin");
}

}  // namespace
}  // namespace ssoc

#include "common/log.hpp"
#include "support/test_env.hpp"

namespace ssoc {
namespace {

namespace fs = std::filesystem;

TEST(Log, RotatesBySizeKeepingTheNewestFiles) {
  test::TempDir dir;
  auto file = dir / "ssoconnect.log";
  ASSERT_TRUE(log::set_file(file, 200, 2));
  log::set_console([](log::Level, std::string_view) {});
  for (int i = 0; i < 30; ++i) log::info("line " + std::to_string(i) + " of the rotation test");
  log::set_file({});
  log::set_console(nullptr);
  EXPECT_TRUE(fs::exists(file));
  EXPECT_TRUE(fs::exists(dir / "ssoconnect.log.1"));
  EXPECT_TRUE(fs::exists(dir / "ssoconnect.log.2"));
  EXPECT_FALSE(fs::exists(dir / "ssoconnect.log.3"));
  EXPECT_LE(fs::file_size(file), 200u);
  Bytes last = test::read_all(file);
  EXPECT_NE(std::string(last.begin(), last.end()).find("line 29 "), std::string::npos);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
}

TEST(Encoding, MarkupEscapeCoversEveryCharacterThatCanEndAValueOrStartATag) {
  EXPECT_EQ(markup_escape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  EXPECT_EQ(markup_escape("plain text / 123"), "plain text / 123");
  EXPECT_EQ(markup_escape(""), "");
}

TEST(Encoding, PercentEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(percent_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(percent_encode("a b&c=d/e?f#g+h%"), "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
  EXPECT_EQ(percent_encode(std::string("\x00\xff", 2)), "%00%FF");
}

}  // namespace
}  // namespace ssoc
