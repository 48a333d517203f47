// JSON text for the few outputs that need it (status, doctor --json): a quoted string.
#pragma once

#include <string>
#include <string_view>

namespace ssoc {

// `text` as a JSON string literal, quotes included. Control characters are escaped; valid UTF-8
// passes through; bytes that are not UTF-8 become U+FFFD, so the output is always valid JSON.
std::string json_string(std::string_view text);

}  // namespace ssoc
