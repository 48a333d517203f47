// An HTTP/1.1 and HTTP/1.0 server, over TLS or plain TCP, for SSO Connect's endpoints.
//
// Threads: `io_threads` I/O threads, each with its own epoll set, share one non-blocking
// listening socket (registered with EPOLLEXCLUSIVE, so a new connection wakes one of them) and
// own the connections they accept: TLS handshake, reading, parsing, writing, timeouts. A complete
// request goes to one of `worker_threads` workers, which runs the handler and hands the response
// bytes back to the connection's I/O thread (woken through an eventfd). A slow handler or a slow
// client therefore never holds up anyone else; handlers run concurrently and must be thread-safe.
//
// Protocol (details in request_head.hpp, connection.hpp and response_writer.hpp):
// - HTTP/1.1 connections stay open unless the request says "Connection: close"; HTTP/1.0 ones
//   close unless it says "Connection: keep-alive". Pipelined requests are answered in order, one
//   at a time.
// - Request bodies by Content-Length only. Transfer-Encoding: 411; with Content-Length too, two
//   Content-Length fields, a non-numeric one, obs-fold, a missing Host (HTTP/1.1) or any other
//   malformed head: 400; an HTTP version other than 1.x: 505.
// - Every status the server answers by itself closes the connection; so does every response
//   during stop().
// - Limits: the request line and headers over max_header_bytes: 431. A Content-Length over
//   max_body_bytes: 413 at once, from the head alone. The head (and, for a new connection, the
//   TLS handshake) must arrive within header_timeout, counted from the connection's start or from
//   the first byte of the next request: 408 if part of a request came, else a silent close. The
//   body must arrive within body_timeout of its head: 408. A keep-alive connection waiting for
//   its next request is closed after idle_timeout; a response not written within write_timeout
//   (a client that does not read) closes the connection. Above max_connections, new connections
//   are accepted and closed at once.
//
// Logging: never a request target, body or header value; only counts, statuses and peers, and
// those at Debug.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "http/message.hpp"

namespace ssoc::http {

// Called on a worker thread for every complete request; may run concurrently with itself.
// An exception it throws is answered with 500 (and logged without its message).
using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string bind_address = "127.0.0.1";    // IPv4 or IPv6 literal ("0.0.0.0", "::")
  std::uint16_t port = 0;                    // 0: the kernel chooses; Server::port() tells
  std::shared_ptr<SSL_CTX> tls;              // null: plain HTTP (make one with make_server_tls)
  std::size_t max_header_bytes = 16 * 1024;  // request line + headers; over it: 431 and close
  std::size_t max_body_bytes = 1 << 20;      // Content-Length over it: 413 at once, close
  std::chrono::milliseconds header_timeout{10000};  // head (and TLS handshake) to arrive: 408
  std::chrono::milliseconds body_timeout{30000};    // declared body to arrive after its head: 408
  std::chrono::milliseconds idle_timeout{30000};    // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30000};   // a response to be taken by the client
  std::size_t max_connections = 1024;  // above it new connections are accepted and closed at once
  unsigned io_threads = 0;             // 0: std::thread::hardware_concurrency()
  unsigned worker_threads = 0;         // handlers run here; 0: 2 x hardware_concurrency
  // Makes the page of a status the server answers by itself (400, 408, 411, 413, 431, 500, 505).
  // Called for each such answer, on an I/O thread (a worker for 500): quick and thread-safe.
  // Null (or a page that cannot be sent, or an exception): a short text/plain page.
  std::function<Response(int status)> error_response;
};

class Server {
 public:
  // Binds (SO_REUSEADDR), listens (backlog 1024) and starts the threads. A busy port, an address
  // not on this machine or a port that needs privileges is Cause::Io naming "address:port"; a
  // bind address that is not a literal, a null handler, zero limits or timeouts are
  // Cause::InvalidSetting.
  static Result<std::unique_ptr<Server>> start(ServerOptions options, Handler handler);

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();  // stop()

  // The port listened on (the kernel's choice when the options said 0).
  std::uint16_t port() const { return port_; }

  // Stops accepting at once (the listening socket is closed) and closes every connection that
  // has no fully received request. Requests already fully received are answered (their handlers
  // finish; those still queued are run) and their connections closed after the response, with
  // "Connection: close". Once that is done, or `grace` has passed, the remaining connections are
  // closed, queued requests not begun are dropped and the I/O threads joined. The worker
  // threads are joined last: a handler still running after `grace` is waited for (its client
  // has been disconnected), because it may use objects that its owner frees after stop()
  // returns. Idempotent; thread-safe; not to be called from a handler (it would wait for itself).
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  struct State;
  Server(std::unique_ptr<State> state, std::uint16_t port);

  std::unique_ptr<State> state_;
  std::uint16_t port_;
};

}  // namespace ssoc::http
