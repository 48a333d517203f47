// The doctor's report as text for a terminal and as JSON for programs, and the constructors of
// the checks' outcomes.
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "common/json.hpp"
#include "doctor/checks.hpp"
#include "doctor/doctor.hpp"
#include "sks/diagnosis.hpp"

namespace ssoc::doctor {
namespace {

std::string_view outcome_name(Check::Outcome outcome) {
  switch (outcome) {
    case Check::Outcome::Ok: return "ok";
    case Check::Outcome::Fail: return "fail";
    case Check::Outcome::Skipped: return "skipped";
  }
  return "fail";
}

}  // namespace

bool Report::all_ok() const {
  for (const Check& check : checks) {
    if (check.outcome != Check::Outcome::Ok) return false;
  }
  return true;
}

std::string Report::to_text() const {
  std::string text;
  for (const Check& check : checks) {
    switch (check.outcome) {
      case Check::Outcome::Ok: text += "ok   "; break;
      case Check::Outcome::Fail: text += "FAIL "; break;
      case Check::Outcome::Skipped: text += "skip "; break;
    }
    text += check.title;
    if (!check.detail.empty()) text += ": " + check.detail;
    text += '\n';
    if (check.outcome == Check::Outcome::Fail && !check.fix.empty())
      text += "     fix: " + check.fix + '\n';
  }
  return text;
}

std::string Report::to_json() const {
  std::string json = "{\"ok\":";
  json += all_ok() ? "true" : "false";
  json += ",\"checks\":[";
  bool first = true;
  for (const Check& check : checks) {
    if (!first) json += ',';
    first = false;
    json += "{\"id\":" + json_string(check.id);
    json += ",\"title\":" + json_string(check.title);
    json += ",\"outcome\":" + json_string(outcome_name(check.outcome));
    json += ",\"detail\":" + json_string(check.detail);
    json += ",\"fix\":" + json_string(check.fix) + "}";
  }
  json += "]}";
  return json;
}

namespace detail {

Check ok(const CheckName& name, std::string detail) {
  return Check{
      std::string(name.id), std::string(name.title), Check::Outcome::Ok, std::move(detail), {}};
}

Check failed(const CheckName& name, std::string detail, std::string fix) {
  return Check{std::string(name.id), std::string(name.title), Check::Outcome::Fail,
               std::move(detail), std::move(fix)};
}

Check skipped(const CheckName& name, std::string_view cause) {
  return Check{std::string(name.id),
               std::string(name.title),
               Check::Outcome::Skipped,
               "not checked, because the check '" + std::string(cause) + "' failed",
               {}};
}

Check not_applicable(const CheckName& name) {
  return ok(name, "not applicable: SKS is off");
}

std::string fix_for(const Error& error) {
  if (is_sks_cause(error.cause)) return std::string(sks::advice(error.cause));
  if (error.cause == Cause::InvalidSetting || error.cause == Cause::NotConfigured)
    return "correct the setting named above, or run `ssoconnect config`";
  if (error.cause == Cause::FolderBusy) return "wait for the other command to finish";
  if (error.cause == Cause::HsmError)
    return "the HSM refused the call (its CKR_ code is above): check the logs of the HSM and of "
           "its client, or ask the HSM administrator";
  return "see the detail above; `ssoconnect start` reports the same error in its log";
}

}  // namespace detail
}  // namespace ssoc::doctor
