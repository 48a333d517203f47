#include "config/prompter.hpp"

#include "config/checks.hpp"

namespace ssoc::config {
namespace {

Error input_ended() {
  return fail(Cause::Usage,
              "the input ended before the configuration was complete, so nothing was written; run "
              "`ssoconnect config` again and answer every question (or use `config --answers "
              "FILE`)");
}

std::string trim(std::string_view text) {
  std::size_t start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  std::size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(start, end - start + 1));
}

}  // namespace

Result<std::string> Prompter::text(std::string_view prompt) {
  std::optional<SecretBytes> answer = console_.ask(prompt, false);
  if (!answer) return input_ended();
  return trim(as_text(*answer));
}

Result<SecretBytes> Prompter::secret(std::string_view prompt) {
  std::optional<SecretBytes> answer = console_.ask(prompt, true);
  if (!answer) return input_ended();
  return std::move(*answer);
}

Result<bool> Prompter::yes_no(std::string_view prompt, bool default_yes) {
  for (;;) {
    std::string answer = TRY(text(prompt));
    if (answer.empty()) return default_yes;
    if (auto flag = parse_yes_no(answer)) return *flag;
    say("Please answer y or n.");
  }
}

std::string with_default(std::string_view question, std::string_view default_value) {
  std::string prompt(question);
  if (!default_value.empty()) prompt += " [" + std::string(default_value) + "]";
  return prompt + ": ";
}

}  // namespace ssoc::config
