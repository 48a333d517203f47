// The head of every HTTP request the service reads from the network (http/request_head.hpp):
// find_head_end, then parse_request_head on what it found, and the percent decoding of the
// target's query. An accepted head must be consistent with the rules it promises: a method of
// token characters, an origin-form target split into path and query, lower-case field names.
#include <algorithm>
#include <optional>
#include <variant>

#include "fuzz_target.hpp"
#include "http/request_head.hpp"

namespace {

constexpr std::size_t kMaxBody = 1u << 20;

bool is_lower_token(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name)
    if (c >= 'A' && c <= 'Z') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view buffer = ssoc::fuzz::input_text(data, size);
  // As the connection does: the head arrives in pieces, the scan resumes where it stopped.
  std::size_t scanned = 0;
  std::optional<std::size_t> end;
  for (std::size_t have = 0; have < buffer.size() && !end;) {
    have = std::min(buffer.size(), have + 1 + have / 2);
    end = ssoc::http::find_head_end(buffer.substr(0, have), scanned);
  }
  std::optional<std::size_t> whole_scan;
  std::size_t fresh = 0;
  whole_scan = ssoc::http::find_head_end(buffer, fresh);
  FUZZ_CHECK(end == whole_scan);
  if (!end) return 0;
  FUZZ_CHECK(*end <= buffer.size());

  auto outcome = ssoc::http::parse_request_head(buffer.substr(0, *end), kMaxBody);
  if (auto* refusal = std::get_if<ssoc::http::HeadRefusal>(&outcome)) {
    FUZZ_CHECK(refusal->status >= 400 && refusal->status <= 599);
    return 0;
  }
  const auto& head = std::get<ssoc::http::RequestHead>(outcome);
  FUZZ_CHECK(!head.method.empty());
  FUZZ_CHECK(head.content_length <= kMaxBody);
  FUZZ_CHECK(head.target == "*" || head.target.starts_with("/"));
  if (head.target != "*") {
    FUZZ_CHECK(head.target.starts_with(head.path));
    if (!head.query.empty()) FUZZ_CHECK(head.target == head.path + "?" + head.query);
  }
  for (const auto& [name, value] : head.headers) FUZZ_CHECK(is_lower_token(name));
  (void)ssoc::http::percent_decode(head.query, true);
  (void)ssoc::http::parse_form(head.query);
  return 0;
}
