// The database file before SQLite touches it. SQLite would create a missing file with mode 0644
// and would only notice a foreign file once it reads it; this checks first.
#pragma once

#include <filesystem>

#include "common/result.hpp"

namespace ssoc::store {

namespace fs = std::filesystem;

// Creates `file` (mode 0600, folder fsynced) when it is absent and returns true then. An existing
// file must be a regular file (no symlink) that is empty or starts with SQLite's header; anything
// else is refused and left as it is. A file, -wal, -shm or -journal readable by others is
// tightened to 0600 (with a warning in the log).
Result<bool> prepare_database_file(const fs::path& file);

}  // namespace ssoc::store
