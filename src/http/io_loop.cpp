#include "http/io_loop.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.hpp"
#include "http/handler_call.hpp"

namespace ssoc::http {
namespace {

constexpr std::uint64_t kListenerId = 0;
constexpr std::uint64_t kWakeId = 1;
constexpr std::uint64_t kFirstConnectionId = 2;
constexpr std::size_t kScratchBytes = 32 * 1024;
constexpr int kMaxEvents = 128;
constexpr int kMaxAcceptsPerWake = 64;
// How long a closing connection's late input is read and dropped (see Connection).
constexpr auto kLingerTime = std::chrono::seconds(2);
// How long accepting pauses when the process runs out of file descriptors.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);

std::string error_text() {
  return std::strerror(errno);
}

}  // namespace

Result<std::unique_ptr<IoLoop>> IoLoop::create(ServerContext& context) {
  UniqueFd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (!epoll.valid())
    return fail(Cause::Io, "cannot make an epoll set for the HTTP server: " + error_text() +
                               "; raise the limit of open files");
  UniqueFd wake(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake.valid())
    return fail(Cause::Io, "cannot make an eventfd for the HTTP server: " + error_text() +
                               "; raise the limit of open files");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeId;
  if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &event) != 0)
    return fail(Cause::Io, "cannot watch the HTTP server's eventfd: " + error_text());
  std::unique_ptr<IoLoop> loop(new IoLoop(context, std::move(epoll), std::move(wake)));
  loop->set_listening(true);
  if (!loop->listening_)
    return fail(Cause::Io, "cannot watch the HTTP server's listening socket: " + error_text());
  return loop;
}

IoLoop::IoLoop(ServerContext& context, UniqueFd epoll, UniqueFd wake)
    : context_(context),
      epoll_(std::move(epoll)),
      wake_(std::move(wake)),
      next_id_(kFirstConnectionId),
      scratch_(kScratchBytes) {
  const ServerOptions& options = context_.options;
  timeouts_[kHead] = std::make_unique<DeadlineQueue>(options.header_timeout);
  timeouts_[kBody] = std::make_unique<DeadlineQueue>(options.body_timeout);
  timeouts_[kIdle] = std::make_unique<DeadlineQueue>(options.idle_timeout);
  timeouts_[kWrite] = std::make_unique<DeadlineQueue>(options.write_timeout);
  timeouts_[kLinger] = std::make_unique<DeadlineQueue>(kLingerTime);
}

IoLoop::~IoLoop() = default;

void IoLoop::run() {
  // OpenSSL writes to sockets with write(2): a peer that went away must give EPIPE, not a
  // SIGPIPE that ends the process. The signal is directed at the writing thread, so blocking it
  // here is enough.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);

  std::array<epoll_event, kMaxEvents> events;
  while (!quit_requested_.load()) {
    int count =
        ::epoll_wait(epoll_.get(), events.data(), kMaxEvents, wait_timeout_ms(Clock::now()));
    if (count < 0) {
      if (errno == EINTR) continue;
      log::error("the HTTP server's epoll_wait failed: " + error_text() + "; its I/O thread ends");
      break;
    }
    Clock::time_point now = Clock::now();
    for (int i = 0; i < count; ++i) {
      std::uint64_t id = events[i].data.u64;
      if (id == kListenerId) {
        accept_connections(now);
      } else if (id == kWakeId) {
        on_wake(now);
      } else if (auto found = connections_.find(id); found != connections_.end()) {
        Connection& connection = *found->second;
        settle(connection, connection.drive(scratch()), now);
      }
    }
    expire(now);
    if (draining_) report_quiet();
  }
  context_.connections.fetch_sub(connections_.size());
  connections_.clear();
  // A loop that ended early (epoll_wait failed) must not hold up a stop.
  {
    std::lock_guard lock(context_.stop_mutex);
    released_listener_.store(true);
    quiet_.store(true);
  }
  context_.stop_progress.notify_all();
}

