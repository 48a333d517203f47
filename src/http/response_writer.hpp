// Turns a Response into the bytes sent on the wire:
//
//   HTTP/1.1 <status> <reason>\r\n
//   <the handler's headers, in order, except Content-Length, Transfer-Encoding, Connection>\r\n
//   Content-Length: <body size>\r\n          (not for 204 and 304, which carry no body)
//   Connection: close\r\n                    (when the server closes after this response)
//   Connection: keep-alive\r\n               (HTTP/1.0 clients that asked to keep the connection)
//   \r\n
//   <body>                                   (not for HEAD requests, which get only the length)
//
// The status line always says HTTP/1.1, as RFC 9110 asks of a server that speaks 1.1.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "http/message.hpp"

namespace ssoc::http {

// The standard reason phrase of a status ("Not Found"), or "Status" for one we do not name.
std::string_view reason_phrase(int status);

// How a response is framed on its connection.
struct ResponseFraming {
  bool close = false;         // the server closes the connection after it
  bool http10 = false;        // the request was HTTP/1.0
  bool head_request = false;  // the request was HEAD: the body is left out, its length kept
};

// True if the response may be sent: status 200..599, header names are tokens, values hold no
// CR, LF or NUL.
bool is_sendable(const Response& response);

// The wire bytes of `response`; the caller checks is_sendable first.
std::string serialize_response(const Response& response, const ResponseFraming& framing);

// The pages of the statuses the server answers by itself: 400, 408, 411, 413, 431, 500, 505.
// Each is sent with Connection: close (each of them ends the connection).
class ErrorPages {
 public:
  // `make` builds the page of a status. It is called for every refusal, on the I/O thread that
  // refuses (a worker for 500), so that each page can carry its own reference number; it must
  // be quick and thread-safe. Null, a page that cannot be sent (see is_sendable) or an exception
  // gives the short text/plain page "<status> <reason>" (those are serialized once, here).
  explicit ErrorPages(std::function<Response(int status)> make);
  // The bytes of the page of `status` (one of those above; else the 500 page).
  std::string bytes(int status) const;

 private:
  std::function<Response(int status)> make_;
  std::map<int, std::string> plain_pages_;
};

// The short text/plain page used when no error_response is given.
Response plain_error_response(int status);

}  // namespace ssoc::http
