#include "datadir/folder_check.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "datadir/file_io.hpp"

namespace ssoc::datadir {
namespace {

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// The checks shared by the folder and the files in it. `what` is "folder" or "file";
// `fix_mode` the mode to suggest ("700" or "600").
Result<void> check_entry(const fs::path& path, const struct stat& st, std::string_view what,
                         std::string_view fix_mode, int access_mode,
                         std::vector<std::string>& warnings) {
  const std::string name = path.string();
  const uid_t me = ::geteuid();
  if (st.st_uid != me) {
    return fail(Cause::PermissionDenied,
                "the " + std::string(what) + " " + name + " is owned by uid " +
                    std::to_string(st.st_uid) + ", not by the user running SSO Connect (uid " +
                    std::to_string(me) + "). Run SSO Connect as its owner, or fix it with `chown " +
                    std::to_string(me) + " " + name + "`.");
  }
  if ((st.st_mode & 022) != 0) {
    return fail(Cause::PermissionDenied, "the " + std::string(what) + " " + name +
                                             " can be written by other users (mode " +
                                             octal(st.st_mode) + "). Fix it with `chmod " +
                                             std::string(fix_mode) + " " + name + "`.");
  }
  if (::faccessat(AT_FDCWD, path.c_str(), access_mode, AT_EACCESS) != 0) {
    const int err = errno;
    return fail(Cause::PermissionDenied,
                "SSO Connect cannot " +
                    std::string(what == "folder" ? "read, write and enter" : "read and write") +
                    " the " + std::string(what) + " " + name + " (mode " + octal(st.st_mode) +
                    "): " + std::strerror(err) + ". Fix it with `chmod " + std::string(fix_mode) +
                    " " + name + "`.");
  }
  if ((st.st_mode & 044) != 0) {
    warnings.push_back("the " + std::string(what) + " " + name +
                       " can be read by other users (mode " + octal(st.st_mode) +
                       "); fix it with `chmod " + std::string(fix_mode) + " " + name + "`");
  }
  return success();
}

}  // namespace

Result<std::vector<std::string>> check_folder(const fs::path& folder) {
  std::vector<std::string> warnings;
  struct stat st {};
  // stat, not lstat: an administrator may point the data folder's path at another disk.
  if (::stat(folder.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return fail(Cause::DataFolderMissing,
                  "the data folder " + folder.string() +
                      " does not exist. Check --data-dir or SSOCONNECT_DATA, or run "
                      "`ssoconnect config` to create it.");
    }
    return errno_error(errno, "inspect the data folder", folder);
  }
  if (!S_ISDIR(st.st_mode)) {
    return fail(Cause::PermissionDenied,
                folder.string() +
                    " is not a folder. Point --data-dir or SSOCONNECT_DATA at the "
                    "data folder, or move this file away.");
  }
  TRY(check_entry(folder, st, "folder", "700", R_OK | W_OK | X_OK, warnings));

  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) return errno_error(ec.value(), "list the folder", folder);
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& file = it->path();
    struct stat file_st {};
    if (::lstat(file.c_str(), &file_st) != 0) {
      if (errno == ENOENT) continue;  // removed meanwhile
      return errno_error(errno, "inspect", file);
    }
    if (!S_ISREG(file_st.st_mode)) continue;
    TRY(check_entry(file, file_st, "file", "600", R_OK | W_OK, warnings));
  }
  if (ec) return errno_error(ec.value(), "list the folder", folder);
  return warnings;
}

Result<void> create_folder(const fs::path& folder) {
  // Create from the top down, so each missing level gets mode 0700 whatever the umask.
  fs::path current;
  for (const fs::path& part : folder) {
    current /= part;
    if (::mkdir(current.c_str(), 0700) == 0) {
      if (::chmod(current.c_str(), 0700) != 0)
        return errno_error(errno, "set the mode of", current);
      continue;
    }
    if (errno != EEXIST) return errno_error(errno, "create the folder", current);
  }
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) return errno_error(errno, "inspect", folder);
  if (!S_ISDIR(st.st_mode)) {
    return fail(Cause::PermissionDenied,
                folder.string() +
                    " exists but is not a folder; move it away or choose another "
                    "data folder.");
  }
  return success();
}

}  // namespace ssoc::datadir