void IoLoop::complete(std::uint64_t id, std::string bytes, bool close) {
  bool was_empty;
  {
    std::lock_guard lock(mailbox_mutex_);
    was_empty = mailbox_.empty();
    mailbox_.push_back(Completion{id, std::move(bytes), close});
  }
  if (was_empty) wake();  // otherwise a wake-up is already on its way
}

void IoLoop::begin_drain() {
  drain_requested_.store(true);
  wake();
}

void IoLoop::quit() {
  quit_requested_.store(true);
  wake();
}

void IoLoop::wake() {
  std::uint64_t one = 1;
  if (::write(wake_.get(), &one, sizeof one) < 0) {
    // EAGAIN: the counter is full, so the loop is woken anyway.
  }
}

void IoLoop::on_wake(Clock::time_point now) {
  std::uint64_t value;
  if (::read(wake_.get(), &value, sizeof value) < 0) {
    // EAGAIN: another event already reset the counter.
  }
  if (drain_requested_.load() && !draining_) drain();
  {
    std::lock_guard lock(mailbox_mutex_);
    arrived_.swap(mailbox_);
  }
  for (Completion& completion : arrived_) {
    auto found = connections_.find(completion.id);
    if (found == connections_.end()) continue;  // the client went away meanwhile
    Connection& connection = *found->second;
    connection.respond(std::move(completion.bytes), completion.close || draining_);
    settle(connection, connection.drive(scratch()), now);
  }
  arrived_.clear();
}

void IoLoop::accept_connections(Clock::time_point now) {
  for (int i = 0; i < kMaxAcceptsPerWake && listening_; ++i) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int fd = ::accept4(context_.listener.get(), reinterpret_cast<sockaddr*>(&address), &length,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        log::warn("the HTTP server cannot accept connections (" + error_text() +
                  "); it pauses accepting for 100 ms; raise the limit of open files or lower "
                  "max_connections");
        set_listening(false);
        accept_resumes_ = now + kAcceptPause;
        return;
      }
      log::warn("the HTTP server failed to accept a connection: " + error_text());
      return;
    }
    UniqueFd accepted(fd);
    if (context_.connections.fetch_add(1) >= context_.options.max_connections) {
      context_.connections.fetch_sub(1);
      log::debug("HTTP connection refused: max_connections reached");
      continue;  // closed when `accepted` goes
    }
    add_connection(std::move(accepted), describe_address(address), now);
  }
}

void IoLoop::add_connection(UniqueFd fd, std::string peer, Clock::time_point now) {
  int on = 1;
  ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  SslPtr tls;
  if (context_.options.tls) {
    tls.reset(SSL_new(context_.options.tls.get()));
    if (!tls || SSL_set_fd(tls.get(), fd.get()) != 1) {
      ERR_clear_error();
      log::warn("the HTTP server cannot start TLS on a new connection (out of memory?)");
      context_.connections.fetch_sub(1);
      return;
    }
    SSL_set_accept_state(tls.get());
  }
  std::uint64_t id = next_id_++;
  ConnectionLimits limits{context_.options.max_header_bytes, context_.options.max_body_bytes};
  auto connection = std::make_unique<Connection>(id, Transport(std::move(fd), std::move(tls)),
                                                 std::move(peer), limits, context_.error_pages);
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.u64 = id;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, connection->fd(), &event) != 0) {
    log::warn("the HTTP server cannot watch a new connection: " + error_text());
    context_.connections.fetch_sub(1);
    return;
  }
  timeouts_[kHead]->arm(connection->timer(), now);
  connections_.emplace(id, std::move(connection));
  // The registration reports the socket writable at once, which drives the connection.
}

