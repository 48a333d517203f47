// `ssoconnect backup` and `ssoconnect restore` (DESIGN.md "Commands"; seed guide "Server
// Failure"): a consistent archive of the data folder, and a safe restore.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace ssoc::backup {

namespace fs = std::filesystem;

struct BackupSummary {
  std::vector<std::string> files;  // names archived
  std::vector<std::string>
      warnings;  // e.g. "SKS is on: this backup is only usable with the HSM key '<label>'"
};

// Writes a consistent archive of `folder` to `out` (atomically, mode 0600; `out` must not be
// inside the folder): every settings file, the keystore and metadata, and ssoconnect.db copied
// with SQLite's online backup API, plus a manifest with each file's size and SHA-256. Takes the
// change lock so no change runs meanwhile. With SKS on it checks that the HSM key is present
// (KeyMissing otherwise) and warns that the backup needs that key.
Result<BackupSummary> create(const fs::path& folder, const fs::path& out);

// Restores `archive` into `folder`: refused (FolderBusy) while a service holds the folder's
// service lock; verifies the whole archive (format, manifest, every hash and size) before
// touching anything (IntegrityFailure naming what is wrong); unpacks into a new sibling folder,
// fsyncs it, swaps it in atomically (renameat2 RENAME_EXCHANGE, or rename when `folder` does
// not exist), keeps the old folder as "<folder>.before-restore-<time>", then opens the restored
// folder once (settings::open_folder) to prove it works, swapping back if it does not.
// Returns lines for the operator: what was restored, where the previous folder is kept, then
// the restored folder's warnings. The archive format is in archive_format.hpp.
Result<std::vector<std::string>> restore(const fs::path& folder, const fs::path& archive);

}  // namespace ssoc::backup
