#include "datadir/file_io.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "common/encoding.hpp"
#include "common/openssl.hpp"
#include "common/unique_fd.hpp"
#include "datadir/step_hook.hpp"

namespace ssoc::datadir {
namespace {

fs::path folder_of(const fs::path& path) {
  fs::path parent = path.parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

std::string name_of(const fs::path& path) {
  return path.filename().string();
}

// open(2), retried when a signal interrupts it; -1 with errno set on failure.
int open_retrying(const char* path, int flags, mode_t mode = 0) {
  int fd;
  do {
    fd = ::open(path, flags, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

Result<void> write_all(int fd, ByteView data, const fs::path& target) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "write", target);
    }
    if (n == 0) return errno_error(EIO, "write", target);
    done += static_cast<std::size_t>(n);
  }
  return success();
}

// Removes the temporary file of a failed write; the first error is what the caller reports.
void discard_temp(UniqueFd& fd, const fs::path& temp) {
  fd.reset();
  ::unlink(temp.c_str());
}

bool is_temp_name(std::string_view name) {
  return name.size() > 1 && name[0] == '.' && name.find(".tmp-", 1) != std::string_view::npos;
}

}  // namespace

Error errno_error(int err, std::string_view operation, const fs::path& path) {
  std::string what =
      "cannot " + std::string(operation) + " " + path.string() + ": " + std::strerror(err) + ".";
  const std::string folder = folder_of(path).string();
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return fail(Cause::DiskFull,
                  what + " There is no space left on the device holding " + folder +
                      ". Free some disk space and try again; nothing already on disk was changed.");
    case EROFS:
      return fail(Cause::PermissionDenied,
                  what + " The file system holding " + folder +
                      " is mounted read-only; remount it read-write and try again.");
    case EACCES:
    case EPERM:
      return fail(Cause::PermissionDenied,
                  what + " Check that " + folder +
                      " and its files are owned by the user running SSO Connect (uid " +
                      std::to_string(::geteuid()) +
                      ") and have mode 0700 (folder) and 0600 (files), e.g. `chmod 700 " + folder +
                      "`.");
    default: return fail(Cause::Io, what + " Check the disk and the system log, then try again.");
  }
}

Result<SecretBytes> read_file(const fs::path& path, std::size_t max_size) {
  // O_NONBLOCK: opening a FIFO planted in the folder must not hang; fstat refuses it below.
  UniqueFd fd(open_retrying(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ELOOP) {
      return fail(Cause::InvalidInput,
                  path.string() +
                      " is a symbolic link; SSO Connect does not follow links in its data folder. "
                      "Replace the link with the file itself.");
    }
    return errno_error(errno, "open", path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(errno, "inspect", path);
  if (!S_ISREG(st.st_mode)) {
    return fail(Cause::InvalidInput, path.string() +
                                         " is not a regular file (a folder, device or pipe). "
                                         "Replace it with the file SSO Connect expects.");
  }
  // A regular file never blocks: read it in the ordinary blocking mode.
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  auto too_large = [&] {
    return fail(Cause::InvalidInput, path.string() + " is larger than the " +
                                         std::to_string(max_size) +
                                         " bytes allowed for it; is it the right file?");
  };
  if (static_cast<std::uintmax_t>(st.st_size) > max_size) return too_large();

  // One byte more than the size fstat saw, to notice a file that grew meanwhile.
  SecretBytes data(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t used = 0;
  for (;;) {
    if (used == data.size()) data.resize(std::min(data.size() * 2, max_size + 1));
    ssize_t n = ::read(fd.get(), data.data() + used, data.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, "read", path);
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used > max_size) return too_large();
  }
  data.resize(used);
  return data;
}

Result<void> write_file_atomic(const fs::path& path, ByteView data, mode_t mode) {
  const fs::path folder = folder_of(path);
  const std::string name = name_of(path);
  SecretBytes random = TRY(ossl::random_bytes(8));
  const fs::path temp = folder / ("." + name + ".tmp-" + hex_encode(random));

  UniqueFd fd(open_retrying(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                            mode & 07777));
  if (!fd.valid()) return errno_error(errno, "create a temporary file for", path);

  // The umask may have removed bits: set the exact mode asked for.
  if (::fchmod(fd.get(), mode & 07777) != 0) {
    Error error = errno_error(errno, "set the mode of", temp);
    discard_temp(fd, temp);
    return error;
  }
  if (Result<void> written = write_all(fd.get(), data, path); !written) {
    discard_temp(fd, temp);
    return std::move(written).error();
  }
  if (::fsync(fd.get()) != 0) {
    Error error = errno_error(errno, "flush to disk", path);
    discard_temp(fd, temp);
    return error;
  }
  if (fd.close() != 0) {
    Error error = errno_error(errno, "close", path);
    ::unlink(temp.c_str());
    return error;
  }
  step("write:" + name + ":synced");

  if (::rename(temp.c_str(), path.c_str()) != 0) {
    Error error = errno_error(errno, "replace", path);
    ::unlink(temp.c_str());
    return error;
  }
  TRY(fsync_folder(folder));
  step("write:" + name + ":renamed");
  return success();
}

Result<void> rename_durable(const fs::path& from, const fs::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return errno_error(errno, "rename " + from.string() + " to", to);
  }
  const fs::path to_folder = folder_of(to);
  const fs::path from_folder = folder_of(from);
  TRY(fsync_folder(to_folder));
  if (from_folder != to_folder) TRY(fsync_folder(from_folder));
  step("rename:" + name_of(to));
  return success();
}

Result<void> remove_durable(const fs::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return errno_error(errno, "remove", path);
  const fs::path folder = folder_of(path);
  if (Result<void> synced = fsync_folder(folder); !synced) {
    // A missing folder holds no file either: nothing was removed, nothing needs syncing.
    std::error_code ec;
    if (fs::exists(folder, ec) || ec) return synced;
  }
  step("remove:" + name_of(path));
  return success();
}

Result<void> fsync_folder(const fs::path& folder) {
  UniqueFd fd(open_retrying(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_error(errno, "open the folder", folder);
  // Some file systems cannot sync a folder (EINVAL); their renames are durable anyway.
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {
    return errno_error(errno, "flush to disk the folder", folder);
  }
  return success();
}

Result<int> remove_stale_temp_files(const fs::path& folder) {
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) return errno_error(ec.value(), "list the folder", folder);
  int removed = 0;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const fs::path& entry = it->path();
    if (!is_temp_name(name_of(entry))) continue;
    std::error_code type_ec;
    if (it->symlink_status(type_ec).type() != fs::file_type::regular) continue;
    if (::unlink(entry.c_str()) != 0) {
      if (errno == ENOENT) continue;
      return errno_error(errno, "remove the leftover temporary file", entry);
    }
    ++removed;
  }
  if (ec) return errno_error(ec.value(), "list the folder", folder);
  if (removed > 0) TRY(fsync_folder(folder));
  return removed;
}

}  // namespace ssoc::datadir
