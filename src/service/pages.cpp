#include "service/pages.hpp"

#include "common/encoding.hpp"
#include "common/openssl.hpp"

namespace ssoc::service {
namespace {

std::string status_title(int status) {
  switch (status) {
    case 400: return "The sign-in could not be completed";
    case 403: return "This account is disabled";
    case 404: return "Not found";
    case 405: return "Method not allowed";
    case 408: return "The request took too long";
    case 413: return "The request is too large";
    default:
      return status >= 500 ? "The service could not complete the sign-in"
                           : "The request was refused";
  }
}

// The origin (scheme://host:port) of an absolute URI, for the CSP form-action directive.
std::string origin_of(std::string_view uri) {
  std::size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::size_t path = uri.find_first_of("/?", scheme_end + 3);
  return std::string(uri.substr(0, path));
}

}  // namespace

std::string new_reference() {
  auto bytes = ossl::random_bytes(8);
  std::string digits;
  if (!bytes) return "0000000000";
  std::uint64_t value = 0;
  for (std::uint8_t b : *bytes) value = (value << 8) | b;
  for (int i = 0; i < 10; ++i) {
    digits.insert(digits.begin(), static_cast<char>('0' + value % 10));
    value /= 10;
  }
  return digits;
}

void add_security_headers(http::Response& response) {
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Pragma", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("X-Frame-Options", "DENY");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  response.headers.emplace_back("Strict-Transport-Security", "max-age=31536000");
}

http::Response error_page(int status, std::string_view reference) {
  http::Response response;
  response.status = status;
  std::string title = status_title(status);
  response.body =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>SSO Connect</title>"
      "</head><body><h1>" +
      markup_escape(title) +
      "</h1><p>Please try again. If it keeps happening, give your administrator this "
      "reference number: <strong>" +
      markup_escape(reference) + "</strong></p></body></html>\n";
  response.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; form-action 'none'; frame-ancestors 'none'");
  add_security_headers(response);
  return response;
}

http::Response token_page(std::string_view redirect_uri, std::string_view token_json) {
  http::Response response;
  auto nonce_bytes = ossl::random_bytes(16);
  std::string nonce = nonce_bytes ? base64url_encode(*nonce_bytes) : "none";
  response.body =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>SSO Connect</title></head>"
      "<body><form method=\"post\" action=\"" +
      markup_escape(redirect_uri) + "\"><input type=\"hidden\" name=\"token\" value=\"" +
      markup_escape(token_json) +
      "\"><noscript><button type=\"submit\">Continue to your vault</button></noscript></form>"
      "<script nonce=\"" +
      nonce + "\">document.forms[0].submit();</script></body></html>\n";
  response.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  // form-action limits the post to the redirect URI's origin. CSP host sources cannot name an
  // IPv6 literal ([::1]), so for those the directive is left out rather than made to block.
  std::string origin = origin_of(redirect_uri);
  std::string form_action =
      origin.find('[') == std::string::npos ? "; form-action " + origin : std::string();
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; script-src 'nonce-" + nonce + "'" +
                                    form_action + "; frame-ancestors 'none'");
  add_security_headers(response);
  return response;
}

}  // namespace ssoc::service
