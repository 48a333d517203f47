// A consistent copy of the SQLite store (ssoconnect.db) while the service may be using it: SQLite's
// online backup API reads one snapshot of the committed data, whatever sits in the -wal file and
// whatever a writer holds uncommitted, into a new database file.
#pragma once

#include <filesystem>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::backup {

namespace fs = std::filesystem;

// A private folder (mode 0700, made by mkdtemp) removed with its contents when the object dies.
class ScratchFolder {
 public:
  // Creates "<parent>/.ssoc-backup-XXXXXX".
  static Result<ScratchFolder> create(const fs::path& parent);

  ScratchFolder(ScratchFolder&& other) noexcept;
  ScratchFolder& operator=(ScratchFolder&&) = delete;
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;
  ~ScratchFolder();

  const fs::path& path() const { return path_; }

 private:
  explicit ScratchFolder(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

// Copies the database `source` into "<scratch>/<its name>" with sqlite3_backup_init/step/finish,
// retrying while another connection holds a lock it must wait for (up to about ten seconds),
// and returns the copy's bytes (at most `max_size`). The copy keeps the source's journal mode
// (WAL) in its header and has no -wal file of its own.
Result<SecretBytes> copy_database(const fs::path& source, const fs::path& scratch,
                                  std::size_t max_size);

}  // namespace ssoc::backup
