// Durable file operations inside one folder. Every write goes to a temporary file in the same
// folder, is fsynced, renamed over the target, and the folder is fsynced (DESIGN.md "The data
// folder"). On any failure the target is untouched and the temporary file is removed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string_view>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::datadir {

namespace fs = std::filesystem;

// Largest file read_file accepts by default (settings, .encp files): 16 MiB.
inline constexpr std::size_t kMaxFileSize = 16u << 20;

// Turns an errno into an Error: ENOSPC/EDQUOT -> DiskFull, EACCES/EPERM/EROFS ->
// PermissionDenied, anything else -> Io. The message names the operation, the path and
// strerror, and says what to do.
Error errno_error(int err, std::string_view operation, const fs::path& path);

// Reads a whole regular file (no symlink followed for the last component: O_NOFOLLOW).
// A file over max_size is refused with InvalidInput before it is read.
Result<SecretBytes> read_file(const fs::path& path, std::size_t max_size = kMaxFileSize);

// Writes `data` to `path` atomically and durably with the given mode. The temporary file is
// named ".<name>.tmp-<random>" in the same folder. Calls step("write:<name>:synced") after the
// temporary file is fsynced and step("write:<name>:renamed") after the rename.
Result<void> write_file_atomic(const fs::path& path, ByteView data, mode_t mode = 0600);

// rename(2) then fsync of the folder; step("rename:<to name>").
Result<void> rename_durable(const fs::path& from, const fs::path& to);

// unlink(2) (an absent file is not an error) then fsync of the folder; step("remove:<name>").
Result<void> remove_durable(const fs::path& path);

Result<void> fsync_folder(const fs::path& folder);

// Removes ".*.tmp-*" files left in `folder` by a write that was interrupted by a crash.
// Returns how many were removed.
Result<int> remove_stale_temp_files(const fs::path& folder);

}  // namespace ssoc::datadir
