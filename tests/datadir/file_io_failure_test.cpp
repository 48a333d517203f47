// Writes that fail on a real full disk (a small tmpfs) and in a real unwritable folder.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "datadir/file_io.hpp"
#include "support/test_env.hpp"

namespace ssoc::datadir {
namespace {

using test::read_all;
using test::run_command;
using test::TempDir;
using test::write_all;

constexpr uid_t kNobody = 65534;

bool has_temp_file(const fs::path& folder) {
  for (const auto& entry : fs::directory_iterator(folder)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) return true;
  }
  return false;
}

// A small tmpfs mounted for one test, unmounted when the guard dies (even after a failure).
class TmpfsMount {
 public:
  explicit TmpfsMount(const fs::path& where) : where_(where) {
    fs::create_directory(where_);
    mounted_ = run_command("mount -t tmpfs -o size=64k,mode=0700 tmpfs '" + where_.string() + "'",
                           &output_) == 0;
  }
  ~TmpfsMount() {
    if (mounted_) run_command("umount '" + where_.string() + "'");
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& output() const { return output_; }

 private:
  fs::path where_;
  bool mounted_ = false;
  std::string output_;
};

TEST(FileIo, WriteOnFullDiskFailsAsDiskFullAndKeepsOldFile) {
  TempDir dir;
  TmpfsMount mount(dir / "small");
  if (!mount.mounted()) GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << mount.output();
  const fs::path data = dir / "small";
  const fs::path target = data / "instance.encp";
  const Bytes old_content(1000, 0x5a);
  write_all(target, old_content);
  // Fill every free block; dd stops with "No space left on device".
  run_command("dd if=/dev/zero of='" + (data / "filler").string() + "' bs=4096");

  const Bytes new_content(16 * 1024, 0xa5);
  auto written = write_file_atomic(target, new_content);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().cause, Cause::DiskFull) << written.error().message;
  EXPECT_NE(written.error().message.find("device holding " + data.string()), std::string::npos)
      << written.error().message;
  EXPECT_EQ(read_all(target), old_content);
  EXPECT_FALSE(has_temp_file(data));
}

// Writes `target` in a child process, as the user nobody when root (root ignores file modes).
// Returns the child's exit status: the Cause it got, 101 on success, 100 if it could not switch
// users, -1 if it did not exit normally.
int attempt_write(const fs::path& target) {
  pid_t child = ::fork();
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) ::_exit(100);
    auto written = write_file_atomic(target, as_bytes("new content"));
    ::_exit(written.ok() ? 101 : static_cast<int>(written.error().cause));
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(FileIo, WriteInUnwritableFolderFailsAsPermissionDeniedAndKeepsOldFile) {
  TempDir dir;
  const fs::path data = dir / "data";
  fs::create_directory(data);
  const fs::path target = data / "shared.properties";
  write_all(target, as_bytes("old content"));
  if (::geteuid() == 0) {
    // nobody must reach the folder, own it, and still be unable to write in it.
    ASSERT_EQ(::chmod(dir.path().c_str(), 0711), 0);
    ASSERT_EQ(::chown(data.c_str(), kNobody, kNobody), 0);
    ASSERT_EQ(::chown(target.c_str(), kNobody, kNobody), 0);
  }
  ASSERT_EQ(::chmod(data.c_str(), 0500), 0);

  const int result = attempt_write(target);
  ::chmod(data.c_str(), 0700);
  ASSERT_NE(result, 100) << "could not switch to uid " << kNobody;
  EXPECT_EQ(result, static_cast<int>(Cause::PermissionDenied));
  const Bytes content = read_all(target);
  EXPECT_EQ(std::string(content.begin(), content.end()), "old content");
  EXPECT_FALSE(has_temp_file(data));
}

}  // namespace
}  // namespace ssoc::datadir
