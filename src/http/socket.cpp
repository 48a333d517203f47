#include "http/socket.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

namespace ssoc::http {
namespace {

constexpr int kBacklog = 1024;

std::string host_port(const std::string& host, bool ipv6, std::uint16_t port) {
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string bind_failure_advice(int error) {
  switch (error) {
    case EADDRINUSE:
      return "the port is already in use (another program, or another SSO Connect, listens "
             "there); stop it or choose another port";
    case EADDRNOTAVAIL:
      return "the address is not one of this machine's; choose one of its addresses, or "
             "0.0.0.0 for all";
    case EACCES:
      return "permission denied (ports below 1024 need privileges); choose a port above 1023";
    default: return std::strerror(error);
  }
}

}  // namespace

Result<UniqueFd> listen_tcp(const std::string& address, std::uint16_t port) {
  std::string host = address;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool ipv6 = false;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof *v6;
    ipv6 = true;
  } else {
    return fail(Cause::InvalidSetting, "the bind address '" + address +
                                           "' is not an IPv4 or IPv6 address; use e.g. 0.0.0.0, "
                                           "127.0.0.1 or ::");
  }
  std::string where = host_port(host, ipv6, port);

  UniqueFd fd(::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid())
    return fail(Cause::Io, "cannot make a socket for " + where + ": " + std::strerror(errno));
  int on = 1;
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
    return fail(Cause::Io, "cannot set SO_REUSEADDR for " + where + ": " + std::strerror(errno));
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0)
    return fail(Cause::Io, "cannot listen on " + where + ": " + bind_failure_advice(errno));
  if (::listen(fd.get(), kBacklog) != 0)
    return fail(Cause::Io, "cannot listen on " + where + ": " + bind_failure_advice(errno));
  return fd;
}

std::uint16_t local_port(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) return 0;
  if (storage.ss_family == AF_INET)
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
}

std::string describe_address(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    return host_port(text, false, ntohs(v4->sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    if (IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr)) {
      inet_ntop(AF_INET, &v6->sin6_addr.s6_addr[12], text, sizeof text);
      return host_port(text, false, ntohs(v6->sin6_port));
    }
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    return host_port(text, true, ntohs(v6->sin6_port));
  }
  return "unknown";
}

}  // namespace ssoc::http
