// JSON text for the few outputs that need it (status, doctor --json): a quoted string.
#pragma once

#include <string>
#include <string_view>

namespace ssoc {

// `text` as a JSON string literal, quotes included; control characters and non-ASCII bytes of
// invalid UTF-8 are escaped so the output is always valid JSON.
std::string json_string(std::string_view text);

}  // namespace ssoc
