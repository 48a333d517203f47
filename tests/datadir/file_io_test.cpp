#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "datadir/file_io.hpp"
#include "datadir/step_hook.hpp"
#include "support/test_env.hpp"

namespace ssoc::datadir {
namespace {

using test::read_all;
using test::TempDir;
using test::write_all;

std::string read_text(const fs::path& file) {
  Bytes bytes = read_all(file);
  return std::string(bytes.begin(), bytes.end());
}

mode_t mode_of(const fs::path& file) {
  struct stat st {};
  EXPECT_EQ(::lstat(file.c_str(), &st), 0);
  return st.st_mode & 07777;
}

std::vector<std::string> names_in(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

TEST(FileIo, WriteThenReadReturnsTheSameBytes) {
  TempDir dir;
  const std::string content("key=value\n\0\xff binary", 20);
  ASSERT_TRUE(write_file_atomic(dir / "a.properties", as_bytes(content)).ok());
  auto read = read_file(dir / "a.properties");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(as_text(*read), content);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"a.properties"});

  ASSERT_TRUE(write_file_atomic(dir / "empty", {}).ok());
  auto empty = read_file(dir / "empty");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(FileIo, WriteSetsTheExactModeWhateverTheUmask) {
  TempDir dir;
  const mode_t old_umask = ::umask(0);
  ASSERT_TRUE(write_file_atomic(dir / "open-umask", as_bytes("x")).ok());
  ::umask(0077);
  ASSERT_TRUE(write_file_atomic(dir / "group-read", as_bytes("x"), 0640).ok());
  ::umask(old_umask);
  EXPECT_EQ(mode_of(dir / "open-umask"), 0600u);
  EXPECT_EQ(mode_of(dir / "group-read"), 0640u);
}

std::vector<std::string> g_steps;
std::vector<std::string> g_target_at_step;
fs::path g_target;

void record_step(std::string_view step) {
  g_steps.emplace_back(step);
  g_target_at_step.push_back(read_text(g_target));
}

TEST(FileIo, OverwriteKeepsOldContentUntilTheRenameStep) {
  TempDir dir;
  g_target = dir / "shared.properties";
  write_all(g_target, as_bytes("old content"));
  set_step_hook(record_step);
  auto written = write_file_atomic(g_target, as_bytes("new, longer content"));
  set_step_hook(nullptr);
  ASSERT_TRUE(written.ok()) << written.error().message;

  EXPECT_EQ(g_steps, (std::vector<std::string>{"write:shared.properties:synced",
                                               "write:shared.properties:renamed"}));
  EXPECT_EQ(g_target_at_step, (std::vector<std::string>{"old content", "new, longer content"}));
  EXPECT_EQ(read_text(g_target), "new, longer content");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"shared.properties"});
}

TEST(FileIo, ReadRefusesFileOverTheLimitBeforeReading) {
  TempDir dir;
  write_all(dir / "big", as_bytes(std::string(101, 'a')));
  auto refused = read_file(dir / "big", 100);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().cause, Cause::InvalidInput);
  EXPECT_NE(refused.error().message.find((dir / "big").string()), std::string::npos);

  write_all(dir / "limit", as_bytes(std::string(100, 'a')));
  auto at_limit = read_file(dir / "limit", 100);
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->size(), 100u);
}

TEST(FileIo, ReadRefusesSymbolicLink) {
  TempDir dir;
  write_all(dir / "real", as_bytes("secret"));
  fs::create_symlink(dir / "real", dir / "link");
  auto refused = read_file(dir / "link");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().cause, Cause::InvalidInput);
  EXPECT_NE(refused.error().message.find("symbolic link"), std::string::npos);
  EXPECT_EQ(refused.error().message.find("secret"), std::string::npos);
}

TEST(FileIo, ReadRefusesFolderAndPipe) {
  TempDir dir;
  fs::create_directory(dir / "sub");
  auto folder = read_file(dir / "sub");
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.error().cause, Cause::InvalidInput);

  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  auto fifo = read_file(dir / "fifo");  // must not hang waiting for a writer
  ASSERT_FALSE(fifo.ok());
  EXPECT_EQ(fifo.error().cause, Cause::InvalidInput);
}

