// The HTML the service answers with. Every page: Cache-Control no-store, a Content-Security-
// Policy that allows nothing but what the page needs, no framing, no referrer.
//
// - error_page: "Sign-in failed" with a reference number and nothing else; the reason goes to
//   the log under the same reference (DESIGN.md "Login protocol" step 6). It never holds a form
//   field, let alone one named `token`.
// - token_page: DESIGN.md step 5: one form, method post, action = the redirect URI, one hidden
//   field `token` holding the token JSON (HTML-escaped), submitted by a script on load (a
//   button for browsers without scripts). The token never appears in a URL.
#pragma once

#include <string>
#include <string_view>

#include "http/message.hpp"

namespace ssoc::service {

// A reference number for an error page and its log line: 10 random decimal digits.
std::string new_reference();

http::Response error_page(int status, std::string_view reference);
http::Response token_page(std::string_view redirect_uri, std::string_view token_json);

// The headers every answer carries (also for /ping and the metadata).
void add_security_headers(http::Response& response);

}  // namespace ssoc::service
