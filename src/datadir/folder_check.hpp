// Checks on the data folder itself: exists, owned by this user, not writable by others.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace ssoc::datadir {

namespace fs = std::filesystem;

// DataFolderMissing if `folder` does not exist; PermissionDenied if it is not a directory, is not
// owned by the effective user, is writable by group or others, or cannot be read, written and
// searched by this process; the same checks (PermissionDenied) for every regular file directly in
// it. Returns warnings (one line each) for a folder or file readable by group or others.
// Each message names the path and the fix (e.g. "chmod 700 <folder>").
Result<std::vector<std::string>> check_folder(const fs::path& folder);

// Creates `folder` (and missing parents) with mode 0700 if it does not exist.
Result<void> create_folder(const fs::path& folder);

}  // namespace ssoc::datadir
