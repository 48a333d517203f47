#include "http/message.hpp"

#include <algorithm>

namespace ssoc::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string_view> Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return std::string_view(value);
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  // Runs without '%' or '+' are copied whole: a SAMLResponse field is 10 KB of mostly plain
  // base64 characters.
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t run = i;
    while (run < text.size() && text[run] != '%' && !(plus_is_space && text[run] == '+')) ++run;
    out.append(text.data() + i, run - i);
    if (run == text.size()) break;
    i = run;
    if (text[i] == '+') {
      out += ' ';
      ++i;
      continue;
    }
    if (text.size() - i < 3) return std::nullopt;
    int high = hex_value(text[i + 1]);
    int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 3;
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t pieces = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = std::min(text.find('&', start), text.size());
    std::string_view piece = text.substr(start, end - start);
    start = end + 1;
    if (piece.empty()) continue;
    // Each field is compared with the ones before it: bounding their number bounds the work.
    if (++pieces > kMaxFormFields) return std::nullopt;
    std::size_t equals = piece.find('=');
    if (equals == std::string_view::npos || equals == 0) return std::nullopt;
    auto name = percent_decode(piece.substr(0, equals), true);
    auto value = percent_decode(piece.substr(equals + 1), true);
    if (!name || !value || name->empty()) return std::nullopt;
    for (const auto& field : fields)
      if (field.first == *name) return std::nullopt;
    fields.emplace_back(std::move(*name), std::move(*value));
  }
  return fields;
}

}  // namespace ssoc::http
