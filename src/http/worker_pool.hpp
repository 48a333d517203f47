// A fixed set of threads running handler calls, fed by one queue. The I/O threads post a task
// per complete request; nothing is created per request but the task itself.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/result.hpp"

namespace ssoc::http {

class WorkerPool {
 public:
  WorkerPool() = default;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool() { join(); }

  // Starts `count` threads. Internal if the system refuses a thread (those started keep running).
  Result<void> start(unsigned count);
  // Queues a task; dropped once close() was called.
  void post(std::function<void()> task);
  // Drops the tasks not begun and refuses new ones; running tasks go on.
  void close();
  // close(), then waits for the running tasks to return and joins the threads.
  void join();

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool closed_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace ssoc::http
