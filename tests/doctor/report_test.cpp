// The report's two forms: aligned text with the fix under each failure, and JSON that a JSON
// parser accepts whatever bytes a detail holds.
#include <gtest/gtest.h>

#include "doctor_fixture.hpp"

namespace ssoc::doctor {
namespace {

Report sample() {
  Report report;
  report.checks.push_back({"os", "Operating system", Check::Outcome::Ok, "Debian 12", ""});
  report.checks.push_back({"login", "Login to the token", Check::Outcome::Fail,
                           "pin-incorrect: C_Login returned CKR_PIN_INCORRECT", "check the PIN"});
  report.checks.push_back({"key", "Instance key on the token", Check::Outcome::Skipped,
                           "not checked, because the check 'login' failed", ""});
  return report;
}

TEST(DoctorReport, TextHasOneAlignedLinePerCheckAndTheFixUnderEachFailure) {
  EXPECT_EQ(sample().to_text(),
            "ok   Operating system: Debian 12\n"
            "FAIL Login to the token: pin-incorrect: C_Login returned CKR_PIN_INCORRECT\n"
            "     fix: check the PIN\n"
            "skip Instance key on the token: not checked, because the check 'login' failed\n");
}

TEST(DoctorReport, JsonHasTheDocumentedShape) {
  EXPECT_EQ(
      sample().to_json(),
      R"({"ok":false,"checks":[)"
      R"({"id":"os","title":"Operating system","outcome":"ok","detail":"Debian 12","fix":""},)"
      R"({"id":"login","title":"Login to the token","outcome":"fail","detail":)"
      R"("pin-incorrect: C_Login returned CKR_PIN_INCORRECT","fix":"check the PIN"},)"
      R"({"id":"key","title":"Instance key on the token","outcome":"skipped","detail":)"
      R"("not checked, because the check 'login' failed","fix":""}]})");
}

TEST(DoctorReport, JsonEscapesQuotesControlCharactersAndBytesThatAreNotUtf8) {
  Report report;
  std::string nasty = "quote \" backslash \\ newline \n tab \t bell \x07 del \x7f";
  nasty += " label \xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91";              // valid UTF-8
  nasty += " bad \xFF \xC3 \xE2\x82 \xED\xA0\x80 \xC0\xAF \xF4\x90\x80\x80 end";  // not UTF-8
  nasty += std::string(1, '\0');
  report.checks.push_back({"token-present", nasty, Check::Outcome::Fail, nasty, nasty});
  const std::string json = report.to_json();
  EXPECT_TRUE(test::valid_json(json));
  EXPECT_NE(json.find(R"(quote \" backslash \\ newline \n tab \t bell \u0007 del \u007f)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\xC3\xA9t\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x91"), std::string::npos);
  EXPECT_NE(json.find(R"(bad \ufffd \ufffd \ufffd)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"(end\u0000)"), std::string::npos) << json;
  EXPECT_EQ(json.find('\xFF'), std::string::npos);
}

TEST(DoctorReport, AllOkOnlyWhenNoCheckFailedOrWasSkipped) {
  Report report;
  EXPECT_TRUE(report.all_ok());
  report.checks.push_back({"os", "Operating system", Check::Outcome::Ok, "", ""});
  EXPECT_TRUE(report.all_ok());
  EXPECT_NE(report.to_json().find(R"({"ok":true,)"), std::string::npos);
  report.checks.push_back({"key", "Key", Check::Outcome::Skipped, "", ""});
  EXPECT_FALSE(report.all_ok());
  report.checks.back().outcome = Check::Outcome::Fail;
  EXPECT_FALSE(report.all_ok());
}

}  // namespace
}  // namespace ssoc::doctor
