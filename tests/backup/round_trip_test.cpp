// Backup, lose the folder, restore: the folder opens with the same settings, with SKS off and on
// (SoftHSM2); a restore over an existing folder keeps the old one aside.
#include <sys/stat.h>

#include "backup/backup.hpp"
#include "backup_fixture.hpp"
#include "settings/folder_changes.hpp"

namespace ssoc::backup {
namespace {

using test::FolderFixture;

fs::perms mode_of(const fs::path& path) {
  return fs::symlink_status(path).permissions() & fs::perms::mask;
}

TEST(Backup, RestoresAWipedPlainFolderWithTheSameSettings) {
  FolderFixture fx;
  FolderFixture::write_file(fx.data / "idp-metadata.xml", secret_from("<EntityDescriptor/>"));
  auto before = settings::open_folder(fx.data);
  ASSERT_TRUE(before.ok()) << before.error().describe();
  auto files = fx.snapshot();

  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(made->files, (std::vector<std::string>{"idp-metadata.xml", "instance.properties",
                                                   "shared.properties"}));
  EXPECT_TRUE(made->warnings.empty()) << made->warnings.front();
  EXPECT_EQ(mode_of(fx.dir / "backup.ssocbkp"), fs::perms::owner_read | fs::perms::owner_write);

  fs::remove_all(fx.data);
  auto restored = restore(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  ASSERT_FALSE(restored->empty());
  EXPECT_NE(restored->front().find("instance 123456789012"), std::string::npos)
      << restored->front();

  auto after = settings::open_folder(fx.data);
  ASSERT_TRUE(after.ok()) << after.error().describe();
  EXPECT_FALSE(after->sks);
  EXPECT_TRUE(test::same_settings(*before, *after));
  EXPECT_EQ(fx.snapshot(), files);
  EXPECT_EQ(mode_of(fx.data), fs::perms::owner_all);
  EXPECT_EQ(test::data_siblings(fx.dir.path()), std::set<std::string>{"data"});
}

TEST(Backup, RestoresAWipedSksFolderWhereItsKeyIs) {
  FolderFixture fx;
  auto enabled = settings::enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
  auto before = settings::open_folder(fx.data);
  ASSERT_TRUE(before.ok()) << before.error().describe();
  auto files = fx.snapshot();

  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(made->files,
            (std::vector<std::string>{"instance.encp", "shared.encp", "sks.properties"}));
  ASSERT_EQ(made->warnings.size(), 1u);
  EXPECT_EQ(made->warnings[0],
            "Secure Key Storage is on: this backup can only be restored where the HSM key "
            "'SSO Connect Properties 123456789012' is available");

  fs::remove_all(fx.data);
  auto restored = restore(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();

  auto after = settings::open_folder(fx.data);
  ASSERT_TRUE(after.ok()) << after.error().describe();
  ASSERT_TRUE(after->sks);
  EXPECT_EQ(after->sks->key.label, enabled->key.label);
  EXPECT_TRUE(test::same_settings(*before, *after));
  EXPECT_EQ(fx.snapshot(), files);
}

TEST(Restore, KeepsTheFolderItReplacesAside) {
  FolderFixture fx;
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  auto backed_up = fx.snapshot();

  // The folder changes after the backup: a new file, a changed one.
  FolderFixture::write_file(fx.data / "idp-metadata.xml", secret_from("<EntityDescriptor/>"));
  datadir::Properties shared = fx.shared_settings();
  ASSERT_TRUE(shared.set("sign_requests", "false").ok());
  FolderFixture::write_file(fx.data / "shared.properties", shared.serialize());
  auto changed = fx.snapshot();
  ASSERT_NE(changed, backed_up);

  auto restored = restore(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  EXPECT_EQ(fx.snapshot(), backed_up);

  auto kept = test::siblings_starting(fx.dir.path(), "data.before-restore-");
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(test::data_siblings(fx.dir.path()), (std::set<std::string>{"data", kept[0]}));
  EXPECT_EQ(test::snapshot_of(fx.dir / kept[0]), changed);
  ASSERT_GE(restored->size(), 2u);
  EXPECT_NE((*restored)[1].find(kept[0]), std::string::npos) << (*restored)[1];

  // A second restore keeps the first copy too (one within the same second gets a number).
  auto again = restore(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(test::siblings_starting(fx.dir.path(), "data.before-restore-").size(), 2u);
}

TEST(Restore, ReplacesTheTargetOfALinkedFolderAndKeepsTheLink) {
  FolderFixture fx;
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  auto backed_up = fx.snapshot();
  FolderFixture::write_file(fx.data / "idp-metadata.xml", secret_from("<EntityDescriptor/>"));
  fs::create_directory_symlink(fx.data, fx.dir / "link");

  auto restored = restore(fx.dir / "link/", fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  EXPECT_TRUE(fs::is_symlink(fx.dir / "link"));
  EXPECT_EQ(fs::read_symlink(fx.dir / "link"), fx.data);
  EXPECT_EQ(fx.snapshot(), backed_up);
  EXPECT_EQ(test::siblings_starting(fx.dir.path(), "data.before-restore-").size(), 1u);
}

TEST(Restore, GivesEachFileItsRecordedMode) {
  FolderFixture fx;
  FolderFixture::write_file(fx.data / "idp-metadata.xml", secret_from("<EntityDescriptor/>"));
  ASSERT_EQ(::chmod((fx.data / "idp-metadata.xml").c_str(), 0640), 0);
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();

  fs::remove_all(fx.data);
  auto restored = restore(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  EXPECT_EQ(mode_of(fx.data / "idp-metadata.xml"),
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  EXPECT_EQ(mode_of(fx.data / "shared.properties"), fs::perms::owner_read | fs::perms::owner_write);
  // The folder check's warning about the readable file reaches the operator.
  bool warned = false;
  for (const std::string& line : *restored)
    warned |= line.find("idp-metadata.xml") != std::string::npos;
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace ssoc::backup
