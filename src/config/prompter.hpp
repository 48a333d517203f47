// Asking one question on a Console: the prompt with its default, Enter for the default, the end
// of input as a Usage error (the wizard then writes nothing).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/secret.hpp"
#include "config/wizard.hpp"

namespace ssoc::config {

class Prompter {
 public:
  explicit Prompter(Console& console) : console_(console) {}

  void say(std::string_view line) { console_.say(line); }

  // Prints `prompt` as it is; returns the answer without surrounding blanks.
  Result<std::string> text(std::string_view prompt);
  // Prints `prompt` as it is; the answer is not echoed and is returned exactly as typed.
  Result<SecretBytes> secret(std::string_view prompt);
  // Asks until the answer is y/yes/n/no (any case) or Enter (`default_yes`).
  Result<bool> yes_no(std::string_view prompt, bool default_yes);

 private:
  Console& console_;
};

// "<question> [<default>]: ", or "<question>: " without a default.
std::string with_default(std::string_view question, std::string_view default_value);

}  // namespace ssoc::config
