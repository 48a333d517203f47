#include "http/request_head.hpp"

#include <algorithm>
#include <cstdint>

#include "http/field_syntax.hpp"

namespace ssoc::http {
namespace {

bool is_target_byte(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte >= 0x21 && byte <= 0x7e;
}

// A field value may hold VCHAR, obs-text (0x80..0xFF), SP and HTAB; no other CTL.
bool is_value_byte(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte == '\t' || (byte >= 0x20 && byte != 0x7f);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Calls `each` with every element of a comma-separated list value, trimmed.
template <class Each>
void for_each_list_element(std::string_view value, Each each) {
  while (!value.empty()) {
    std::size_t comma = std::min(value.find(','), value.size());
    each(trim(value.substr(0, comma)));
    value.remove_prefix(std::min(comma + 1, value.size()));
  }
}

// Fills method, target, path, query and version from the request line; 0 or a refusal status.
int parse_request_line(std::string_view line, RequestHead& head) {
  std::size_t first = line.find(' ');
  if (first == std::string_view::npos) return 400;
  std::size_t second = line.find(' ', first + 1);
  if (second == std::string_view::npos || line.find(' ', second + 1) != std::string_view::npos)
    return 400;
  std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, second - first - 1);
  std::string_view version = line.substr(second + 1);
  if (!is_token(method) || target.empty() ||
      !std::all_of(target.begin(), target.end(), is_target_byte))
    return 400;
  if (version == "HTTP/1.1") {
    head.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    head.minor_version = 0;
  } else if (version.size() == 8 && version.starts_with("HTTP/") && version[5] >= '0' &&
             version[5] <= '9' && version[6] == '.' && version[7] >= '0' && version[7] <= '9') {
    return 505;
  } else {
    return 400;
  }
  if (target == "*") {
    if (method != "OPTIONS") return 400;
  } else if (target.front() != '/') {
    return 400;
  }
  head.method = method;
  head.target = target;
  std::size_t question = target.find('?');
  head.path = target.substr(0, question);
  head.query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  return 0;
}

// Content-Length: 1*DIGIT. Values that overflow are simply too large (413), not malformed.
int parse_content_length(std::string_view value, std::size_t max_body_bytes, std::size_t& out) {
  if (value.empty()) return 400;
  constexpr std::size_t kLargestBeforeDigit = (SIZE_MAX - 9) / 10;
  std::size_t number = 0;
  bool too_large = false;
  for (char c : value) {
    if (c < '0' || c > '9') return 400;
    if (too_large) continue;  // keep checking that the rest is digits
    if (number > kLargestBeforeDigit) {
      too_large = true;
    } else {
      number = number * 10 + static_cast<std::size_t>(c - '0');
      too_large = number > max_body_bytes;
    }
  }
  if (too_large) return 413;
  out = number;
  return 0;
}

}  // namespace

HeadOutcome parse_request_head(std::string_view head_text, std::size_t max_body_bytes) {
  RequestHead head;
  // Every line must end in CRLF; a CR or LF anywhere else is refused.
  auto next_line = [&head_text](std::string_view& line) -> bool {
    std::size_t end = head_text.find("\r\n");
    if (end == std::string_view::npos) return false;
    line = head_text.substr(0, end);
    head_text.remove_prefix(end + 2);
    return line.find_first_of("\r\n") == std::string_view::npos;
  };
  std::string_view line;
  if (!next_line(line)) return HeadRefusal{400};
  if (int status = parse_request_line(line, head)) return HeadRefusal{status};

  int hosts = 0;
  int content_lengths = 0;
  bool transfer_encoding = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  int length_status = 0;
  for (;;) {
    if (!next_line(line)) return HeadRefusal{400};
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return HeadRefusal{400};  // obs-fold
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return HeadRefusal{400};
    std::string_view name = line.substr(0, colon);
    std::string_view value = trim(line.substr(colon + 1));
    if (!is_token(name) || !std::all_of(value.begin(), value.end(), is_value_byte))
      return HeadRefusal{400};
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), ascii_lower);
    if (lower == "host") {
      ++hosts;
    } else if (lower == "content-length") {
      ++content_lengths;
      length_status = parse_content_length(value, max_body_bytes, head.content_length);
    } else if (lower == "transfer-encoding") {
      transfer_encoding = true;
    } else if (lower == "connection") {
      for_each_list_element(value, [&](std::string_view option) {
        if (equals_ignoring_case(option, "close")) connection_close = true;
        if (equals_ignoring_case(option, "keep-alive")) connection_keep_alive = true;
      });
    } else if (lower == "expect") {
      head.expect_continue = equals_ignoring_case(value, "100-continue");
    }
    head.headers.emplace_back(std::move(lower), std::string(value));
  }
  if (!head_text.empty()) return HeadRefusal{400};  // bytes after the blank line: not a head

  if (head.minor_version == 1 && hosts != 1) return HeadRefusal{400};
  if (hosts > 1) return HeadRefusal{400};
  if (transfer_encoding) return HeadRefusal{content_lengths > 0 ? 400 : 411};
  if (content_lengths > 1) return HeadRefusal{400};
  if (length_status != 0) return HeadRefusal{length_status};
  head.keep_alive =
      head.minor_version == 1 ? !connection_close : connection_keep_alive && !connection_close;
  return head;
}

std::optional<std::size_t> find_head_end(std::string_view buffer, std::size_t& scanned) {
  std::size_t from = scanned > 3 ? scanned - 3 : 0;
  std::size_t found = buffer.find("\r\n\r\n", from);
  if (found == std::string_view::npos) {
    scanned = buffer.size();
    return std::nullopt;
  }
  return found + 4;
}

}  // namespace ssoc::http
