// `ssoconnect config`: the configuration wizard (interactive) and its unattended form
// (`config --answers FILE`), DESIGN.md "Commands" and "Properties files".
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::config {

namespace fs = std::filesystem;

// Where the wizard asks its questions.
class Console {
 public:
  virtual ~Console() = default;
  virtual void say(std::string_view line) = 0;
  // Prints `prompt` (no newline) and reads one line without its line end; nullopt at the end of
  // input. `secret`: the typed text is not echoed.
  virtual std::optional<SecretBytes> ask(std::string_view prompt, bool secret) = 0;
};

// The process's terminal (stdin/stdout; echo off for secrets when stdin is a terminal).
std::unique_ptr<Console> terminal_console();

struct Outcome {
  bool changed = false;               // something was written
  std::vector<std::string> messages;  // what was done, warnings
};

// The interactive wizard on `folder` (created 0700 if absent). Each question shows its default
// (the current value on a configured folder) and keeps it on Enter; each answer is checked at
// once and asked again if bad. Then the SKS questions in DESIGN.md's wording and order. Only
// what changed is written, through the crash-safe changes of settings/folder_changes.hpp.
// Usage (exit 2) if the input ends before the wizard is done; nothing is written then.
Result<Outcome> run_wizard(const fs::path& folder, Console& console);

// The same from an answers file: the keys of the properties files plus the sks_* keys.
// An unknown key or a bad value is InvalidSetting (exit 4) naming the key; nothing is written.
Result<Outcome> apply_answers(const fs::path& folder, const fs::path& answers);

}  // namespace ssoc::config
