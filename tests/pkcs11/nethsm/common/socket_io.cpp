#include "socket_io.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "protocol.hpp"

namespace ssoc::nethsm {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int UniqueFd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void UniqueFd::reset() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

const char* io_status_name(IoStatus status) {
  switch (status) {
    case IoStatus::kOk: return "ok";
    case IoStatus::kClosed: return "connection closed by peer";
    case IoStatus::kTruncated: return "connection closed in the middle of a frame";
    case IoStatus::kTimeout: return "timed out";
    case IoStatus::kBadFrame: return "frame length out of range";
    case IoStatus::kError: return "socket error";
  }
  return "unknown";
}

namespace {

// Waits until `fd` is ready for `events` or the deadline passes.
IoStatus wait_for(int fd, short events, Deadline deadline) {
  for (;;) {
    int timeout_ms = -1;
    if (deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
      if (left.count() <= 0) return IoStatus::kTimeout;
      // Round up so that we never wake up just before the deadline and spin.
      timeout_ms = static_cast<int>(std::min<long long>(left.count() + 1, 60'000));
    }
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoStatus::kError;
    }
    if (n == 0) continue;  // re-check the deadline
    if ((p.revents & (POLLERR | POLLNVAL)) != 0) return IoStatus::kError;
    // POLLHUP with POLLIN: let recv() see the EOF (and any data before it).
    return IoStatus::kOk;
  }
}

IoStatus send_all(int fd, ByteView data, Deadline deadline) {
  std::size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n =
        ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      const IoStatus s = wait_for(fd, POLLOUT, deadline);
      if (s != IoStatus::kOk) return s;
      continue;
    }
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) return IoStatus::kClosed;
    return IoStatus::kError;
  }
  return IoStatus::kOk;
}

// Reads exactly `size` bytes; `got` says how many arrived (also on failure).
IoStatus receive_all(int fd, std::uint8_t* out, std::size_t size, Deadline deadline,
                     std::size_t& got) {
  got = 0;
  while (got < size) {
    const ssize_t n = ::recv(fd, out + got, size - got, MSG_DONTWAIT);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
      continue;
    }
    if (n == 0) return IoStatus::kClosed;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      const IoStatus s = wait_for(fd, POLLIN, deadline);
      if (s != IoStatus::kOk) return s;
      continue;
    }
    if (errno == ECONNRESET) return IoStatus::kClosed;
    return IoStatus::kError;
  }
  return IoStatus::kOk;
}

}  // namespace

IoStatus send_frame(int fd, ByteView body, Deadline deadline) {
  if (body.size() < kRequestHeaderSize || body.size() > kMaxFrameBody) return IoStatus::kBadFrame;
  std::uint8_t header[4];
  const auto length = static_cast<std::uint32_t>(body.size());
  for (int i = 0; i < 4; ++i) header[i] = static_cast<std::uint8_t>(length >> (8 * i));
  const IoStatus s = send_all(fd, ByteView(header, sizeof header), deadline);
  if (s != IoStatus::kOk) return s;
  return send_all(fd, body, deadline);
}

IoStatus receive_frame(int fd, Buffer& body, Deadline deadline) {
  std::uint8_t header[4];
  std::size_t got = 0;
  IoStatus s = receive_all(fd, header, sizeof header, deadline, got);
  if (s == IoStatus::kClosed && got != 0) return IoStatus::kTruncated;
  if (s != IoStatus::kOk) return s;
  std::uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length |= static_cast<std::uint32_t>(header[i]) << (8 * i);
  if (length < kRequestHeaderSize || length > kMaxFrameBody) return IoStatus::kBadFrame;
  body.assign(length, 0);
  s = receive_all(fd, body.data(), body.size(), deadline, got);
  return s == IoStatus::kClosed ? IoStatus::kTruncated : s;
}

bool idle_connection_broken(int fd) {
  pollfd p{fd, POLLIN, 0};
  int n = 0;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n != 0;  // readable (EOF or stray bytes), hung up, or poll failed
}

IoStatus connect_unix(const std::string& path, Deadline deadline, UniqueFd& fd,
                      std::string& error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    error = "socket path is empty or too long: " + path;
    return IoStatus::kError;
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd socket_fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!socket_fd.valid()) {
    error = std::string("socket(): ") + std::strerror(errno);
    return IoStatus::kError;
  }
  for (;;) {
    if (::connect(socket_fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) ==
        0) {
      fd = std::move(socket_fd);
      return IoStatus::kOk;
    }
    if (errno == EINTR) continue;
    // A full listen backlog (the server is not accepting): try again until the deadline.
    if (errno == EAGAIN) {
      if (deadline && Clock::now() >= *deadline) {
        error = "connect(" + path + "): timed out (server not accepting)";
        return IoStatus::kTimeout;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    error = "connect(" + path + "): " + std::strerror(errno);
    return IoStatus::kError;
  }
}

}  // namespace ssoc::nethsm
