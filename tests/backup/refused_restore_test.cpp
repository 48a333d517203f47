// A restore that is refused leaves the data folder byte for byte as it was and creates nothing
// beside it: damaged archives (truncated, a bit flipped anywhere, wrong magic), hostile
// manifests (path traversal, hidden or duplicate names, sizes over the limit), a running service.
#include "backup/archive_format.hpp"
#include "backup/backup.hpp"
#include "backup_fixture.hpp"
#include "datadir/folder_lock.hpp"
#include "settings/folder_changes.hpp"

namespace ssoc::backup {
namespace {

using test::FolderFixture;
using test::RawEntry;

class RefusedRestore : public ::testing::Test {
 protected:
  void SetUp() override {
    auto made = create(fx.data, archive);
    ASSERT_TRUE(made.ok()) << made.error().describe();
    good = ssoc::test::read_all(archive);
    // The folder differs from the backup, so that a restore that went through would show.
    FolderFixture::write_file(fx.data / "idp-metadata.xml", secret_from("<EntityDescriptor/>"));
    files = fx.snapshot();
    siblings = test::data_siblings(fx.dir.path());
  }

  // Restores `bytes` and expects a refusal with `cause` whose message holds `words`, with the
  // folder untouched.
  void expect_refused(const Bytes& bytes, Cause cause, std::string_view words) {
    ssoc::test::write_all(bad, bytes);
    auto restored = restore(fx.data, bad);
    ASSERT_FALSE(restored.ok()) << "restored " << bytes.size() << " bytes";
    EXPECT_EQ(restored.error().cause, cause) << restored.error().describe();
    EXPECT_NE(restored.error().message.find(words), std::string::npos)
        << restored.error().describe();
    EXPECT_EQ(fx.snapshot(), files);
    EXPECT_EQ(test::data_siblings(fx.dir.path()), siblings);
  }

