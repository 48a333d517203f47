#include "http/server.hpp"

#include <system_error>
#include <thread>
#include <vector>

#include "common/log.hpp"
#include "http/io_loop.hpp"
#include "http/server_context.hpp"

namespace ssoc::http {

struct Server::State {
  State(ServerOptions options, Handler handler, UniqueFd listener)
      : context(std::move(options), std::move(handler), std::move(listener)) {}

  ServerContext context;
  std::vector<std::unique_ptr<IoLoop>> loops;
  std::vector<std::thread> threads;  // threads[i] runs loops[i]
  std::mutex stop_call;
  bool stopped = false;
};

namespace {

Result<void> check_options(const ServerOptions& options, const Handler& handler) {
  if (!handler) return fail(Cause::InvalidSetting, "the HTTP server was given no handler");
  if (options.max_header_bytes == 0 || options.max_connections == 0)
    return fail(Cause::InvalidSetting,
                "the HTTP server's max_header_bytes and max_connections must be above 0");
  using std::chrono::milliseconds;
  for (milliseconds timeout :
       {options.header_timeout, options.body_timeout, options.idle_timeout, options.write_timeout})
    if (timeout <= milliseconds(0))
      return fail(Cause::InvalidSetting, "the HTTP server's timeouts must be above 0 ms");
  return success();
}

}  // namespace

Server::Server(std::unique_ptr<State> state, std::uint16_t port)
    : state_(std::move(state)), port_(port) {}

Server::~Server() {
  stop();
}

Result<std::unique_ptr<Server>> Server::start(ServerOptions options, Handler handler) {
  TRY(check_options(options, handler));
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (options.io_threads == 0) options.io_threads = cores;
  if (options.worker_threads == 0) options.worker_threads = 2 * cores;
  UniqueFd listener = TRY(listen_tcp(options.bind_address, options.port));
  std::uint16_t port = local_port(listener.get());
  unsigned io_threads = options.io_threads;
  unsigned worker_threads = options.worker_threads;

  auto state = std::make_unique<State>(std::move(options), std::move(handler), std::move(listener));
  for (unsigned i = 0; i < io_threads; ++i)
    state->loops.push_back(TRY(IoLoop::create(state->context)));
  std::unique_ptr<Server> server(new Server(std::move(state), port));
  // From here on, a failure stops what was started (the destructor does).
  State& started = *server->state_;
  TRY(started.context.workers.start(worker_threads));
  for (auto& loop : started.loops) {
    try {
      started.threads.emplace_back(&IoLoop::run, loop.get());
    } catch (const std::system_error& error) {
      return fail(Cause::Internal, std::string("cannot start an HTTP I/O thread: ") + error.what() +
                                       "; lower io_threads");
    }
  }
  log::debug("HTTP server listening on port " + std::to_string(port) + " with " +
             std::to_string(io_threads) + " I/O and " + std::to_string(worker_threads) +
             " worker threads");
  return server;
}

void Server::stop(std::chrono::milliseconds grace) {
  if (!state_) return;
  State& state = *state_;
  std::lock_guard call(state.stop_call);
  if (state.stopped) return;
  state.stopped = true;
  ServerContext& context = state.context;
  auto deadline = std::chrono::steady_clock::now() + grace;

  // Only loops whose thread runs can answer (start() may have failed half-way).
  std::size_t running = state.threads.size();
  auto every_loop = [&](bool (IoLoop::*reached)() const) {
    for (std::size_t i = 0; i < running; ++i)
      if (!(state.loops[i].get()->*reached)()) return false;
    return true;
  };
  context.stopping.store(true);
  for (std::size_t i = 0; i < running; ++i) state.loops[i]->begin_drain();
  {
    std::unique_lock lock(context.stop_mutex);
    context.stop_progress.wait(lock, [&] { return every_loop(&IoLoop::released_listener); });
  }
  context.listener.reset();  // no loop watches it any more
  bool answered;
  {
    std::unique_lock lock(context.stop_mutex);
    answered = context.stop_progress.wait_until(lock, deadline,
                                                [&] { return every_loop(&IoLoop::quiet); });
  }
  if (!answered)
    log::warn("stopping the HTTP server: requests were still being answered after the grace of " +
              std::to_string(grace.count()) +
              " ms; their connections are closed and the stop waits for their handlers to return");
  context.workers.close();
  for (std::size_t i = 0; i < running; ++i) state.loops[i]->quit();
  for (std::thread& thread : state.threads) thread.join();
  context.workers.join();
  log::debug("HTTP server on port " + std::to_string(port_) + " stopped");
}

}  // namespace ssoc::http
