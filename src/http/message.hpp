// HTTP/1.x messages as the server hands them to a handler and takes them back, plus the
// percent-encoding helpers that query strings and application/x-www-form-urlencoded bodies need.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/encoding.hpp"

namespace ssoc::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A complete request, as received. Nothing is decoded: `target`, `path` and `query` are the raw
// bytes of the request line (the server refuses targets with bytes outside 0x21..0x7E).
struct Request {
  std::string method;  // "GET", "POST", ... (case-sensitive, as sent)
  std::string target;  // the raw request-target, e.g. "/sso/login?key=..&state=.."
  std::string path;    // target before '?', not decoded
  std::string query;   // after '?', not decoded ("" if none)
  HeaderList headers;  // in the order received; names lower-cased, values trimmed of SP/HTAB
  std::string body;    // exactly Content-Length bytes ("" without one)
  std::string peer;    // "127.0.0.1:54321" or "[::1]:54321"

  // The value of the first header with this (lower-case) name, or nullopt. The view lives as
  // long as the request.
  std::optional<std::string_view> header(std::string_view lower_name) const;
};

// What a handler answers. The server adds Content-Length (and Connection: close when it closes
// the connection); headers named Content-Length, Transfer-Encoding or Connection given here are
// ignored. A status outside 200..599, or a header name that is not an RFC 9110 token or a value
// holding CR, LF or NUL, makes the server answer 500 instead (header injection is never sent).
struct Response {
  int status = 200;
  HeaderList headers;  // e.g. {"Content-Type", "text/html; charset=utf-8"}
  std::string body;
};

// Decodes %XX escapes (either case of hex digit); with `plus_is_space`, '+' becomes ' ' (form
// encoding). nullopt when a '%' is not followed by two hex digits. The result may hold any byte,
// NUL included: callers check what they accept.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// Parses application/x-www-form-urlencoded text (a query string or a form body), "a=1&b=2":
// pieces are separated by '&'; empty pieces ("a=1&&b=2", a trailing '&') are skipped, as
// browsers do; each other piece must hold '=' and a non-empty name; names and values are
// percent-decoded with '+' as space. nullopt when a piece has no '=', an empty name or a bad
// escape, or when a name repeats: a repeated parameter is refused, never merged, so that two
// parts of the service can never read different values of one parameter. "" gives an empty list.
// At most kMaxFormFields non-empty pieces: more is nullopt (no form of this service needs more
// than a handful, and the duplicate check would grow with their square).
inline constexpr std::size_t kMaxFormFields = 64;
std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view text);

// Percent-encodes every byte except the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~),
// with upper-case hex digits. Safe for a query value, a form value and a path segment.
using ssoc::percent_encode;  // common/encoding.hpp

}  // namespace ssoc::http
