#include <gtest/gtest.h>

#include "saml/saml_time.hpp"

namespace ssoc::saml {
namespace {

TEST(SamlTime, ReadsUtcTimesWithAndWithoutFractions) {
  EXPECT_EQ(parse_saml_time("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_saml_time("2026-12-01T18:40:38Z"), 1796150438);
  EXPECT_EQ(parse_saml_time("2026-12-01T18:40:38.999Z"), 1796150438);
  EXPECT_EQ(parse_saml_time("2026-12-01T18:40:38"), 1796150438);
  EXPECT_EQ(parse_saml_time("2024-02-29T00:00:00Z"), 1709164800);
}

TEST(SamlTime, RefusesOffsetsBadFieldsAndOtherText) {
  for (const char* bad : {"", "2026-12-01", "2026-12-01T18:40:38+01:00", "2026-12-01T18:40:38z",
                          "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-12-01T24:00:00Z", "2026-12-01T18:60:00Z", "2026-12-01T18:40:60Z",
                          "2026-12-01 18:40:38Z", "2026-12-01T18:40:38.Z", "2026-12-01T18:40:38Z ",
                          " 2026-12-01T18:40:38Z", "1969-12-31T23:59:59Z", "+2026-12-01T18:40:38Z",
                          "2026-12-01T18:40:38.123456789012345678901Z"}) {
    EXPECT_FALSE(parse_saml_time(bad)) << bad;
  }
}

TEST(SamlTime, FormatsWhatItReads) {
  for (std::int64_t t : {0LL, 1796150438LL, 4102444799LL})
    EXPECT_EQ(parse_saml_time(format_saml_time(t)), t);
  EXPECT_EQ(format_saml_time(1796150438), "2026-12-01T18:40:38Z");
}

}  // namespace
}  // namespace ssoc::saml
