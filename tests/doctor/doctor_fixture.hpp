// A data folder for the doctor tests: the settings FolderFixture (plaintext settings on a fresh
// token) with its listening ports moved to free loopback ports, so that the tests do not depend
// on 8443 and 8080 being free on the machine, and helpers to read a report.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "doctor/doctor.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::doctor::test {

using ssoc::test::FolderFixture;

inline constexpr const char* kIds[] = {
    "os",  "data-folder", "configuration",     "pkcs11-library", "token-present", "login",
    "key", "gcm",         "certificate-chain", "decrypt",        "ports",         "service"};

using ssoc::test::free_port;
using ssoc::test::Listener;

inline bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Writes the fixture's plaintext settings with bind and admin endpoints on loopback ports,
// free ones unless given.
inline void write_settings(const FolderFixture& fx, std::string bind_port = free_port(),
                           std::string admin_port = free_port()) {
  datadir::Properties instance = fx.instance_settings();
  (void)instance.set("bind_address", "127.0.0.1");
  (void)instance.set("bind_port", bind_port);
  (void)instance.set("admin_address", "127.0.0.1");
  (void)instance.set("admin_port", admin_port);
  FolderFixture::write_file(fx.data / settings::kInstanceProperties, instance.serialize());
  FolderFixture::write_file(fx.data / settings::kSharedProperties,
                            fx.shared_settings().serialize());
}

// Turns SKS on for the fixture's folder; returns sks.properties as written.
inline sks::SksConfig enable(const FolderFixture& fx) {
  auto enabled = settings::enable_sks(fx.data, fx.sks_config());
  if (!enabled) throw std::runtime_error("enable_sks: " + enabled.error().describe());
  return std::move(enabled).value();
}

inline void write_sks_properties(const FolderFixture& fx, const sks::SksConfig& config) {
  FolderFixture::write_file(fx.data / settings::kSksProperties, config.to_properties().serialize());
}

// A copy, so that `const Check& c = check(run(folder), id)` stays valid.
inline Check check(const Report& report, std::string_view id) {
  for (const Check& c : report.checks) {
    if (c.id == id) return c;
  }
  throw std::runtime_error("no check " + std::string(id) + " in the report");
}

inline Check::Outcome outcome(const Report& report, std::string_view id) {
  return check(report, id).outcome;
}

// Each of `ids` was skipped because the check `because` failed.
inline void expect_skipped(const Report& report, std::initializer_list<const char*> ids,
                           std::string_view because) {
  for (const char* id : ids) {
    const Check& c = check(report, id);
    EXPECT_EQ(c.outcome, Check::Outcome::Skipped) << id << ": " << c.detail;
    EXPECT_TRUE(has(c.detail, "'" + std::string(because) + "' failed")) << id << ": " << c.detail;
  }
}

// True when python3's json module accepts `text`.
inline bool valid_json(const std::string& text) {
  ssoc::test::TempDir dir;
  const fs::path file = dir / "report.json";
  ssoc::test::write_all(file, as_bytes(text));
  std::string output;
  const int status = ssoc::test::run_command(
      "python3 -c 'import json,sys; json.load(sys.stdin)' < '" + file.string() + "'", &output);
  if (status != 0) ADD_FAILURE() << "python3 refused the JSON: " << output << "\n" << text;
  return status == 0;
}

}  // namespace ssoc::doctor::test
