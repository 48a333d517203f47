#include "config/checks.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "keystore/keystore.hpp"
#include "saml/idp_metadata.hpp"

namespace ssoc::config {
namespace {

Error invalid(std::string_view key, std::string_view what) {
  return fail(Cause::InvalidSetting, std::string(key) + " " + std::string(what));
}

Error unusable_port(std::string_view key, std::string_view what) {
  return fail(Cause::InvalidSetting, std::string(key) + ": " + std::string(what));
}

bool is_ipv4(std::string_view text) {
  in_addr address{};
  return ::inet_pton(AF_INET, std::string(text).c_str(), &address) == 1;
}

bool is_ipv6(std::string_view text) {
  in6_addr address{};
  return ::inet_pton(AF_INET6, std::string(text).c_str(), &address) == 1;
}

bool is_wildcard(std::string_view address) {
  return address == "0.0.0.0" || address == "::" || address == "0:0:0:0:0:0:0:0";
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
  });
}

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<std::uint16_t> parse_port(std::string_view key, std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value < 1 ||
      value > 65535)
    return invalid(key, "must be a port number from 1 to 65535, not '" + std::string(text) + "'");
  return static_cast<std::uint16_t>(value);
}

Result<void> check_host_name(std::string_view key, std::string_view text) {
  if (is_ipv4(text)) return success();
  std::string_view name = text;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  bool ok = !name.empty() && name.size() <= 253;
  while (ok && !name.empty()) {
    std::size_t dot = name.find('.');
    ok = valid_label(name.substr(0, dot));
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    if (dot != std::string_view::npos && name.empty()) ok = false;
  }
  if (!ok)
    return invalid(key,
                   "must be a host name such as sso.example.com (letters, digits, '-' and "
                   "'.') or an IPv4 address, not '" +
                       std::string(text) + "'");
  return success();
}

Result<void> check_ip_address(std::string_view key, std::string_view text) {
  if (is_ipv4(text) || is_ipv6(text)) return success();
  return invalid(key,
                 "must be an IP address of this machine such as 0.0.0.0 (all) or "
                 "127.0.0.1, not '" +
                     std::string(text) + "'");
}

std::optional<bool> parse_yes_no(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "y" || lower == "yes" || lower == "true") return true;
  if (lower == "n" || lower == "no" || lower == "false") return false;
  return std::nullopt;
}

Result<void> check_port_free(std::string_view key, std::string_view address, std::uint16_t port) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = AF_INET;
  if (is_ipv4(address)) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    ::inet_pton(AF_INET, std::string(address).c_str(), &in->sin_addr);
    length = sizeof(sockaddr_in);
  } else if (is_ipv6(address)) {
    family = AF_INET6;
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    ::inet_pton(AF_INET6, std::string(address).c_str(), &in6->sin6_addr);
    length = sizeof(sockaddr_in6);
  } else {
    return check_ip_address(key, address);
  }
  Socket socket(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.fd() < 0)
    return invalid(
        key, std::string("cannot be checked: socket() failed (") + std::strerror(errno) + ")");
  int on = 1;
  (void)::setsockopt(socket.fd(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (::bind(socket.fd(), reinterpret_cast<sockaddr*>(&storage), length) == 0) return success();
  const int err = errno;
  const std::string where = std::string(address) + " port " + std::to_string(port);
  switch (err) {
    case EADDRINUSE:
      return unusable_port(key, where +
                                    " is already in use by another program; choose another "
                                    "port or stop that program");
    case EACCES:
      return unusable_port(key, where +
                                    " needs privileges this user does not have; choose a "
                                    "port above 1023");
    case EADDRNOTAVAIL:
      return unusable_port(key,
                           std::string(address) +
                               " is not an address of this machine; choose one of its addresses "
                               "or 0.0.0.0");
    default: return unusable_port(key, where + " cannot be bound (" + std::strerror(err) + ")");
  }
}

bool ports_conflict(std::string_view address_a, std::uint16_t port_a, std::string_view address_b,
                    std::uint16_t port_b) {
  if (port_a != port_b) return false;
  return address_a == address_b || is_wildcard(address_a) || is_wildcard(address_b);
}

fs::path resolve_path(const fs::path& folder, std::string_view text) {
  fs::path path{std::string(text)};
  if (path.is_relative()) path = folder / path;
  return path.lexically_normal();
}

Result<void> check_keystore(const fs::path& file, const SecretBytes& password) {
  TRY(keystore::read_keystore(file, password));
  return success();
}

Result<void> check_idp_metadata(const fs::path& file) {
  TRY(saml::read_idp_metadata(file));
  return success();
}

}  // namespace ssoc::config
