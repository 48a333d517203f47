#include "http/transport.hpp"

#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>

namespace ssoc::http {
namespace {

IoResult socket_result(ssize_t n) {
  if (n > 0) return {IoStatus::Done, static_cast<std::size_t>(n)};
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return {IoStatus::WouldBlock};
  return {IoStatus::Closed};
}

}  // namespace

IoResult Transport::tls_result(int ok, std::size_t count) {
  if (ok == 1) return {IoStatus::Done, count};
  switch (SSL_get_error(tls_.get(), ok)) {
    case SSL_ERROR_WANT_READ:
    case SSL_ERROR_WANT_WRITE: return {IoStatus::WouldBlock};
    default:
      // A failed TLS connection leaves errors queued for this thread; they would confuse the
      // next SSL_get_error on another connection.
      ERR_clear_error();
      return {IoStatus::Closed};
  }
}

IoStatus Transport::handshake() {
  if (!tls_) return IoStatus::Done;
  return tls_result(SSL_do_handshake(tls_.get()), 0).status;
}

IoResult Transport::read(char* buffer, std::size_t capacity) {
  if (tls_) {
    std::size_t count = 0;
    int ok = SSL_read_ex(tls_.get(), buffer, capacity, &count);
    return tls_result(ok, count);
  }
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buffer, capacity, 0);
    if (n < 0 && errno == EINTR) continue;
    return socket_result(n);
  }
}

IoResult Transport::write(const char* data, std::size_t size) {
  if (tls_) {
    std::size_t count = 0;
    int ok = SSL_write_ex(tls_.get(), data, size, &count);
    return tls_result(ok, count);
  }
  for (;;) {
    ssize_t n = ::send(fd_.get(), data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    return socket_result(n);
  }
}

IoResult Transport::discard(char* buffer, std::size_t capacity) {
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buffer, capacity, 0);
    if (n < 0 && errno == EINTR) continue;
    return socket_result(n);
  }
}

void Transport::finish_sending() {
  if (tls_ && SSL_is_init_finished(tls_.get())) {
    if (SSL_shutdown(tls_.get()) < 0) ERR_clear_error();
  }
  ::shutdown(fd_.get(), SHUT_WR);
}

}  // namespace ssoc::http