  FolderFixture fx;
  fs::path archive = fx.dir / "backup.ssocbkp";
  fs::path bad = fx.dir / "bad.ssocbkp";
  Bytes good;
  std::map<std::string, Bytes> files;
  std::set<std::string> siblings;
};

TEST_F(RefusedRestore, TheIntactArchiveIsRestored) {
  // The control: the same folder and archive, unharmed, go through.
  auto restored = restore(fx.data, archive);
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  EXPECT_NE(fx.snapshot(), files);
}

TEST_F(RefusedRestore, TruncatedArchives) {
  for (std::size_t size = 0; size < good.size(); size += (size < 64 ? 1 : 37)) {
    SCOPED_TRACE("size " + std::to_string(size));
    expect_refused(Bytes(good.begin(), good.begin() + static_cast<long>(size)),
                   Cause::IntegrityFailure, "damaged");
  }
  expect_refused(Bytes(good.begin(), good.end() - 1), Cause::IntegrityFailure, "truncated");
}

TEST_F(RefusedRestore, TrailingBytes) {
  Bytes longer = good;
  longer.push_back(0);
  expect_refused(longer, Cause::IntegrityFailure, "bytes but its manifest says");
}

TEST_F(RefusedRestore, ABitFlippedInTheManifest) {
  Bytes flipped = good;
  std::size_t at = test::find_text(flipped, "shared.properties");
  ASSERT_LT(at, 200u);  // the manifest's copy of the name, not a file body
  flipped[at + 3] ^= 0x01;
  expect_refused(flipped, Cause::IntegrityFailure, "final SHA-256");
  flipped[20] ^= 0x80;  // the created time
  expect_refused(flipped, Cause::IntegrityFailure, "final SHA-256");
}

TEST_F(RefusedRestore, ABitFlippedInAFileBody) {
  Bytes flipped = good;
  std::size_t at = test::find_text(flipped, "sp_entity_id");
  ASSERT_NE(at, std::string::npos);
  flipped[at] ^= 0x20;
  expect_refused(flipped, Cause::IntegrityFailure, "final SHA-256");
  // With the final hash made to match, the file's own hash still catches it.
  test::reseal(flipped);
  expect_refused(flipped, Cause::IntegrityFailure, "SHA-256 of shared.properties does not match");
}

TEST_F(RefusedRestore, ABitFlippedInTheFinalHash) {
  Bytes flipped = good;
  flipped[flipped.size() - 1] ^= 0x01;
  expect_refused(flipped, Cause::IntegrityFailure, "final SHA-256");
}

TEST_F(RefusedRestore, WrongMagic) {
  Bytes wrong = good;
  wrong[7] = '2';
  expect_refused(wrong, Cause::IntegrityFailure, "SSOCBKP1");
  expect_refused(
      test::raw_archive({{"instance.properties", test::text_bytes("x=1\n")}}, "SSOCENCP"),
      Cause::IntegrityFailure, "SSOCBKP1");
}

TEST_F(RefusedRestore, ANameThatLeavesTheFolder) {
  for (std::string name : {"../evil", "a/b", "/etc/passwd", "..", "."}) {
    SCOPED_TRACE(name);
    expect_refused(test::raw_archive({{"instance.properties", test::text_bytes("x=1\n")},
                                      {name, test::text_bytes("evil")}}),
                   Cause::IntegrityFailure, "it names a file");
  }
  EXPECT_FALSE(fs::exists(fx.dir / "evil"));
}

TEST_F(RefusedRestore, HiddenReservedOrControlCharacterNames) {
  for (std::string name : std::vector<std::string>{
           ".hidden", "service.lock", "transition.journal", "shared.encp.next", "ssoconnect.db-wal",
           std::string("tab\tname"), std::string(256, 'a'), std::string()}) {
    SCOPED_TRACE(name);
    expect_refused(test::raw_archive({{"instance.properties", test::text_bytes("x=1\n")},
                                      {name, test::text_bytes("x")}}),
                   Cause::IntegrityFailure, "damaged");
  }
}

TEST_F(RefusedRestore, ADuplicateName) {
  expect_refused(test::raw_archive({{"instance.properties", test::text_bytes("x=1\n")},
                                    {"instance.properties", test::text_bytes("x=2\n")}}),
                 Cause::IntegrityFailure, "twice");
}

TEST_F(RefusedRestore, ASizeOverTheLimit) {
  RawEntry huge{"ssoconnect.db", test::text_bytes("small"), 0600, kMaxEntrySize + 1};
  expect_refused(test::raw_archive({huge}), Cause::IntegrityFailure, "over the limit");
  // At the limit the size passes, and the missing bytes are what is wrong.
  huge.size = kMaxEntrySize;
  expect_refused(test::raw_archive({huge}), Cause::IntegrityFailure, "truncated");
}

TEST_F(RefusedRestore, TooManyEntriesOrAModeThatIsNoFileMode) {
  std::vector<RawEntry> many;
  for (int i = 0; i < 257; ++i) many.push_back({"f" + std::to_string(i), {}, 0600, {}});
  expect_refused(test::raw_archive(many), Cause::IntegrityFailure, "more than the limit");
  expect_refused(test::raw_archive({{"instance.properties", test::text_bytes("x=1\n"), 04755}}),
                 Cause::IntegrityFailure, "not a file mode");
}

TEST_F(RefusedRestore, WhileTheServiceRuns) {
  auto service = datadir::FolderLock::acquire(fx.data, datadir::FolderLock::Kind::Service);
  ASSERT_TRUE(service.ok()) << service.error().describe();
  expect_refused(good, Cause::FolderBusy, "stop the service first");
}

TEST_F(RefusedRestore, WhileAnotherCommandChangesTheFolder) {
  auto change = datadir::FolderLock::acquire(fx.data, datadir::FolderLock::Kind::Change);
  ASSERT_TRUE(change.ok()) << change.error().describe();
  expect_refused(good, Cause::FolderBusy, "another command");
}

TEST(Restore, PutsTheFolderBackWhenTheKeyOfTheBackupIsGone) {
  FolderFixture fx;
  auto enabled = settings::enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  test::delete_key(*enabled);
  FolderFixture::write_file(fx.data / "idp-metadata.xml", secret_from("<EntityDescriptor/>"));
  auto files = fx.snapshot();

  auto restored = restore(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.error().cause, Cause::KeyMissing) << restored.error().describe();
  EXPECT_NE(restored.error().message.find("The restore was undone"), std::string::npos)
      << restored.error().describe();
  EXPECT_EQ(fx.snapshot(), files);  // the old folder is back in place
  auto failed = test::siblings_starting(fx.dir.path(), "data.failed-restore-");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(test::data_siblings(fx.dir.path()), (std::set<std::string>{"data", failed[0]}));
  EXPECT_EQ(test::snapshot_of(fx.dir / failed[0]).count("idp-metadata.xml"), 0u);
}

TEST(Restore, LeavesNoFolderWhenTheRestoredOneDoesNotOpenAndThereWasNone) {
  FolderFixture fx;
  ssoc::test::write_all(fx.dir / "unconfigured.ssocbkp",
                        test::raw_archive({{"idp-metadata.xml", test::text_bytes("<x/>")}}));
  fs::remove_all(fx.data);
  auto restored = restore(fx.data, fx.dir / "unconfigured.ssocbkp");
  ASSERT_FALSE(restored.ok());
  EXPECT_EQ(restored.error().cause, Cause::NotConfigured) << restored.error().describe();
  EXPECT_FALSE(fs::exists(fx.data));
  EXPECT_EQ(test::siblings_starting(fx.dir.path(), "data.failed-restore-").size(), 1u);
}

}  // namespace
}  // namespace ssoc::backup
