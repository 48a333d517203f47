// Framed messages over a non-blocking Unix stream socket, each with an optional deadline.
// A frame is a u32 little-endian body length followed by the body (see protocol.hpp); a length
// outside [kRequestHeaderSize, kMaxFrameBody] is refused before anything is allocated.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "wire.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

// A file descriptor closed when the owner goes away.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() noexcept;
  void reset() noexcept;

 private:
  int fd_ = -1;
};

using Clock = std::chrono::steady_clock;
// No value: wait as long as it takes.
using Deadline = std::optional<Clock::time_point>;

enum class IoStatus {
  kOk,
  kClosed,     // the peer closed the connection between frames (or reset it)
  kTruncated,  // the peer closed the connection in the middle of a frame
  kTimeout,    // the deadline passed
  kBadFrame,   // a frame length out of range
  kError,      // a socket error
};

const char* io_status_name(IoStatus status);

// Sends one frame whose body is `body`.
IoStatus send_frame(int fd, ByteView body, Deadline deadline);
// Receives one frame body into `body`.
IoStatus receive_frame(int fd, Buffer& body, Deadline deadline);

// True if the peer has closed (or reset) the connection, or sent something unasked: on a
// connection with no request in flight, either means it is no longer usable. Does not block.
bool idle_connection_broken(int fd);

// Connects to the Unix socket at `path` (non-blocking, close-on-exec) before `deadline`.
// On failure `fd` stays invalid and `error` says why.
IoStatus connect_unix(const std::string& path, Deadline deadline, UniqueFd& fd, std::string& error);

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
