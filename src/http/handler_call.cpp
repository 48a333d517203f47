#include "http/handler_call.hpp"

#include "common/log.hpp"

namespace ssoc::http {

Answer call_handler(const Handler& handler, const ErrorPages& error_pages,
                    const PendingRequest& pending, const std::atomic<bool>& stopping) {
  Response response;
  try {
    response = handler(pending.request);
  } catch (...) {
    // The exception's text might quote the request; only the fact is logged.
    log::error("an HTTP handler threw an exception; the request was answered with 500");
    return {error_pages.bytes(500), true};
  }
  if (!is_sendable(response)) {
    log::error("an HTTP handler gave a response that cannot be sent (status " +
               std::to_string(response.status) +
               "; statuses must be 200..599, header names tokens, header values free of CR, LF "
               "and NUL); answered 500 instead");
    return {error_pages.bytes(500), true};
  }
  ResponseFraming framing = pending.framing;
  framing.close = framing.close || stopping.load();
  return {serialize_response(response, framing), framing.close};
}

}  // namespace ssoc::http
