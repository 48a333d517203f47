// ssoconnect restore: verify the whole archive, unpack it beside the data folder, swap it in,
// prove it opens, swap back if it does not.
#include <sys/stat.h>
#include <time.h>

#include <optional>

#include "backup/archive_format.hpp"
#include "backup/backup.hpp"
#include "backup/folder_swap.hpp"
#include "common/encoding.hpp"
#include "common/openssl.hpp"
#include "datadir/file_io.hpp"
#include "datadir/folder_check.hpp"
#include "datadir/folder_lock.hpp"
#include "settings/folder_settings.hpp"

namespace ssoc::backup {
namespace {

using datadir::FolderLock;

// The restored folder while it is being built: removed unless it was put in place.
class StagingFolder {
 public:
  explicit StagingFolder(fs::path path) : path_(std::move(path)) {}
  StagingFolder(StagingFolder&& other) noexcept : path_(std::move(other.path_)) {
    other.path_.clear();
  }
  StagingFolder& operator=(StagingFolder&&) = delete;
  ~StagingFolder() {
    if (path_.empty()) return;
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  void keep() { path_.clear(); }

 private:
  fs::path path_;
};

// The folder to restore into, absolute, without a trailing '/'; a symbolic link (a data folder
// kept on another disk) is followed, so the link stays and its target is replaced.
Result<fs::path> target_of(const fs::path& folder) {
  std::error_code ec;
  fs::path target = fs::absolute(folder, ec).lexically_normal();
  if (ec) return datadir::errno_error(ec.value(), "resolve the path of", folder);
  if (!target.has_filename()) target = target.parent_path();
  if (fs::is_symlink(fs::symlink_status(target, ec))) {
    target = fs::canonical(target, ec);
    if (ec) return datadir::errno_error(ec.value(), "follow the link", folder);
  }
  return target;
}

// True when the folder exists; InvalidInput when something that is not a folder is there.
Result<bool> folder_exists(const fs::path& folder) {
  struct stat st {};
  if (::lstat(folder.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    return datadir::errno_error(errno, "inspect", folder);
  }
  if (!S_ISDIR(st.st_mode))
    return fail(Cause::InvalidInput, folder.string() +
                                         " exists but is not a folder; move it "
                                         "away or choose another data folder");
  return true;
}

// Writes every entry into a new sibling folder "<folder>.restore-<random>" (0700), each file
// with its recorded mode and fsynced, then the folder fsynced.
Result<StagingFolder> unpack(const Archive& archive, const fs::path& folder) {
  SecretBytes random = TRY(ossl::random_bytes(8));
  StagingFolder staging(fs::path(folder.string() + ".restore-" + hex_encode(random)));
  if (::mkdir(staging.path().c_str(), 0700) != 0) {
    Error error = datadir::errno_error(errno, "create the folder", staging.path());
    staging.keep();  // not ours: do not remove it
    return error;
  }
  if (::chmod(staging.path().c_str(), 0700) != 0)
    return datadir::errno_error(errno, "set the mode of", staging.path());
  for (const ArchiveEntry& entry : archive.entries)
    TRY(datadir::write_file_atomic(staging.path() / entry.name, entry.contents, entry.mode));
  TRY(datadir::fsync_folder(staging.path()));
  return staging;
}

std::string describe(const Archive& archive) {
  std::string text = "backup";
  if (!archive.instance_id.empty()) text += " of instance " + archive.instance_id;
  const time_t created = static_cast<time_t>(archive.created);
  struct tm utc {};
  char when[32] = "?";
  if (::gmtime_r(&created, &utc) != nullptr)
    ::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S UTC", &utc);
  return text + " made " + when;
}

// Puts the folder back as it was after the restored one failed to open; the restored one is
// kept aside. Returns `error` with where things are now.
Error undo(const fs::path& folder, const std::optional<fs::path>& old_aside, Error error) {
  Result<fs::path> failed = old_aside ? replace_folder(*old_aside, folder, ".failed-restore")
                                      : move_aside(folder, folder.string() + ".failed-restore");
  if (failed) {
    error.message += " The restore was undone: " + folder.string() +
                     (old_aside ? " is as it was before" : " does not exist, as before") +
                     "; the restored files are kept in " + failed->string() + ".";
  } else {
    error.message += " Undoing the restore failed too (" + failed.error().describe() +
                     "): " + folder.string() + " holds the restored files" +
                     (old_aside ? ", the previous folder is " + old_aside->string() : "") + ".";
  }
  return error;
}

}  // namespace

Result<std::vector<std::string>> restore(const fs::path& folder_path,
                                         const fs::path& archive_path) {
  // Nothing is created or locked before the whole archive is verified.
  SecretBytes bytes = TRY(datadir::read_file(archive_path, kMaxArchiveSize));
  Archive archive = TRY(decode(bytes, archive_path.string()));
  const fs::path folder = TRY(target_of(folder_path));
  const bool existed = TRY(folder_exists(folder));

  std::optional<FolderLock> old_change, old_service;
  if (existed) {
    if (TRY(FolderLock::is_held(folder, FolderLock::Kind::Service)))
      return fail(Cause::FolderBusy, "the SSO Connect service is running on " + folder.string() +
                                         "; stop the service first, then restore");
    old_change.emplace(TRY(FolderLock::acquire(folder, FolderLock::Kind::Change)));
    // Held until the end, so no service starts on the old folder while it is swapped out.
    old_service.emplace(TRY(FolderLock::acquire(folder, FolderLock::Kind::Service)));
  } else {
    TRY(datadir::create_folder(folder.parent_path()));
  }

  StagingFolder staging = TRY(unpack(archive, folder));
  // The new folder is locked before it is swapped in: no service starts on it and no command
  // changes it until it has been proved to open.
  FolderLock new_change = TRY(FolderLock::acquire(staging.path(), FolderLock::Kind::Change));
  FolderLock new_service = TRY(FolderLock::acquire(staging.path(), FolderLock::Kind::Service));
  TRY(datadir::fsync_folder(staging.path()));

  std::optional<fs::path> old_aside;
  if (existed) {
    old_aside = TRY(replace_folder(staging.path(), folder, ".before-restore"));
  } else {
    TRY(move_into_place(staging.path(), folder));
  }
  staging.keep();

  Result<settings::FolderSettings> opened = settings::open_folder_locked(folder, nullptr);
  if (!opened) return undo(folder, old_aside, std::move(opened).error());

  std::vector<std::string> lines;
  lines.push_back("restored " + std::to_string(archive.entries.size()) + " files into " +
                  folder.string() + " from the " + describe(archive));
  if (old_aside)
    lines.push_back("the previous data folder is kept as " + old_aside->string() +
                    "; delete it once SSO Connect runs well");
  lines.insert(lines.end(), opened->warnings.begin(), opened->warnings.end());
  return lines;
}

}  // namespace ssoc::backup
