// `ssoconnect doctor`: the original product's troubleshooting checklist (seed guide,
// "Troubleshooting the Configuration" and "Troubleshooting the Operation") run as code.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ssoc::doctor {

namespace fs = std::filesystem;

struct Check {
  std::string id;     // stable, e.g. "pkcs11-library", "token-present", "login", "key-found"
  std::string title;  // what was checked, one line
  enum class Outcome { Ok, Fail, Skipped } outcome = Outcome::Ok;
  std::string detail;  // what was found (never a secret)
  std::string fix;     // what to do, when failed
};

struct Report {
  std::vector<Check> checks;
  bool all_ok() const;  // no check failed (skipped ones, after an earlier failure, count as not ok)
  std::string to_text() const;  // one line per check: "ok   <title>: <detail>" / "FAIL <title>:
                                // <detail>\n     fix: <fix>"
  std::string to_json()
      const;  // {"ok":bool,"checks":[{"id","title","outcome":"ok|fail|skipped","detail","fix"}]}
};

// Runs every check in order on `folder`; a check that depends on a failed one is Skipped.
Report run(const fs::path& folder);

}  // namespace ssoc::doctor
