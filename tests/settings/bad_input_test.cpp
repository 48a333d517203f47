// Damaged, swapped, foreign or missing parts of an SKS folder: each gives its cause and leaves
// every file as it was.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "settings/folder_settings.hpp"
#include "sks/encp_file.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::settings {
namespace {

using test::FolderFixture;

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    auto enabled = enable_sks(fx.data, fx.sks_config());
    ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
    config = *enabled;
  }

  // Opens the folder expecting `cause`, and checks that no file changed.
  void expect_open_fails(Cause cause) {
    auto before = fx.snapshot();
    auto opened = open_folder(fx.data);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().cause, cause) << opened.error().describe();
    EXPECT_EQ(fx.snapshot(), before);
  }
  void change(const std::string& name, const std::function<void(Bytes&)>& edit) {
    Bytes bytes = test::read_all(fx.data / name);
    edit(bytes);
    test::write_all(fx.data / name, bytes);
  }

  FolderFixture fx;
  sks::SksConfig config;
};

TEST_F(BadInput, TruncatedEncpIsAnIntegrityFailure) {
  change("instance.encp", [](Bytes& b) { b.resize(b.size() / 2); });
  expect_open_fails(Cause::IntegrityFailure);
}

TEST_F(BadInput, EmptyEncpIsAnIntegrityFailure) {
  change("shared.encp", [](Bytes& b) { b.clear(); });
  expect_open_fails(Cause::IntegrityFailure);
}

TEST_F(BadInput, BitFlippedCiphertextIsAnIntegrityFailure) {
  change("shared.encp", [](Bytes& b) { b[b.size() - 20] ^= 0x04; });
  expect_open_fails(Cause::IntegrityFailure);
}

TEST_F(BadInput, EditedHeaderIsAnIntegrityFailure) {
  // Claim another IV mode: the header is authenticated as associated data.
  change("shared.encp", [](Bytes& b) { b[9] = 3; });
  expect_open_fails(Cause::IntegrityFailure);
}

TEST_F(BadInput, InstanceFileCopiedOverSharedIsAnIntegrityFailure) {
  fs::copy_file(fx.data / "instance.encp", fx.data / "shared.encp",
                fs::copy_options::overwrite_existing);
  expect_open_fails(Cause::IntegrityFailure);
}

TEST_F(BadInput, EncpFromAnotherInstanceIsAnIntegrityFailure) {
  // A second instance with its own folder and key on the same token.
  fs::path other = fx.dir / "other";
  fs::create_directories(other);
  fs::permissions(other, fs::perms::owner_all, fs::perm_options::replace);
  datadir::Properties instance = fx.instance_settings();
  ASSERT_TRUE(instance.set("instance_id", "210987654321").ok());
  FolderFixture::write_file(other / "instance.properties", instance.serialize());
  FolderFixture::write_file(other / "shared.properties", fx.shared_settings().serialize());
  sks::SksConfig other_config = fx.sks_config();
  other_config.instance_id = "210987654321";
  ASSERT_TRUE(enable_sks(other, other_config).ok());
  fs::copy_file(other / "shared.encp", fx.data / "shared.encp",
                fs::copy_options::overwrite_existing);
  expect_open_fails(Cause::IntegrityFailure);
}

TEST_F(BadInput, EncpFromAnotherKeyIsAnIntegrityFailure) {
  Bytes old_shared = test::read_all(fx.data / "shared.encp");
  ASSERT_TRUE(rotate_key(fx.data).ok());
  test::write_all(fx.data / "shared.encp", old_shared);
  expect_open_fails(Cause::IntegrityFailure);
}

TEST_F(BadInput, EncpRelabelledToTheCurrentKeyIsAnIntegrityFailure) {
  Bytes old_shared = test::read_all(fx.data / "shared.encp");
  auto rotated = rotate_key(fx.data);
  ASSERT_TRUE(rotated.ok());
  auto file = sks::EncpFile::parse(old_shared, "x").value();
  file.header.key_label = rotated->label;
  test::write_all(fx.data / "shared.encp", file.serialize().value());
  expect_open_fails(Cause::IntegrityFailure);
}

TEST_F(BadInput, KeyDeletedFromTheTokenIsKeyMissing) {
  {
    sks::HsmConnection hsm = sks::HsmConnection::open(config, true).value();
    ASSERT_GT(sks::delete_instance_key(hsm.session(), config.key).value(), 0);
  }
  expect_open_fails(Cause::KeyMissing);
}

TEST_F(BadInput, AbsentDataFolderIsDataFolderMissing) {
  auto opened = open_folder(fx.dir / "no-such-data");
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().cause, Cause::DataFolderMissing);
}

TEST_F(BadInput, AbsentEncpIsEncryptedFilesMissing) {
  fs::remove(fx.data / "instance.encp");
  expect_open_fails(Cause::EncryptedFilesMissing);
  auto opened = open_folder(fx.data);
  EXPECT_NE(opened.error().message.find("instance.encp"), std::string::npos);
}

TEST_F(BadInput, OversizedEncpIsRefusedBeforeItIsRead) {
  change("shared.encp", [](Bytes& b) { b.resize(17u << 20, 0); });
  auto opened = open_folder(fx.data);
  ASSERT_FALSE(opened.ok());
  EXPECT_NE(opened.error().cause, Cause::Internal);
}

