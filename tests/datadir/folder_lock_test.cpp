#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "datadir/folder_lock.hpp"
#include "support/test_env.hpp"

namespace ssoc::datadir {
namespace {

using Kind = FolderLock::Kind;
using test::read_all;
using test::TempDir;

std::string read_text(const fs::path& file) {
  Bytes bytes = read_all(file);
  return std::string(bytes.begin(), bytes.end());
}

TEST(FolderLock, SecondServiceLockIsFolderBusyNamingThePid) {
  TempDir dir;
  auto first = FolderLock::acquire(dir.path(), Kind::Service);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(read_text(dir / "service.lock"), std::to_string(::getpid()) + "\n");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "service.lock").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  auto second = FolderLock::acquire(dir.path(), Kind::Service);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().cause, Cause::FolderBusy);
  EXPECT_EQ(second.error().message, "another SSO Connect service is running on " +
                                        dir.path().string() + " (pid " +
                                        std::to_string(::getpid()) + "); stop it first");
}

TEST(FolderLock, SecondChangeLockSaysToWait) {
  TempDir dir;
  auto first = FolderLock::acquire(dir.path(), Kind::Change);
  ASSERT_TRUE(first.ok()) << first.error().message;
  auto second = FolderLock::acquire(dir.path(), Kind::Change);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().cause, Cause::FolderBusy);
  EXPECT_EQ(second.error().message,
            "another command is changing " + dir.path().string() + "; wait for it to finish");
}

TEST(FolderLock, ReleasedWhenDestroyedOrMovedFrom) {
  TempDir dir;
  {
    auto lock = FolderLock::acquire(dir.path(), Kind::Service);
    ASSERT_TRUE(lock.ok());
    FolderLock moved = std::move(lock).value();  // the moved-from object releases nothing
    EXPECT_FALSE(FolderLock::acquire(dir.path(), Kind::Service).ok());
  }
  EXPECT_EQ(read_text(dir / "service.lock"), "");  // no stale pid
  auto again = FolderLock::acquire(dir.path(), Kind::Service);
  EXPECT_TRUE(again.ok()) << again.error().message;

  auto other = FolderLock::acquire(dir.path(), Kind::Change);
  ASSERT_TRUE(other.ok());
  FolderLock assigned = std::move(other).value();
  TempDir other_dir;
  auto replacement = FolderLock::acquire(other_dir.path(), Kind::Change);
  ASSERT_TRUE(replacement.ok());
  assigned = std::move(replacement).value();  // releases the first change lock
  EXPECT_TRUE(FolderLock::acquire(dir.path(), Kind::Change).ok());
}

TEST(FolderLock, ServiceAndChangeLocksAreIndependent) {
  TempDir dir;
  auto service = FolderLock::acquire(dir.path(), Kind::Service);
  ASSERT_TRUE(service.ok());
  auto change = FolderLock::acquire(dir.path(), Kind::Change);
  ASSERT_TRUE(change.ok()) << change.error().message;
}

TEST(FolderLock, IsHeldReportsWithoutTaking) {
  TempDir dir;
  EXPECT_FALSE(FolderLock::is_held(dir.path(), Kind::Service).value());
  EXPECT_FALSE(fs::exists(dir / "service.lock"));  // looking creates nothing
  {
    auto lock = FolderLock::acquire(dir.path(), Kind::Service);
    ASSERT_TRUE(lock.ok());
    EXPECT_TRUE(FolderLock::is_held(dir.path(), Kind::Service).value());
    EXPECT_FALSE(FolderLock::is_held(dir.path(), Kind::Change).value());
  }
  EXPECT_FALSE(FolderLock::is_held(dir.path(), Kind::Service).value());
  // is_held's own look does not leave the lock taken.
  EXPECT_TRUE(FolderLock::acquire(dir.path(), Kind::Service).ok());
}

TEST(FolderLock, LockHeldByAnotherProcessIsSeen) {
  TempDir dir;
  int ready[2], done[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(done), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = FolderLock::acquire(dir.path(), Kind::Service);
    char byte = lock.ok() ? 'y' : 'n';
    if (::write(ready[1], &byte, 1) != 1) ::_exit(2);
    // Hold the lock until the parent has looked.
    if (::read(done[0], &byte, 1) != 1) ::_exit(3);
    ::_exit(lock.ok() ? 0 : 1);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ASSERT_EQ(byte, 'y');

  EXPECT_TRUE(FolderLock::is_held(dir.path(), Kind::Service).value());
  auto busy = FolderLock::acquire(dir.path(), Kind::Service);
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().cause, Cause::FolderBusy);
  EXPECT_NE(busy.error().message.find("(pid " + std::to_string(child) + ")"), std::string::npos)
      << busy.error().message;

  ASSERT_EQ(::write(done[1], "x", 1), 1);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_FALSE(FolderLock::is_held(dir.path(), Kind::Service).value());
  EXPECT_TRUE(FolderLock::acquire(dir.path(), Kind::Service).ok());
}

TEST(FolderLock, MissingFolderIsAnError) {
  TempDir dir;
  auto lock = FolderLock::acquire(dir / "absent", Kind::Service);
  ASSERT_FALSE(lock.ok());
  EXPECT_EQ(lock.error().cause, Cause::Io);
}

}  // namespace
}  // namespace ssoc::datadir
