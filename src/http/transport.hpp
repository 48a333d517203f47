// The byte stream of one connection: a non-blocking socket, plain or wrapped in TLS. Every call
// returns at once; WouldBlock means "call again when epoll reports the socket ready" (for TLS it
// may wait for either direction: a read can need a write and the other way round).
#pragma once

#include <cstddef>

#include "http/socket.hpp"
#include "http/tls.hpp"

namespace ssoc::http {

enum class IoStatus {
  Done,        // `count` bytes moved (at least one), or the handshake finished
  WouldBlock,  // nothing to do until the socket is ready
  Closed,      // the peer closed, or the connection failed; give it up
};

struct IoResult {
  IoStatus status;
  std::size_t count = 0;
};

class Transport {
 public:
  // `tls` null: plain TCP. Otherwise a server-side SSL on `fd`, its handshake still to run.
  Transport(UniqueFd fd, SslPtr tls) : fd_(std::move(fd)), tls_(std::move(tls)) {}

  int fd() const { return fd_.get(); }
  bool is_tls() const { return tls_ != nullptr; }

  // Runs the TLS handshake (Done at once for plain TCP). Closed when it fails.
  IoStatus handshake();
  IoResult read(char* buffer, std::size_t capacity);
  IoResult write(const char* data, std::size_t size);
  // Reads and discards from the socket itself, below TLS (used while closing).
  IoResult discard(char* buffer, std::size_t capacity);
  // Ends the sending side: a TLS close_notify (not waiting for the peer's), then shutdown(2).
  void finish_sending();

 private:
  IoResult tls_result(int ok, std::size_t count);

  UniqueFd fd_;
  SslPtr tls_;
};

}  // namespace ssoc::http
