#include "http/response_writer.hpp"

#include <algorithm>

#include "http/field_syntax.hpp"

namespace ssoc::http {
namespace {

constexpr int kServerStatuses[] = {400, 408, 411, 413, 431, 500, 505};

bool is_reserved_header(std::string_view name) {
  return equals_ignoring_case(name, "content-length") ||
         equals_ignoring_case(name, "transfer-encoding") ||
         equals_ignoring_case(name, "connection");
}

}  // namespace

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
  }
  return "Status";
}

bool is_sendable(const Response& response) {
  if (response.status < 200 || response.status > 599) return false;
  for (const auto& [name, value] : response.headers) {
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_tchar)) return false;
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) return false;
  }
  return true;
}

std::string serialize_response(const Response& response, const ResponseFraming& framing) {
  bool has_body = response.status != 204 && response.status != 304;
  std::string out;
  out.reserve(128 + response.headers.size() * 48 +
              (has_body && !framing.head_request ? response.body.size() : 0));
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += reason_phrase(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (is_reserved_header(name)) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (has_body) {
    out += "Content-Length: ";
    out += std::to_string(response.body.size());
    out += "\r\n";
  }
  if (framing.close) {
    out += "Connection: close\r\n";
  } else if (framing.http10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (has_body && !framing.head_request) out += response.body;
  return out;
}

Response plain_error_response(int status) {
  Response response;
  response.status = status;
  response.headers = {{"Content-Type", "text/plain; charset=utf-8"},
                      {"Cache-Control", "no-store"},
                      {"X-Content-Type-Options", "nosniff"}};
  response.body = std::to_string(status) + " " + std::string(reason_phrase(status)) + "\n";
  return response;
}

ErrorPages::ErrorPages(std::function<Response(int status)> make) : make_(std::move(make)) {
  for (int status : kServerStatuses)
    plain_pages_[status] =
        serialize_response(plain_error_response(status), ResponseFraming{.close = true});
}

std::string ErrorPages::bytes(int status) const {
  if (!plain_pages_.contains(status)) status = 500;
  if (make_) {
    try {
      Response page = make_(status);
      page.status = status;
      if (is_sendable(page)) return serialize_response(page, ResponseFraming{.close = true});
    } catch (...) {
      // The plain page below will do.
    }
  }
  return plain_pages_.at(status);
}

}  // namespace ssoc::http
