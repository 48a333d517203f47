// A deadline for the HSM calls that can hang. A network PKCS#11 module whose HSM accepts the
// connection but never answers blocks in C_Initialize, C_GetSlotList, C_OpenSession or C_Login for
// as long as its own client timeouts allow (a Luna client: ReceiveTimeout in Chrystoki.conf, 20 s
// by default, per call and per HA member), and a module without timeouts blocks forever. PKCS#11
// cannot cancel a call, so the work runs on a thread of its own and the caller waits at most
// `limit`: past it the caller gets HsmUnreachable and the thread is left to finish alone.
//
// While such an abandoned attempt is still inside the module, every new one is refused at once
// (HsmUnreachable): a second C_Initialize would share the module's state with the stuck call, and
// the stuck call's C_Finalize would pull it from under the new one. The abandoned thread closes
// its session and finalises the module (its result is destroyed) before it lets new attempts in.
// A process that ends while one is in flight must end with _exit (cli does): static destructors
// would otherwise run under that thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "common/result.hpp"

namespace ssoc::sks {

// True while an attempt abandoned at its deadline has not returned from the module yet.
bool hsm_attempt_abandoned();

namespace detail {
void count_abandoned(int delta) noexcept;
Error deadline_passed(std::chrono::milliseconds limit, const std::string& what);
Error earlier_attempt_stuck(const std::string& what);
Error work_threw(const std::string& what, const char* why);
}  // namespace detail

// Runs `work()` (returning Result<T>) on its own thread and returns its result, or HsmUnreachable
// if it has not returned within `limit`. `work` must own everything it uses (it may outlive the
// call). `what` names the work in messages ("the connection to the HSM").
template <class T, class Work>
Result<T> run_with_deadline(std::chrono::milliseconds limit, const std::string& what, Work work) {
  if (hsm_attempt_abandoned()) return detail::earlier_attempt_stuck(what);
  struct State {
    std::mutex mutex;
    std::condition_variable done;
    std::optional<Result<T>> result;
    bool abandoned = false;
  };
  auto state = std::make_shared<State>();
  auto body = [state, what, work = std::move(work)]() mutable noexcept {
    std::optional<Result<T>> result;
    try {
      result.emplace(work());
    } catch (const std::exception& e) {
      result.emplace(detail::work_threw(what, e.what()));
    } catch (...) {
      result.emplace(detail::work_threw(what, "an unknown exception"));
    }
    std::unique_lock lock(state->mutex);
    if (!state->abandoned) {
      state->result = std::move(result);
      state->done.notify_one();
      return;
    }
    lock.unlock();
    result.reset();  // session closed, module finalised: before a new attempt may begin
    detail::count_abandoned(-1);
  };
  std::thread worker;
  try {
    worker = std::thread(std::move(body));
  } catch (const std::exception& e) {
    return fail(Cause::Internal, "cannot start a thread for " + what + ": " + e.what());
  }
  std::unique_lock lock(state->mutex);
  if (state->done.wait_for(lock, limit, [&] { return state->result.has_value(); })) {
    lock.unlock();
    worker.join();
    return std::move(*state->result);
  }
  // Counted before the worker can see the flag, so its decrement never comes first.
  state->abandoned = true;
  detail::count_abandoned(+1);
  lock.unlock();
  worker.detach();
  return detail::deadline_passed(limit, what);
}

}  // namespace ssoc::sks
