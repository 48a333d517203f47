// Sockets for the server: an owned file descriptor, the listening socket, peer names.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <utility>

#include "common/result.hpp"
#include "common/unique_fd.hpp"

namespace ssoc::http {

// A non-blocking TCP socket bound to `address` (an IPv4 or IPv6 literal, brackets allowed
// around IPv6) and `port` (0: the kernel chooses), listening with SO_REUSEADDR and a backlog of
// 1024. InvalidSetting for an address that is not a literal; Io naming "address:port" when the
// port is in use, the address is not on this machine, or binding is not permitted.
Result<UniqueFd> listen_tcp(const std::string& address, std::uint16_t port);

// The port a bound socket has.
std::uint16_t local_port(int fd);

// "1.2.3.4:5" or "[::1]:5" (IPv4-mapped IPv6 addresses are shown as IPv4).
std::string describe_address(const sockaddr_storage& address);

}  // namespace ssoc::http
