// What a Server's I/O loops and workers share: the settings, the handler, the error pages, the
// listening socket, the worker pool, the connection count and the progress of a stop.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "http/response_writer.hpp"
#include "http/server.hpp"
#include "http/socket.hpp"
#include "http/worker_pool.hpp"

namespace ssoc::http {

struct ServerContext {
  ServerContext(ServerOptions options_in, Handler handler_in, UniqueFd listener_in)
      : options(std::move(options_in)),
        handler(std::move(handler_in)),
        error_pages(options.error_response),
        listener(std::move(listener_in)) {}

  const ServerOptions options;
  const Handler handler;
  const ErrorPages error_pages;
  UniqueFd listener;
  WorkerPool workers;
  std::atomic<std::size_t> connections{0};  // open connections, over all I/O loops
  std::atomic<bool> stopping{false};        // responses say "Connection: close"

  // The I/O loops report their progress through a stop here.
  std::mutex stop_mutex;
  std::condition_variable stop_progress;
};

}  // namespace ssoc::http
