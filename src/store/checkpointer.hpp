// Copies the write-ahead log back into the database file on a thread of its own. Left to
// itself, SQLite does that inside the commit that fills the WAL to 1000 pages, with two fsyncs,
// while every other call of the store waits for the lock; under a steady stream of logins that
// stall is most of the tail latency. Here commits only signal; a second connection checkpoints
// (PASSIVE: it never blocks the writer). Because a steady stream of commits never leaves the WAL
// fully copied, the writer itself finishes the copy once the WAL passes kForegroundPages: the
// remainder is small by then, and the next commit starts the WAL from its beginning again.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "common/result.hpp"
#include "store/connection.hpp"

namespace ssoc::store {

class Checkpointer {
 public:
  static constexpr int kBackgroundPages = 1000;  // uncopied pages that start a background round
  static constexpr int kForegroundPages = 8192;  // WAL pages (32 MiB) at which the writer copies

  // Opens its own connection to the file of `writer` and installs itself as the WAL hook of
  // `writer` (which replaces SQLite's automatic checkpoints), then starts the thread.
  static Result<std::unique_ptr<Checkpointer>> start(Connection& writer);

  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;
  // Removes the hook (SQLite's automatic checkpoints return) and stops the thread. The writer
  // must not be in use meanwhile.
  ~Checkpointer();

 private:
  Checkpointer(Connection& writer, std::unique_ptr<Connection> own);
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();
  void checkpoint(sqlite3* db, std::string_view who);

  Connection& writer_;
  std::unique_ptr<Connection> connection_;
  std::atomic<int> copied_{0};  // WAL frames known to be in the database file
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::atomic<bool> warned_{false};  // one log line per run of failures
  std::thread thread_;
};

}  // namespace ssoc::store
