#include "backup/database_copy.hpp"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "datadir/file_io.hpp"

namespace ssoc::backup {
namespace {

struct DatabaseCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, DatabaseCloser>;

constexpr auto kLockWait = std::chrono::seconds(10);

Error database_error(const fs::path& path, std::string_view what, sqlite3* db, int rc) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (rc == SQLITE_FULL) return datadir::errno_error(ENOSPC, what, path);
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED) {
    return fail(Cause::FolderBusy, "cannot " + std::string(what) + " " + path.string() + ": " +
                                       detail + ". The database stayed locked; try again.");
  }
  return fail(Cause::Io, "cannot " + std::string(what) + " " + path.string() + ": " + detail +
                             ". Check the database file and the disk, then try again.");
}

Result<Database> open(const fs::path& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOFOLLOW, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return database_error(path, "open the database", db.get(), rc);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), 1000);
  return db;
}

// Runs the whole backup in one step, so it reads a single snapshot of the source.
Result<void> run_backup(sqlite3* destination, sqlite3* source, const fs::path& source_path) {
  sqlite3_backup* backup = sqlite3_backup_init(destination, "main", source, "main");
  if (backup == nullptr)
    return database_error(source_path, "start copying", destination, sqlite3_errcode(destination));
  const auto deadline = std::chrono::steady_clock::now() + kLockWait;
  int rc;
  for (;;) {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK) continue;
    const int primary = rc & 0xff;
    if ((primary == SQLITE_BUSY || primary == SQLITE_LOCKED) &&
        std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    break;
  }
  int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return database_error(source_path, "copy", nullptr, rc);
  if (finished != SQLITE_OK) return database_error(source_path, "copy", destination, finished);
  return success();
}

}  // namespace

Result<ScratchFolder> ScratchFolder::create(const fs::path& parent) {
  std::string pattern = (parent / ".ssoc-backup-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    return datadir::errno_error(errno, "create a private temporary folder in", parent);
  return ScratchFolder(fs::path(pattern));
}

ScratchFolder::ScratchFolder(ScratchFolder&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

ScratchFolder::~ScratchFolder() {
  if (path_.empty()) return;
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

Result<SecretBytes> copy_database(const fs::path& source, const fs::path& scratch,
                                  std::size_t max_size) {
  const fs::path copy = scratch / source.filename();
  {
    // Read-write (not read-only): a read-only connection could neither recover a hot journal
    // nor remove the -wal/-shm files it creates, leaving them behind in the data folder.
    Database from = TRY(open(source, SQLITE_OPEN_READWRITE));
    Database to = TRY(open(copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
    TRY(run_backup(to.get(), from.get(), source));
    int rc = sqlite3_close_v2(to.release());
    if (rc != SQLITE_OK) return database_error(copy, "close", nullptr, rc);
  }
  return datadir::read_file(copy, max_size);
}

}  // namespace ssoc::backup