TEST_F(BadInput, DamagedSksPropertiesNamesTheSetting) {
  change("sks.properties", [](Bytes& b) {
    std::string text(b.begin(), b.end());
    text.replace(text.find("iv_mode=caller"), 14, "iv_mode=sideways");
    b.assign(text.begin(), text.end());
  });
  auto opened = open_folder(fx.data);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().cause, Cause::InvalidSetting);
  EXPECT_NE(opened.error().message.find("iv_mode"), std::string::npos);
}

// Runs `body` as the unprivileged user 65534 when root (root bypasses file modes); returns the
// exit status of the child, which reports a Cause as its number.
int run_as_nobody(const std::function<int()>& body) {
  if (::geteuid() != 0) return body();
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(200);
    ::_exit(body());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 201;
}

TEST(BadFolder, UnwritableFolderIsPermissionDeniedAndUntouched) {
  FolderFixture fx;
  auto before = fx.snapshot();
  if (::geteuid() == 0) {
    for (const auto& entry : fs::directory_iterator(fx.data))
      ASSERT_EQ(::chown(entry.path().c_str(), 65534, 65534), 0);
    ASSERT_EQ(::chown(fx.data.c_str(), 65534, 65534), 0);
    ::chmod(fx.dir.path().c_str(), 0755);
  }
  fs::permissions(fx.data, fs::perms::owner_read | fs::perms::owner_exec,
                  fs::perm_options::replace);
  int status = run_as_nobody([&] {
    auto saved = save_settings(fx.data, fx.instance_settings(), fx.shared_settings());
    return saved.ok() ? 0 : static_cast<int>(saved.error().cause) + 1;
  });
  EXPECT_EQ(status, static_cast<int>(Cause::PermissionDenied) + 1);
  fs::permissions(fx.data, fs::perms::owner_all, fs::perm_options::replace);
  EXPECT_EQ(fx.snapshot(), before);
}

TEST(BadFolder, FolderWritableByOthersIsRefused) {
  FolderFixture fx;
  fs::permissions(fx.data, fs::perms::others_write, fs::perm_options::add);
  auto opened = open_folder(fx.data);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().cause, Cause::PermissionDenied);
}

// A tmpfs of a given size, unmounted on destruction.
class SmallDisk {
 public:
  SmallDisk(const fs::path& where, const char* size) : where_(where) {
    fs::create_directories(where);
    std::string options = std::string("size=") + size + ",mode=0700";
    mounted_ = ::mount("tmpfs", where.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(where_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  fs::path where_;
  bool mounted_ = false;
};

TEST(BadFolder, DiskFullDuringEnableIsDiskFullAndTheOldStateIsIntact) {
  FolderFixture fx;
  fs::path small = fx.dir / "small";
  SmallDisk disk(small, "256k");
  if (!disk.mounted()) GTEST_SKIP() << "mounting a tmpfs needs root (CI runs as root)";
  fs::path data = small / "data";
  fs::create_directories(data);
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
  for (const char* name : {"instance.properties", "shared.properties"})
    fs::copy_file(fx.data / name, data / name);
  // Fill the disk, leaving a little room: enough for the journal, not for everything.
  {
    std::vector<char> block(4096, 'x');
    FILE* filler = std::fopen((small / "filler").c_str(), "wb");
    ASSERT_NE(filler, nullptr);
    while (std::fwrite(block.data(), 1, block.size(), filler) == block.size() &&
           std::fflush(filler) == 0) {
    }
    std::fclose(filler);
    fs::resize_file(small / "filler", fs::file_size(small / "filler") - 4096 * 2);
  }
  std::map<std::string, Bytes> before;
  for (const char* name : {"instance.properties", "shared.properties"})
    before[name] = test::read_all(data / name);

  // Settings big enough not to fit in what is left.
  datadir::Properties shared = fx.shared_settings();
  ASSERT_TRUE(shared.set("redirect_allow", std::string(6000, 'a')).ok());
  FolderFixture::write_file(data / "shared.properties", shared.serialize());
  before["shared.properties"] = test::read_all(data / "shared.properties");

  auto enabled = enable_sks(data, fx.sks_config());
  ASSERT_FALSE(enabled.ok());
  EXPECT_EQ(enabled.error().cause, Cause::DiskFull) << enabled.error().describe();
  std::map<std::string, Bytes> after;
  for (const auto& entry : fs::directory_iterator(data)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".lock")) after[name] = test::read_all(entry.path());
  }
  EXPECT_EQ(after, before);
  // The plaintext folder still opens, and the key made for the failed change is gone.
  fs::remove(small / "filler");
  auto opened = open_folder(data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_FALSE(opened->sks);
  sks::HsmConnection hsm = sks::HsmConnection::open(fx.sks_config(), false).value();
  EXPECT_FALSE(sks::find_instance_key(
                   hsm.session(), {"SSO Connect Properties 123456789012", fx.chain.leaf_spki_sha1})
                   .ok());
}

}  // namespace
}  // namespace ssoc::settings
