#include "datadir/folder_lock.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "common/unique_fd.hpp"
#include "datadir/file_io.hpp"

namespace ssoc::datadir {
namespace {

fs::path lock_path(const fs::path& folder, FolderLock::Kind kind) {
  return folder / (kind == FolderLock::Kind::Service ? "service.lock" : "change.lock");
}

// flock(LOCK_NB) retried on EINTR; true when taken, false when someone else holds it.
Result<bool> try_flock(int fd, int operation, const fs::path& path) {
  for (;;) {
    if (::flock(fd, operation | LOCK_NB) == 0) return true;
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return false;
    return errno_error(errno, "lock", path);
  }
}

// The pid the holding service wrote into its lock file, or "unknown" (still starting).
std::string holder_pid(int fd) {
  std::array<char, 32> buffer{};
  ssize_t n = ::pread(fd, buffer.data(), buffer.size() - 1, 0);
  std::string text = n > 0 ? std::string(buffer.data(), static_cast<std::size_t>(n)) : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return "unknown";
  return text;
}

Error busy_error(const fs::path& folder, FolderLock::Kind kind, int fd) {
  if (kind == FolderLock::Kind::Service) {
    return fail(Cause::FolderBusy, "another SSO Connect service is running on " + folder.string() +
                                       " (pid " + holder_pid(fd) + "); stop it first");
  }
  return fail(Cause::FolderBusy,
              "another command is changing " + folder.string() + "; wait for it to finish");
}

Result<void> write_pid(int fd, const fs::path& path) {
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0) return errno_error(errno, "write", path);
  std::size_t done = 0;
  while (done < pid.size()) {
    ssize_t n = ::pwrite(fd, pid.data() + done, pid.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return errno_error(n < 0 ? errno : EIO, "write", path);
    done += static_cast<std::size_t>(n);
  }
  return success();
}

}  // namespace

Result<FolderLock> FolderLock::acquire(const fs::path& folder, Kind kind) {
  const fs::path path = lock_path(folder, kind);
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) return errno_error(errno, "open the lock file", path);

  // is_held() takes the lock for an instant to look; a few short retries keep such a probe from
  // being mistaken for a holder. A real holder keeps the lock for longer.
  constexpr int kAttempts = 4;
  for (int attempt = 1;; ++attempt) {
    if (TRY(try_flock(fd.get(), LOCK_EX, path))) break;
    if (attempt == kAttempts) return busy_error(folder, kind, fd.get());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (kind == Kind::Service) TRY(write_pid(fd.get(), path));
  return FolderLock(fd.release());
}

Result<bool> FolderLock::is_held(const fs::path& folder, Kind kind) {
  const fs::path path = lock_path(folder, kind);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT) return false;  // never locked
    return errno_error(errno, "open the lock file", path);
  }
  // A shared lock conflicts only with an exclusive holder; it is dropped when fd closes.
  bool taken = TRY(try_flock(fd.get(), LOCK_SH, path));
  return !taken;
}

FolderLock::FolderLock(FolderLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FolderLock& FolderLock::operator=(FolderLock&& other) noexcept {
  if (this != &other) {
    FolderLock old(std::move(*this));
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FolderLock::~FolderLock() {
  if (fd_ < 0) return;
  // Forget the pid so `status` does not show a stopped service (harmless for change.lock).
  // A failure leaves a stale pid behind, which is only cosmetic: close() releases the lock.
  [[maybe_unused]] int ignored = ::ftruncate(fd_, 0);
  ::close(fd_);
}

}  // namespace ssoc::datadir
