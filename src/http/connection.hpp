// One client connection's protocol state machine, driven by its I/O thread.
//
//   Handshake -> ReadingHead -> ReadingBody -> Handling -> Writing -> Idle -> ReadingHead ...
//                     |              |                        |
//                     +--------------+-> Writing (refusal) ---+-> Lingering -> closed
//
// - Handshake: the TLS handshake (skipped for plain HTTP).
// - ReadingHead: bytes of a request head are arriving (empty lines before it are skipped). Over
//   max_header_bytes without its end: 431. A head the parser refuses: its status (400/411/413/505).
//   The 413 for a too-large Content-Length is sent from the head alone, before any body byte.
// - ReadingBody: the declared Content-Length bytes are arriving. "Expect: 100-continue" gets the
//   interim "HTTP/1.1 100 Continue" first, unless the body is already there.
// - Handling: the request is with a worker; nothing is read (pipelined bytes wait in the buffer,
//   so requests are answered one at a time, in order).
// - Writing: the response is going out. Then Idle (keep-alive) or, when the response closes the
//   connection, Lingering: the sending side is shut (TLS close_notify, then FIN) and what the
//   client still sends is read and dropped, so that the close does not turn into a reset that
//   could destroy the response before the client has read it.
// Every server-made refusal closes the connection. Timeouts are the loop's (see IoLoop); it calls
// expire() when the phase's deadline passes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "http/deadline_queue.hpp"
#include "http/request_head.hpp"
#include "http/response_writer.hpp"
#include "http/transport.hpp"

namespace ssoc::http {

enum class Phase { Handshake, ReadingHead, ReadingBody, Handling, Writing, Idle, Lingering };

struct ConnectionLimits {
  std::size_t max_header_bytes;
  std::size_t max_body_bytes;
};

// A complete request and how its response is to be framed.
struct PendingRequest {
  Request request;
  ResponseFraming framing;
};

class Connection {
 public:
  enum class Next {
    Wait,      // nothing more to do until the socket is ready (or a response is given)
    Dispatch,  // a request is complete: take_request() and hand it to a worker
    Close,     // give the connection up
  };

  Connection(std::uint64_t id, Transport transport, std::string peer,
             const ConnectionLimits& limits, const ErrorPages& error_pages);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Makes all the progress the socket allows. `scratch` is the I/O thread's read buffer.
  Next drive(std::span<char> scratch);
  // The request that drive() reported with Dispatch (phase Handling).
  PendingRequest take_request();
  // Gives the response bytes to send (phase Handling -> Writing); call drive() next.
  void respond(std::string bytes, bool close_after);
  // The phase's deadline passed: a partial request gets 408, everything else is closed.
  Next expire(std::span<char> scratch);

  Phase phase() const { return phase_; }
  // True while a request is with a worker or its response is being written.
  bool is_answering() const { return phase_ == Phase::Handling || phase_ == Phase::Writing; }
  std::uint64_t id() const { return timer_.owner_id; }
  int fd() const { return transport_.fd(); }
  const std::string& peer() const { return peer_; }
  DeadlineLink& timer() { return timer_; }

 private:
  enum class Progress { NeedMore, Complete, Refused };
  Progress parse_input();
  Progress refuse(int status);
  // These return nullopt when they made progress and the state machine goes on.
  std::optional<Next> read_more(std::span<char> scratch);
  std::optional<Next> write_pending();
  Next discard_input(std::span<char> scratch);
  void after_response();

  Transport transport_;
  std::string peer_;
  ConnectionLimits limits_;
  const ErrorPages& error_pages_;
  Phase phase_;
  DeadlineLink timer_;

  std::string input_;        // received, not yet consumed
  std::size_t scanned_ = 0;  // how far find_head_end has looked into input_
  std::optional<RequestHead> head_;
  std::size_t head_length_ = 0;
  std::string body_;

  std::string output_;  // to send: the interim 100 Continue, or the response
  std::size_t output_sent_ = 0;
  bool close_after_write_ = false;
  std::size_t discarded_ = 0;  // bytes dropped while lingering
};

}  // namespace ssoc::http
