// What a backup refuses: an output inside the data folder, a folder with a change in progress,
// a folder another command is changing, an SKS folder whose key is gone from the HSM. None of
// them writes the output file.
#include "backup/backup.hpp"
#include "backup_fixture.hpp"
#include "datadir/folder_lock.hpp"
#include "settings/folder_changes.hpp"

namespace ssoc::backup {
namespace {

using test::FolderFixture;

TEST(Backup, RefusesAnOutputInsideTheFolder) {
  FolderFixture fx;
  fs::create_directories(fx.data / "sub");
  for (const fs::path& out : {fx.data / "backup.ssocbkp", fx.data / "sub" / "backup.ssocbkp",
                              fx.dir / "certs" / ".." / "data" / "backup.ssocbkp", fx.data}) {
    SCOPED_TRACE(out.string());
    auto made = create(fx.data, out);
    ASSERT_FALSE(made.ok());
    EXPECT_EQ(made.error().cause, Cause::Usage) << made.error().describe();
    EXPECT_NE(made.error().message.find("inside the data folder"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(fx.data / "backup.ssocbkp"));
  EXPECT_FALSE(fs::exists(fx.data / "sub" / "backup.ssocbkp"));
  // Beside the folder, with a name that starts like it, is fine.
  auto beside = create(fx.data, fx.dir / "data-backup.ssocbkp");
  EXPECT_TRUE(beside.ok()) << beside.error().describe();
}

TEST(Backup, RefusesAFolderThroughALinkWithTheOutputInsideIt) {
  FolderFixture fx;
  fs::create_directory_symlink(fx.data, fx.dir / "link");
  auto made = create(fx.dir / "link", fx.data / "backup.ssocbkp");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().cause, Cause::Usage) << made.error().describe();
}

TEST(Backup, RefusesWhileAChangeIsInProgress) {
  FolderFixture fx;
  FolderFixture::write_file(fx.data / "transition.journal", secret_from("phase=prepare\n"));
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().cause, Cause::FolderBusy) << made.error().describe();
  EXPECT_NE(made.error().message.find(
                "a change is in progress; run ssoconnect start once to complete it"),
            std::string::npos)
      << made.error().describe();
  EXPECT_FALSE(fs::exists(fx.dir / "backup.ssocbkp"));
}

TEST(Backup, RefusesWhileAnotherCommandHoldsTheChangeLock) {
  FolderFixture fx;
  auto change = datadir::FolderLock::acquire(fx.data, datadir::FolderLock::Kind::Change);
  ASSERT_TRUE(change.ok()) << change.error().describe();
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().cause, Cause::FolderBusy) << made.error().describe();
  EXPECT_FALSE(fs::exists(fx.dir / "backup.ssocbkp"));
}

TEST(Backup, WorksWhileTheServiceRuns) {
  FolderFixture fx;
  auto service = datadir::FolderLock::acquire(fx.data, datadir::FolderLock::Kind::Service);
  ASSERT_TRUE(service.ok()) << service.error().describe();
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(made->files, (std::vector<std::string>{"instance.properties", "shared.properties"}));
}

TEST(Backup, RefusesAnSksFolderWhoseKeyIsGone) {
  FolderFixture fx;
  auto enabled = settings::enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
  test::delete_key(*enabled);
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().cause, Cause::KeyMissing) << made.error().describe();
  EXPECT_FALSE(fs::exists(fx.dir / "backup.ssocbkp"));
}

TEST(Backup, LeavesOutLocksTemporariesAndWhatCannotBeRestored) {
  FolderFixture fx;
  for (std::string name : {".instance.properties.tmp-0123", "shared.encp.next", "notes.txt",
                           ".hidden", "ssoconnect.db-shm"})
    FolderFixture::write_file(fx.data / name, secret_from("x"));
  fs::create_directory(fx.data / "subfolder");
  auto lock = datadir::FolderLock::acquire(fx.data, datadir::FolderLock::Kind::Service);
  ASSERT_TRUE(lock.ok());
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(made->files,
            (std::vector<std::string>{"instance.properties", "notes.txt", "shared.properties"}));
  // The hidden file and the subfolder are named in warnings; the rest is left out silently.
  ASSERT_EQ(made->warnings.size(), 2u);
  std::string all = made->warnings[0] + "\n" + made->warnings[1];
  EXPECT_NE(all.find(".hidden"), std::string::npos) << all;
  EXPECT_NE(all.find("subfolder"), std::string::npos) << all;
}

}  // namespace
}  // namespace ssoc::backup
