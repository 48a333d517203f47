#include "store/database_file.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>
#include <string_view>

#include "common/log.hpp"

namespace ssoc::store {
namespace {

constexpr std::string_view kSqliteHeader{"SQLite format 3\0", 16};
// The smallest SQLite database that has been written to is one page; its header alone is 100 bytes.
constexpr std::size_t kHeaderSize = 100;

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

Error errno_error(int err, std::string_view what, const fs::path& path) {
  std::string message =
      "cannot " + std::string(what) + " " + path.string() + ": " + std::strerror(err) + ". ";
  if (err == ENOSPC || err == EDQUOT)
    return fail(Cause::DiskFull, message + "Free some space on its disk and try again.");
  if (err == ELOOP)
    return fail(Cause::Io, message + "It is a symbolic link; put the database file itself there.");
  if (err == ENOENT) return fail(Cause::Io, message + "Create its folder (the data folder) first.");
  return fail(Cause::Io, message +
                             "Check that the file and its folder belong to the user running SSO "
                             "Connect and are writable by it, then try again.");
}

Result<void> fsync_folder(const fs::path& folder) {
  FileDescriptor fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error(errno, "open the folder", folder);
  if (::fsync(fd.get()) != 0) return errno_error(errno, "sync the folder", folder);
  return success();
}

Result<void> check_header(int fd, std::uintmax_t size, const fs::path& file) {
  if (size == 0) return success();  // SQLite treats an empty file as a new database
  std::array<char, kHeaderSize> header{};
  const ssize_t got = ::pread(fd, header.data(), header.size(), 0);
  if (got < 0) return errno_error(errno, "read", file);
  if (static_cast<std::size_t>(got) < kHeaderSize ||
      std::string_view(header.data(), kSqliteHeader.size()) != kSqliteHeader) {
    return fail(Cause::Io, file.string() +
                               " is not an SQLite database (it does not start with SQLite's "
                               "header); it was left as it is. Move it away, or restore "
                               "the data folder from a backup, then start again.");
  }
  return success();
}

void tighten_mode(int fd, mode_t mode, const fs::path& file) {
  if ((mode & 07777) == 0600) return;
  if (::fchmod(fd, 0600) == 0) {
    log::warn(file.string() + " was readable or writable by others; its mode is now 0600.");
  } else {
    log::warn("cannot make the mode of " + file.string() + " 0600: " + std::strerror(errno) +
              ". Run `chmod 600 " + file.string() + "`.");
  }
}

void tighten_companion(const fs::path& file) {
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return;  // absent (the usual case): SQLite creates it with the file's mode
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode)) tighten_mode(fd.get(), st.st_mode, file);
}

}  // namespace

Result<bool> prepare_database_file(const fs::path& file) {
  bool created = false;
  int raw = ::open(file.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (raw < 0 && errno == ENOENT) {
    raw = ::open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    created = raw >= 0;
    // Another process created it in the meantime: use that one.
    if (raw < 0 && errno == EEXIST)
      raw = ::open(file.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  }
  if (raw < 0) return errno_error(errno, "open the database", file);
  FileDescriptor fd(raw);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(errno, "inspect", file);
  if (!S_ISREG(st.st_mode)) {
    return fail(Cause::Io, file.string() +
                               " is not a regular file; it was left as it is. Move it away so "
                               "that SSO Connect can create its database there.");
  }
  TRY(check_header(fd.get(), static_cast<std::uintmax_t>(st.st_size), file));
  tighten_mode(fd.get(), st.st_mode, file);
  for (const char* suffix : {"-wal", "-shm", "-journal"}) tighten_companion(file.string() + suffix);
  if (created) {
    // The new file's name must survive a crash as surely as the users committed into it.
    if (::fsync(fd.get()) != 0) return errno_error(errno, "sync", file);
    TRY(fsync_folder(file.has_parent_path() ? file.parent_path() : fs::path(".")));
  }
  return created;
}

}  // namespace ssoc::store
