// One I/O thread of the server: an epoll set holding the shared listening socket, an eventfd
// for wake-ups, and the connections this thread accepted; with one DeadlineQueue per timeout
// (head, body, idle, write, linger) whose earliest deadline bounds each epoll_wait.
//
// Sockets are registered edge-triggered for input and output at once, so each connection is
// simply driven whenever anything happens and does all the I/O it can (see Connection).
// Workers hand responses back with complete(); the loop is the only thread that touches its
// connections.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/connection.hpp"
#include "http/server_context.hpp"

namespace ssoc::http {

class IoLoop {
 public:
  static Result<std::unique_ptr<IoLoop>> create(ServerContext& context);
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;
  ~IoLoop();

  // The thread's body: returns after quit().
  void run();

  // From any thread.
  // The response to the request of connection `id` (dropped if that connection is gone).
  void complete(std::uint64_t id, std::string bytes, bool close);
  // Begins a stop: leave the listening socket, close connections without a complete request,
  // close the others once answered. Progress is reported through the context's stop_progress.
  void begin_drain();
  // Closes every connection and ends run().
  void quit();
  // Through a stop: the loop no longer watches the listening socket.
  bool released_listener() const { return released_listener_.load(); }
  // Through a stop: no request of this loop is being handled or written.
  bool quiet() const { return quiet_.load(); }

 private:
  struct Completion {
    std::uint64_t id;
    std::string bytes;
    bool close;
  };
  enum Timeout { kHead, kBody, kIdle, kWrite, kLinger, kTimeoutCount };

  IoLoop(ServerContext& context, UniqueFd epoll, UniqueFd wake);
  void wake();
  void accept_connections(Clock::time_point now);
  void add_connection(UniqueFd fd, std::string peer, Clock::time_point now);
  void on_wake(Clock::time_point now);
  void drain();
  void settle(Connection& connection, Connection::Next next, Clock::time_point now);
  void dispatch(Connection& connection);
  void close_connection(Connection& connection);
  std::span<char> scratch() { return scratch_; }
  void expire(Clock::time_point now);
  int wait_timeout_ms(Clock::time_point now) const;
  void set_listening(bool on);
  void report_quiet();
  DeadlineQueue* queue_for(Phase phase);

  ServerContext& context_;
  UniqueFd epoll_;
  UniqueFd wake_;
  std::uint64_t next_id_;
  std::array<std::unique_ptr<DeadlineQueue>, kTimeoutCount> timeouts_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
  std::vector<char> scratch_;

  bool listening_ = false;
  bool draining_ = false;
  Clock::time_point accept_resumes_{};  // after running out of file descriptors

  std::mutex mailbox_mutex_;
  std::vector<Completion> mailbox_;  // guarded by mailbox_mutex_
  std::vector<Completion> arrived_;  // the loop's own: swapped with mailbox_
  std::atomic<bool> drain_requested_{false};
  std::atomic<bool> quit_requested_{false};
  std::atomic<bool> released_listener_{false};
  std::atomic<bool> quiet_{false};
};

}  // namespace ssoc::http
