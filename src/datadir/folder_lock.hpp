// Advisory locks on a data folder (flock(2) on a lock file inside it), DESIGN.md "The data folder":
// one running service per folder (Kind::Service, file "service.lock"), and commands that change
// the folder serialise on a second lock (Kind::Change, file "change.lock").
#pragma once

#include <filesystem>

#include "common/result.hpp"

namespace ssoc::datadir {

namespace fs = std::filesystem;

class FolderLock {
 public:
  enum class Kind { Service, Change };

  // Takes the lock without waiting: FolderBusy with a clear message ("another SSO Connect service
  // is running on <folder> (pid N)") if another process or FolderLock holds it. The lock file is
  // created 0600 and, for Service, holds the owner's pid (for the message and for `status`).
  static Result<FolderLock> acquire(const fs::path& folder, Kind kind);

  // True when someone holds the lock; does not take it.
  static Result<bool> is_held(const fs::path& folder, Kind kind);

  FolderLock(FolderLock&& other) noexcept;
  FolderLock& operator=(FolderLock&& other) noexcept;
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock();  // releases

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace ssoc::datadir
