#include "service/redirect_policy.hpp"

#include <algorithm>

namespace ssoc::service {
namespace {

bool is_loopback_http(std::string_view uri) {
  constexpr std::string_view kScheme = "http://";
  if (uri.substr(0, kScheme.size()) != kScheme) return false;
  std::string_view rest = uri.substr(kScheme.size());
  std::string_view host;
  for (std::string_view candidate : {"127.0.0.1:", "[::1]:", "localhost:"}) {
    if (rest.substr(0, candidate.size()) == candidate) {
      host = candidate;
      break;
    }
  }
  if (host.empty()) return false;
  rest.remove_prefix(host.size());
  // PORT: 1 to 5 digits, 1..65535, then the path ("/" or "/..."), or the end.
  std::size_t digits = 0;
  unsigned long port = 0;
  while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9' && digits < 5) {
    port = port * 10 + static_cast<unsigned long>(rest[digits] - '0');
    ++digits;
  }
  if (digits == 0 || port == 0 || port > 65535) return false;
  rest.remove_prefix(digits);
  return rest.empty() || rest.front() == '/' || rest.front() == '?';
}

}  // namespace

bool redirect_allowed(std::string_view uri, const std::vector<std::string>& allow_list) {
  if (uri.empty() || uri.size() > kMaxRedirectUri) return false;
  // Printable ASCII only, no fragment, no quote or angle bracket (the URI goes into a form's
  // action attribute, escaped, but there is no reason to accept them).
  for (char c : uri) {
    if (c <= 0x20 || c >= 0x7f || c == '#' || c == '"' || c == '<' || c == '>' || c == '\\' ||
        c == '`')
      return false;
  }
  if (is_loopback_http(uri)) return true;
  return std::find(allow_list.begin(), allow_list.end(), uri) != allow_list.end();
}

}  // namespace ssoc::service