void IoLoop::settle(Connection& connection, Connection::Next next, Clock::time_point now) {
  if (next == Connection::Next::Dispatch) dispatch(connection);
  if (next == Connection::Next::Close || (draining_ && !connection.is_answering())) {
    close_connection(connection);
    return;
  }
  DeadlineQueue* wanted = queue_for(connection.phase());
  DeadlineLink& timer = connection.timer();
  if (timer.queue == wanted) return;
  if (wanted) {
    wanted->arm(timer, now);
  } else {
    timer.cancel();
  }
}

void IoLoop::dispatch(Connection& connection) {
  context_.workers.post([this, id = connection.id(), pending = connection.take_request()] {
    Answer answer =
        call_handler(context_.handler, context_.error_pages, pending, context_.stopping);
    complete(id, std::move(answer.bytes), answer.close);
  });
}

void IoLoop::close_connection(Connection& connection) {
  context_.connections.fetch_sub(1);
  connections_.erase(connection.id());  // closes the socket, which leaves the epoll set
}

void IoLoop::expire(Clock::time_point now) {
  for (auto& queue : timeouts_) {
    while (DeadlineLink* timer = queue->front()) {
      if (timer->deadline > now) break;
      std::uint64_t id = timer->owner_id;
      timer->cancel();
      auto found = connections_.find(id);
      if (found == connections_.end()) continue;
      Connection& connection = *found->second;
      log::debug("HTTP connection from " + connection.peer() + " timed out");
      settle(connection, connection.expire(scratch()), now);
    }
  }
  if (!listening_ && !draining_ && accept_resumes_ != Clock::time_point{} &&
      now >= accept_resumes_) {
    accept_resumes_ = {};
    set_listening(true);
  }
}

int IoLoop::wait_timeout_ms(Clock::time_point now) const {
  Clock::time_point earliest = Clock::time_point::max();
  for (const auto& queue : timeouts_)
    if (const DeadlineLink* timer = queue->front()) earliest = std::min(earliest, timer->deadline);
  if (!listening_ && !draining_ && accept_resumes_ != Clock::time_point{})
    earliest = std::min(earliest, accept_resumes_);
  if (earliest == Clock::time_point::max()) return -1;
  if (earliest <= now) return 0;
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(earliest - now).count();
  return static_cast<int>(std::min<decltype(wait)>(wait, 60 * 1000));
}

void IoLoop::set_listening(bool on) {
  if (on == listening_) return;
  if (on) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLEXCLUSIVE;
    event.data.u64 = kListenerId;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, context_.listener.get(), &event) != 0) {
      log::error("the HTTP server cannot watch its listening socket: " + error_text());
      return;
    }
  } else {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, context_.listener.get(), nullptr);
  }
  listening_ = on;
}

void IoLoop::drain() {
  draining_ = true;
  set_listening(false);
  {
    std::lock_guard lock(context_.stop_mutex);
    released_listener_.store(true);
  }
  context_.stop_progress.notify_all();
  for (auto it = connections_.begin(); it != connections_.end();) {
    if (it->second->is_answering()) {
      ++it;
    } else {
      context_.connections.fetch_sub(1);
      it = connections_.erase(it);
    }
  }
}

void IoLoop::report_quiet() {
  if (quiet_.load()) return;
  for (const auto& [id, connection] : connections_)
    if (connection->is_answering()) return;
  {
    std::lock_guard lock(context_.stop_mutex);
    quiet_.store(true);
  }
  context_.stop_progress.notify_all();
}

DeadlineQueue* IoLoop::queue_for(Phase phase) {
  switch (phase) {
    case Phase::Handshake:
    case Phase::ReadingHead: return timeouts_[kHead].get();
    case Phase::ReadingBody: return timeouts_[kBody].get();
    case Phase::Idle: return timeouts_[kIdle].get();
    case Phase::Writing: return timeouts_[kWrite].get();
    case Phase::Lingering: return timeouts_[kLinger].get();
    case Phase::Handling: return nullptr;
  }
  return nullptr;
}

}  // namespace ssoc::http
