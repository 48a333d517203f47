#include "store/checkpointer.hpp"

#include "common/log.hpp"

namespace ssoc::store {

Result<std::unique_ptr<Checkpointer>> Checkpointer::start(Connection& writer) {
  std::unique_ptr<Connection> own = TRY(Connection::open(writer.file()));
  // A connection learns that the database is in WAL mode when it first reads it; until then
  // its checkpoints do nothing.
  TRY(own->single_integer("SELECT count(*) FROM sqlite_schema", "read the schema"));
  std::unique_ptr<Checkpointer> checkpointer(new Checkpointer(writer, std::move(own)));
  sqlite3_wal_hook(writer.get(), &Checkpointer::on_commit, checkpointer.get());
  checkpointer->thread_ = std::thread([c = checkpointer.get()] { c->run(); });
  return checkpointer;
}

Checkpointer::Checkpointer(Connection& writer, std::unique_ptr<Connection> own)
    : writer_(writer), connection_(std::move(own)) {}

Checkpointer::~Checkpointer() {
  sqlite3_wal_autocheckpoint(writer_.get(), 1000);  // also removes this hook
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

// Runs inside each commit of the writer, under the store's lock.
int Checkpointer::on_commit(void* self, sqlite3* db, const char*, int wal_pages) {
  auto* c = static_cast<Checkpointer*>(self);
  int copied = c->copied_.load(std::memory_order_relaxed);
  if (wal_pages < copied) {  // the WAL started again from its beginning
    copied = 0;
    c->copied_.store(0, std::memory_order_relaxed);
  }
  if (wal_pages >= kForegroundPages) {
    c->checkpoint(db, "the writer");
  } else if (wal_pages - copied >= kBackgroundPages) {
    {
      std::lock_guard lock(c->mutex_);
      c->requested_ = true;
    }
    c->wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    checkpoint(connection_->get(), "the background checkpoint");
    lock.lock();
  }
}

void Checkpointer::checkpoint(sqlite3* db, std::string_view who) {
  int wal_pages = 0, copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages, &copied);
  // BUSY: the other one is checkpointing right now, which is as good.
  if (rc == SQLITE_OK) {
    if (copied >= 0) copied_.store(copied, std::memory_order_relaxed);
    warned_ = false;
  } else if ((rc & 0xff) != SQLITE_BUSY && !warned_) {
    warned_ = true;
    log::warn(
        std::string(who) + ": " +
        sqlite_error(connection_->file(), "copy the WAL into the database", db, rc).describe());
  }
}

}  // namespace ssoc::store
