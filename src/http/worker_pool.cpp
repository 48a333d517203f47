#include "http/worker_pool.hpp"

#include <system_error>

namespace ssoc::http {

Result<void> WorkerPool::start(unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    try {
      threads_.emplace_back([this] { work(); });
    } catch (const std::system_error& error) {
      return fail(Cause::Internal, std::string("cannot start an HTTP worker thread: ") +
                                       error.what() + "; lower worker_threads");
    }
  }
  return success();
}

void WorkerPool::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void WorkerPool::close() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    dropped.swap(tasks_);
  }
  ready_.notify_all();
}

void WorkerPool::join() {
  close();
  for (std::thread& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
}

void WorkerPool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return closed_ || !tasks_.empty(); });
      if (closed_) return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace ssoc::http
