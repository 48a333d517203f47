// The head of an HTTP/1.x request (request line and header fields, RFC 9112), parsed strictly.
//
// Accepted:
//   request-line = method SP request-target SP ("HTTP/1.1" | "HTTP/1.0") CRLF
//   method       = 1*tchar
//   target       = origin-form ("/" followed by bytes 0x21..0x7E) or "*" (OPTIONS only)
//   field-line   = field-name ":" OWS field-value OWS CRLF, field-name = 1*tchar
//   head         = request-line *field-line CRLF
// Empty lines (CRLF) before the request line are skipped by the connection, as RFC 9112 2.2
// allows. Everything else is refused with the status the server answers before closing:
//   400  malformed request line or field line, bare LF, obs-fold (a line starting with SP/HTAB),
//        whitespace before ':', CTL bytes in a value, absolute-form or authority-form targets,
//        HTTP/1.1 without exactly one Host, a Content-Length that is not all digits, more than
//        one Content-Length field, Transfer-Encoding together with Content-Length
//   411  Transfer-Encoding (request bodies are taken by Content-Length only; refusing every
//        transfer coding rules out request smuggling)
//   413  Content-Length above the limit (decided from the head alone, before any body byte)
//   505  an HTTP version other than 1.0 and 1.1
// Keep-alive: HTTP/1.1 keeps the connection unless a Connection field lists "close"; HTTP/1.0
// closes unless it lists "keep-alive". "Expect: 100-continue" is noted so that the server can
// send the interim response before reading the body.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "http/message.hpp"

namespace ssoc::http {

struct RequestHead {
  std::string method;
  std::string target;
  std::string path;
  std::string query;
  HeaderList headers;  // names lower-cased, values trimmed
  int minor_version = 1;
  std::size_t content_length = 0;
  bool keep_alive = true;
  bool expect_continue = false;
};

// Why a head is refused: the status to answer (then the connection closes).
struct HeadRefusal {
  int status;
};

using HeadOutcome = std::variant<RequestHead, HeadRefusal>;

// Parses `head`, which holds everything up to and including the blank line's CRLF.
HeadOutcome parse_request_head(std::string_view head, std::size_t max_body_bytes);

// Finds the end of a head in `buffer` (the offset just past CRLF CRLF). `scanned` remembers how
// far earlier calls looked, so that a client sending a byte at a time costs linear work; start
// it at 0 for each new head.
std::optional<std::size_t> find_head_end(std::string_view buffer, std::size_t& scanned);

}  // namespace ssoc::http
