#include "listener.hpp"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <list>
#include <memory>
#include <thread>
#include <vector>

#include "../common/socket_io.hpp"
#include "connection.hpp"

namespace ssoc::nethsm {
namespace {

struct Connection {
  UniqueFd fd;  // closed only after the thread is joined, so shutdown() never hits a reused fd
  std::thread thread;
  std::atomic<bool> finished{false};
};

using ConnectionList = std::list<std::shared_ptr<Connection>>;

// How long a new connection waits for the clean-up of connections whose clients have gone.
constexpr auto kCleanupWait = std::chrono::seconds(5);

// The connections whose clients have closed their end but whose threads have not finished (they
// may still be in a module call, with sessions open).
std::vector<std::shared_ptr<Connection>> closing_connections(const ConnectionList& connections) {
  std::vector<std::shared_ptr<Connection>> closing;
  for (const auto& c : connections) {
    pollfd p{c->fd.get(), POLLRDHUP, 0};
    if (!c->finished.load() && ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP)) != 0) {
      closing.push_back(c);
    }
  }
  return closing;
}

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

UniqueFd listen_on(const std::string& path, std::string& error) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path) {
    error = "socket path is empty or too long: " + path;
    return UniqueFd();
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) {
    error = std::string("socket(): ") + std::strerror(errno);
    return UniqueFd();
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    error = "cannot remove " + path + ": " + std::strerror(errno);
    return UniqueFd();
  }
  const mode_t old_mask = ::umask(0177);  // the socket is created 0600
  const int bound = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  const int bind_errno = errno;
  ::umask(old_mask);
  if (bound != 0) {
    error = "cannot bind " + path + ": " + std::strerror(bind_errno);
    return UniqueFd();
  }
  if (::chmod(path.c_str(), 0600) != 0 || ::listen(fd.get(), 64) != 0) {
    error = "cannot listen on " + path + ": " + std::strerror(errno);
    ::unlink(path.c_str());
    return UniqueFd();
  }
  return fd;
}

void reap_finished(ConnectionList& connections) {
  for (auto it = connections.begin(); it != connections.end();) {
    if ((*it)->finished.load()) {
      (*it)->thread.join();
      it = connections.erase(it);
    } else {
      ++it;
    }
  }
}

// A client that reconnects has closed its old connection first. Its new connection is served
// only once the old ones have closed their sessions, so that it never sees their login state
// (the sessions of one application share it). Waits at most kCleanupWait.
void start_connection(CK_FUNCTION_LIST& module, UniqueFd fd, unsigned long id,
                      ConnectionList& connections) {
  auto connection = std::make_shared<Connection>();
  connection->fd = std::move(fd);
  Connection* c = connection.get();
  connection->thread =
      std::thread([&module, c, id, closing = closing_connections(connections)]() mutable {
        const auto give_up = std::chrono::steady_clock::now() + kCleanupWait;
        for (const auto& old : closing) {
          while (!old->finished.load() && std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
          }
        }
        closing.clear();
        serve_connection(module, c->fd.get(), id);
        c->finished.store(true);
      });
  connections.push_back(std::move(connection));
}

}  // namespace

bool prepare_signals(std::string& error) {
  const sigset_t set = stop_signals();
  if (::pthread_sigmask(SIG_BLOCK, &set, nullptr) != 0) {
    error = "cannot block SIGTERM/SIGINT";
    return false;
  }
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}

bool run_listener(CK_FUNCTION_LIST& module, const std::string& socket_path, std::string& error) {
  const sigset_t set = stop_signals();
  UniqueFd signals(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!signals.valid()) {
    error = std::string("signalfd(): ") + std::strerror(errno);
    return false;
  }
  UniqueFd listener = listen_on(socket_path, error);
  if (!listener.valid()) return false;
  std::printf("ready\n");
  std::fflush(stdout);

  ConnectionList connections;
  unsigned long next_id = 1;
  for (bool stop = false; !stop;) {
    pollfd fds[2] = {{signals.get(), POLLIN, 0}, {listener.get(), POLLIN, 0}};
    const int n = ::poll(fds, 2, 200);  // wake up now and then to reap finished connections
    reap_finished(connections);
    if (n < 0 && errno != EINTR) {
      error = std::string("poll(): ") + std::strerror(errno);
      stop = true;
    }
    if (n <= 0) continue;
    if ((fds[0].revents & POLLIN) != 0) stop = true;
    if (!stop && (fds[1].revents & POLLIN) != 0) {
      UniqueFd client(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
      if (client.valid()) {
        try {
          start_connection(module, std::move(client), next_id++, connections);
        } catch (const std::exception& e) {  // no thread for it: the client is disconnected
          std::fprintf(stderr, "ssoc_nethsm_server: cannot serve a connection: %s\n", e.what());
        }
      }
    }
  }

  // New clients fail at once; connected ones see their socket shut down.
  ::unlink(socket_path.c_str());
  listener.reset();
  for (auto& connection : connections) ::shutdown(connection->fd.get(), SHUT_RDWR);
  for (auto& connection : connections) connection->thread.join();
  connections.clear();
  return error.empty();
}

}  // namespace ssoc::nethsm