TEST(FileIo, ReadOfAbsentFileIsAnIoError) {
  TempDir dir;
  auto absent = read_file(dir / "absent");
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().cause, Cause::Io);
  EXPECT_NE(absent.error().message.find((dir / "absent").string()), std::string::npos);
}

std::vector<std::string> g_removal_steps;
void record_removal_step(std::string_view step) {
  g_removal_steps.emplace_back(step);
}

TEST(FileIo, RemoveDurableRemovesAndAcceptsAbsentFile) {
  TempDir dir;
  write_all(dir / "instance.properties", as_bytes("x=1\n"));
  set_step_hook(record_removal_step);
  ASSERT_TRUE(remove_durable(dir / "instance.properties").ok());
  EXPECT_FALSE(fs::exists(dir / "instance.properties"));
  auto again = remove_durable(dir / "instance.properties");
  set_step_hook(nullptr);
  EXPECT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(g_removal_steps,
            (std::vector<std::string>{"remove:instance.properties", "remove:instance.properties"}));
}

TEST(FileIo, RenameDurableMovesTheFile) {
  TempDir dir;
  write_all(dir / "from", as_bytes("content"));
  write_all(dir / "to", as_bytes("old"));
  ASSERT_TRUE(rename_durable(dir / "from", dir / "to").ok());
  EXPECT_EQ(read_text(dir / "to"), "content");
  EXPECT_FALSE(fs::exists(dir / "from"));

  auto missing = rename_durable(dir / "from", dir / "to");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().cause, Cause::Io);
  EXPECT_EQ(read_text(dir / "to"), "content");
}

TEST(FileIo, RemoveStaleTempFilesRemovesOnlyTemporaryFiles) {
  TempDir dir;
  for (std::string name :
       {".instance.properties.tmp-0123abcd", ".shared.encp.tmp-ff", "instance.properties",
        ".hidden", "a.tmp-1", ".x.tmpfile", "service.lock"}) {
    write_all(dir / name, as_bytes("data"));
  }
  fs::create_directory(dir / ".folder.tmp-1");  // not a file: left alone
  auto removed = remove_stale_temp_files(dir.path());
  ASSERT_TRUE(removed.ok()) << removed.error().message;
  EXPECT_EQ(*removed, 2);
  EXPECT_EQ(names_in(dir.path()),
            (std::vector<std::string>{".folder.tmp-1", ".hidden", ".x.tmpfile", "a.tmp-1",
                                      "instance.properties", "service.lock"}));
  EXPECT_EQ(remove_stale_temp_files(dir.path()).value(), 0);
}

TEST(FileIo, ErrnoErrorMapsCauses) {
  const fs::path file = "/data/instance.encp";
  EXPECT_EQ(errno_error(ENOSPC, "write", file).cause, Cause::DiskFull);
  EXPECT_EQ(errno_error(EDQUOT, "write", file).cause, Cause::DiskFull);
  EXPECT_EQ(errno_error(EACCES, "write", file).cause, Cause::PermissionDenied);
  EXPECT_EQ(errno_error(EPERM, "write", file).cause, Cause::PermissionDenied);
  EXPECT_EQ(errno_error(EROFS, "write", file).cause, Cause::PermissionDenied);
  EXPECT_EQ(errno_error(EIO, "write", file).cause, Cause::Io);
  const Error full = errno_error(ENOSPC, "write", file);
  EXPECT_NE(full.message.find("/data/instance.encp"), std::string::npos);
  EXPECT_NE(full.message.find("device holding /data"), std::string::npos);
  EXPECT_NE(full.message.find("Free some disk space"), std::string::npos);
  EXPECT_NE(errno_error(EACCES, "write", file).message.find("chmod 700 /data"), std::string::npos);
}

}  // namespace
}  // namespace ssoc::datadir
