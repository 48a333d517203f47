// Moving whole data folders for a restore: the restored folder takes the place of the old one in
// one atomic step (renameat2 RENAME_EXCHANGE), and the old one is kept beside it under a dated
// name. Every step is followed by an fsync of the parent folder.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace ssoc::backup {

namespace fs = std::filesystem;

// "20250102T030405Z": the current UTC time, for the names of folders kept aside.
std::string utc_stamp();

// Renames `from` to "<base>-<utc_stamp()>" (then "-2", "-3"... if taken), never replacing
// anything; returns the new path.
Result<fs::path> move_aside(const fs::path& from, const std::string& base);

// Renames `from` to `to`, which must not exist.
Result<void> move_into_place(const fs::path& from, const fs::path& to);

// Puts `replacement` at `folder` and keeps the folder that was there as
// "<folder><aside_suffix>-<time>", returned. With RENAME_EXCHANGE `folder` holds the old or the
// new folder at every instant; on a file system without it (EINVAL) the old folder is first
// moved aside, then the new one renamed into place (put back if that fails).
Result<fs::path> replace_folder(const fs::path& replacement, const fs::path& folder,
                                std::string_view aside_suffix);

}  // namespace ssoc::backup
