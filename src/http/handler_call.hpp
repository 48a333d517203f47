// Runs the handler for one request on a worker thread and frames its answer.
#pragma once

#include <atomic>
#include <string>

#include "http/connection.hpp"
#include "http/server.hpp"

namespace ssoc::http {

struct Answer {
  std::string bytes;   // the whole response, ready to send
  bool close = false;  // the connection closes after it
};

// Calls `handler`; an exception, or a response that may not be sent (see Response), becomes the
// 500 page, which closes the connection. So does a stop that began before the handler returned.
Answer call_handler(const Handler& handler, const ErrorPages& error_pages,
                    const PendingRequest& pending, const std::atomic<bool>& stopping);

}  // namespace ssoc::http
