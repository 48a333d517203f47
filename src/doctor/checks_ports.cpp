// The service's two listening endpoints (bind_address:bind_port for logins, admin_address:
// admin_port for the admin GUI) can be bound, or are held by the SSO Connect service itself.
// Tried with bind() on a socket that is closed at once, with SO_REUSEADDR as the service sets
// it, so sockets in TIME_WAIT do not count as "in use".
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "doctor/checks.hpp"

namespace ssoc::doctor::detail {
namespace {

struct Endpoint {
  std::string_view name;  // "bind" or "admin": the settings are <name>_address, <name>_port
  std::string address;
  std::string port;
};

Endpoint endpoint(const datadir::Properties& instance, std::string_view name,
                  std::string_view default_address, std::string_view default_port) {
  const std::string prefix(name);
  auto value = [&](const std::string& key, std::string_view fallback) {
    auto found = instance.get(key);
    return std::string(found && !found->empty() ? *found : fallback);
  };
  return {name, value(prefix + "_address", default_address), value(prefix + "_port", default_port)};
}

bool valid_port(const std::string& text) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc{} && end == text.data() + text.size() && port >= 1 && port <= 65535;
}

// 0 when the endpoint can be bound, else the errno of the failure (EAI errors as EINVAL, with
// `why` set).
int try_bind(const Endpoint& endpoint, std::string& why) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int rc = ::getaddrinfo(endpoint.address.c_str(), endpoint.port.c_str(), &hints, &found);
      rc != 0) {
    why = ::gai_strerror(rc);
    return EINVAL;
  }
  int err = 0;
  const int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_CLOEXEC, found->ai_protocol);
  if (fd < 0) {
    err = errno;
  } else {
    const int yes = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0) err = errno;
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (err != 0) why = std::strerror(err);
  return err;
}

std::string setting_names(const Endpoint& endpoint) {
  return std::string(endpoint.name) + "_address/" + std::string(endpoint.name) + "_port";
}

}  // namespace

Check check_ports(const Context& context) {
  const datadir::Properties& instance = context.settings->instance;
  const Endpoint endpoints[] = {endpoint(instance, "bind", "0.0.0.0", "8443"),
                                endpoint(instance, "admin", "127.0.0.1", "8080")};
  std::vector<std::string> found, problems, fixes;
  for (const Endpoint& endpoint : endpoints) {
    const std::string where = endpoint.address + ":" + endpoint.port;
    if (!valid_port(endpoint.port)) {
      problems.push_back(std::string(endpoint.name) + "_port '" + endpoint.port +
                         "' is not a port number");
      fixes.push_back("set " + std::string(endpoint.name) +
                      "_port to a number from 1 to 65535 (`ssoconnect config`)");
      continue;
    }
    std::string why;
    const int err = try_bind(endpoint, why);
    if (err == 0) {
      found.push_back(where + " is free");
    } else if (err == EADDRINUSE && context.service_running) {
      found.push_back(where + " is held by the running SSO Connect service");
    } else if (err == EADDRINUSE) {
      problems.push_back(where + " (" + setting_names(endpoint) + ") is in use by another program");
      fixes.push_back("stop the program using " + where + " (`ss -ltnp 'sport = :" + endpoint.port +
                      "'` names it), or choose another " + std::string(endpoint.name) + "_port");
    } else if (err == EACCES) {
      problems.push_back(where + " (" + setting_names(endpoint) + ") cannot be bound: " + why);
      fixes.push_back("use a port from 1024 up, or give the service CAP_NET_BIND_SERVICE");
    } else {
      problems.push_back(where + " (" + setting_names(endpoint) + ") cannot be bound: " + why);
      fixes.push_back("set " + setting_names(endpoint) +
                      " to an address of this machine (0.0.0.0 for all) and a free port");
    }
  }
  auto wildcard = [](const std::string& address) {
    return address == "0.0.0.0" || address == "::" || address == "[::]";
  };
  if (problems.empty() && endpoints[0].port == endpoints[1].port &&
      (endpoints[0].address == endpoints[1].address || wildcard(endpoints[0].address) ||
       wildcard(endpoints[1].address))) {
    problems.push_back("bind_port and admin_port are both " + endpoints[0].port);
    fixes.push_back("give the admin GUI a port of its own (admin_port, default 8080)");
  }
  auto join = [](const std::vector<std::string>& parts) {
    std::string text;
    for (const std::string& part : parts) text += (text.empty() ? "" : "; ") + part;
    return text;
  };
  if (!problems.empty()) return failed(kPorts, join(problems), join(fixes));
  return ok(kPorts, join(found));
}

}  // namespace ssoc::doctor::detail
