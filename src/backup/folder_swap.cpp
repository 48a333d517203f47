#include "backup/folder_swap.hpp"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_EXCHANGE, RENAME_NOREPLACE (glibc 2.28+)
#include <time.h>

#include "datadir/file_io.hpp"

namespace ssoc::backup {
namespace {

int rename2(const fs::path& from, const fs::path& to, unsigned int flags) {
  return ::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), flags);
}

fs::path parent_of(const fs::path& path) {
  return path.parent_path().empty() ? fs::path(".") : path.parent_path();
}

// Makes a rename durable. Once a rename has happened it must not be reported as failed (the
// caller would act on the wrong state), so this is best effort: a folder fsync fails only on a
// failing disk, which the next write meets anyway.
void sync_parent(const fs::path& path) {
  [[maybe_unused]] Result<void> synced = datadir::fsync_folder(parent_of(path));
}

// rename without replacing `to`; false (errno EEXIST or ENOTEMPTY) when `to` exists.
bool rename_no_replace(const fs::path& from, const fs::path& to) {
  if (rename2(from, to, RENAME_NOREPLACE) == 0) return true;
  if (errno != EINVAL && errno != ENOSYS) return false;
  // No RENAME_NOREPLACE on this file system: look first (rename(2) would replace an empty
  // folder, and only restore creates these names).
  std::error_code ec;
  if (fs::exists(fs::symlink_status(to, ec))) {
    errno = EEXIST;
    return false;
  }
  return ::rename(from.c_str(), to.c_str()) == 0;
}

}  // namespace

std::string utc_stamp() {
  const time_t now = ::time(nullptr);
  struct tm utc {};
  ::gmtime_r(&now, &utc);
  char text[32];
  ::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

Result<fs::path> move_aside(const fs::path& from, const std::string& base) {
  const std::string stamped = base + "-" + utc_stamp();
  for (int attempt = 1; attempt <= 100; ++attempt) {
    fs::path to =
        attempt == 1 ? fs::path(stamped) : fs::path(stamped + "-" + std::to_string(attempt));
    if (rename_no_replace(from, to)) {
      sync_parent(to);
      return to;
    }
    if (errno != EEXIST && errno != ENOTEMPTY)
      return datadir::errno_error(errno, "rename " + from.string() + " to", to);
  }
  return fail(Cause::Io, "cannot find a free name like " + stamped + " to keep " + from.string() +
                             "; remove old copies kept by earlier restores and try again");
}

Result<void> move_into_place(const fs::path& from, const fs::path& to) {
  if (!rename_no_replace(from, to)) {
    if (errno == EEXIST || errno == ENOTEMPTY)
      return fail(Cause::FolderBusy, to.string() +
                                         " appeared while the restore ran; remove it "
                                         "or restore again");
    return datadir::errno_error(errno, "rename " + from.string() + " to", to);
  }
  sync_parent(to);
  return success();
}

Result<fs::path> replace_folder(const fs::path& replacement, const fs::path& folder,
                                std::string_view aside_suffix) {
  const std::string aside_base = folder.string() + std::string(aside_suffix);
  if (rename2(replacement, folder, RENAME_EXCHANGE) == 0) {
    sync_parent(folder);
    // The old folder now sits at `replacement`'s path; give it its dated name. Should that
    // fail, it simply stays there, complete: say where it is.
    Result<fs::path> aside = move_aside(replacement, aside_base);
    return aside ? std::move(aside).value() : replacement;
  }
  if (errno != EINVAL && errno != ENOSYS)
    return datadir::errno_error(errno, "exchange " + replacement.string() + " with", folder);

  fs::path aside = TRY(move_aside(folder, aside_base));
  if (Result<void> placed = move_into_place(replacement, folder); !placed) {
    Error error = std::move(placed).error();
    if (!move_into_place(aside, folder))
      error.message += " The folder that was there is now " + aside.string() + ".";
    return error;
  }
  return aside;
}

}  // namespace ssoc::backup
