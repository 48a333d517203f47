#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "datadir/folder_check.hpp"
#include "support/test_env.hpp"

namespace ssoc::datadir {
namespace {

using test::TempDir;
using test::write_all;

// A data folder with mode 0700 holding two 0600 files.
fs::path make_good_folder(const TempDir& dir) {
  const fs::path data = dir / "data";
  fs::create_directory(data);
  EXPECT_EQ(::chmod(data.c_str(), 0700), 0);
  for (const char* name : {"instance.properties", "shared.properties"}) {
    write_all(data / name, as_bytes("k=v\n"));
    EXPECT_EQ(::chmod((data / name).c_str(), 0600), 0);
  }
  return data;
}

void expect_refused(const fs::path& folder, std::string_view fix) {
  auto checked = check_folder(folder);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().cause, Cause::PermissionDenied);
  EXPECT_NE(checked.error().message.find(fix), std::string::npos) << checked.error().message;
}

TEST(FolderCheck, AcceptsPrivateFolderWithPrivateFilesWithoutWarnings) {
  TempDir dir;
  const fs::path data = make_good_folder(dir);
  auto checked = check_folder(data);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  EXPECT_TRUE(checked->empty());
}

TEST(FolderCheck, MissingFolderIsDataFolderMissing) {
  TempDir dir;
  auto checked = check_folder(dir / "absent");
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().cause, Cause::DataFolderMissing);
  EXPECT_NE(checked.error().message.find((dir / "absent").string()), std::string::npos);
}

TEST(FolderCheck, RefusesFileInPlaceOfFolder) {
  TempDir dir;
  write_all(dir / "data", as_bytes("x"));
  expect_refused(dir / "data", "is not a folder");
}

TEST(FolderCheck, RefusesFolderWritableByGroupOrOthers) {
  TempDir dir;
  const fs::path data = make_good_folder(dir);
  for (mode_t mode : {0770, 0702, 0777}) {
    ASSERT_EQ(::chmod(data.c_str(), mode), 0);
    expect_refused(data, "chmod 700 " + data.string());
  }
}

TEST(FolderCheck, RefusesWorldWritableFileInside) {
  TempDir dir;
  const fs::path data = make_good_folder(dir);
  const fs::path file = data / "shared.properties";
  ASSERT_EQ(::chmod(file.c_str(), 0666), 0);
  expect_refused(data, "chmod 600 " + file.string());
}

TEST(FolderCheck, WarnsAboutFolderOrFileReadableByOthers) {
  TempDir dir;
  const fs::path data = make_good_folder(dir);
  const fs::path file = data / "instance.properties";
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  auto checked = check_folder(data);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  ASSERT_EQ(checked->size(), 1u);
  EXPECT_NE(checked->front().find("chmod 600 " + file.string()), std::string::npos);

  ASSERT_EQ(::chmod(data.c_str(), 0750), 0);
  checked = check_folder(data);
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  ASSERT_EQ(checked->size(), 2u);
  EXPECT_NE(checked->front().find("chmod 700 " + data.string()), std::string::npos);
}

TEST(FolderCheck, RefusesFolderOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the folder to another user";
  TempDir dir;
  const fs::path data = make_good_folder(dir);
  ASSERT_EQ(::chown(data.c_str(), 65534, 65534), 0);
  expect_refused(data, "owned by uid 65534");
}

TEST(FolderCheck, RefusesFileOwnedByAnotherUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the file to another user";
  TempDir dir;
  const fs::path data = make_good_folder(dir);
  ASSERT_EQ(::chown((data / "shared.properties").c_str(), 65534, 65534), 0);
  expect_refused(data, "owned by uid 65534");
}

TEST(FolderCheck, RefusesFolderThisUserCannotWrite) {
  TempDir dir;
  const fs::path data = make_good_folder(dir);
  if (::geteuid() != 0) {
    ASSERT_EQ(::chmod(data.c_str(), 0500), 0);
    expect_refused(data, "chmod 700 " + data.string());
    return;
  }
  // Root may write any folder: check as the user nobody, who owns the folder but lacks write.
  constexpr uid_t kNobody = 65534;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0711), 0);
  for (const auto& entry : fs::directory_iterator(data))
    ASSERT_EQ(::chown(entry.path().c_str(), kNobody, kNobody), 0);
  ASSERT_EQ(::chown(data.c_str(), kNobody, kNobody), 0);
  ASSERT_EQ(::chmod(data.c_str(), 0500), 0);
  pid_t child = ::fork();
  if (child == 0) {
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0) ::_exit(100);
    auto checked = check_folder(data);
    bool names_fix = !checked.ok() && checked.error().message.find("chmod 700 " + data.string()) !=
                                          std::string::npos;
    ::_exit(checked.ok() ? 101 : names_fix ? static_cast<int>(checked.error().cause) : 102);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), static_cast<int>(Cause::PermissionDenied));
}

TEST(FolderCheck, CreateFolderMakesMissingLevelsPrivate) {
  TempDir dir;
  const mode_t old_umask = ::umask(0277);  // would leave 0500 folders without the fix-up
  auto created = create_folder(dir / "sso_connect" / "data");
  ::umask(old_umask);
  ASSERT_TRUE(created.ok()) << created.error().message;
  for (const fs::path& level : {dir / "sso_connect", dir / "sso_connect" / "data"}) {
    struct stat st {};
    ASSERT_EQ(::stat(level.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0700u) << level;
  }
  EXPECT_TRUE(create_folder(dir / "sso_connect" / "data").ok());  // already there
  auto checked = check_folder(dir / "sso_connect" / "data");
  ASSERT_TRUE(checked.ok()) << checked.error().message;
  EXPECT_TRUE(checked->empty());
}

}  // namespace
}  // namespace ssoc::datadir
