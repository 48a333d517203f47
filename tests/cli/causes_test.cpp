// Every DESIGN.md cause produced on purpose through the real binary, checked by its one ERROR
// line in logs/ssoconnect.log (beside the data folder) and its exit status.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include "cli/cli_support.hpp"
#include "settings/folder_changes.hpp"
#include "sks/hsm_connection.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::test {
namespace {

std::vector<std::string> error_lines(const fs::path& log) {
  std::vector<std::string> lines;
  std::string text = text_of(log);
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.find(" ERROR ") != std::string::npos) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

class Causes : public ::testing::Test {
 protected:
  void enable(FolderFixture& f) {
    auto enabled = settings::enable_sks(f.data, f.sks_config());
    ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
    key = enabled->key;
  }
  // Runs `command` on fx.data and checks status and the single ERROR line.
  void expect(const std::vector<std::string>& command, int status, const std::string& line_start,
              const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> args{"--data-dir", fx.data.string()};
    args.insert(args.end(), command.begin(), command.end());
    fs::remove(log);
    CliResult result = run_cli(args, env);
    EXPECT_EQ(result.status, status) << result.err;
    auto errors = error_lines(log);
    ASSERT_EQ(errors.size(), 1u) << text_of(log);
    EXPECT_NE(errors[0].find(" ERROR " + line_start), std::string::npos) << errors[0];
    // The same line reaches stderr.
    EXPECT_NE(result.err.find(line_start), std::string::npos) << result.err;
    // No secret in the log.
    EXPECT_EQ(text_of(log).find(fx.token.pin), std::string::npos);
  }
  std::string sks_line(const char* cause) {
    return std::string("Unable to use Secure Key Storage: ") + cause + ": ";
  }

  FolderFixture fx;
  fs::path log = fx.dir / "logs" / "ssoconnect.log";
  sks::KeyRef key;
};

TEST_F(Causes, ModuleNotFound) {
  enable(fx);
  std::string text = text_of(fx.data / "sks.properties");
  text.replace(text.find(fx.token.module_path), fx.token.module_path.size(),
               "/opt/none/libCryptoki2_64.so");
  write_all(fx.data / "sks.properties", as_bytes(text));
  expect({"start"}, 3, sks_line("module-not-found"));
}

TEST_F(Causes, PinIncorrect) {
  enable(fx);
  std::string text = text_of(fx.data / "sks.properties");
  text.replace(text.find("password=" + fx.token.pin), 9 + fx.token.pin.size(), "password=9999");
  write_all(fx.data / "sks.properties", as_bytes(text));
  expect({"start"}, 3, sks_line("pin-incorrect"));
}

TEST_F(Causes, DataFolderMissing) {
  fs::remove_all(fx.data);
  expect({"start"}, 3, sks_line("data-folder-missing"));
}

TEST_F(Causes, EncryptedFilesMissing) {
  enable(fx);
  fs::remove(fx.data / "shared.encp");
  expect({"start"}, 3, sks_line("encrypted-files-missing"));
}

TEST_F(Causes, KeyMissing) {
  enable(fx);
  {
    auto hsm = sks::HsmConnection::open(fx.sks_config(), true);
    ASSERT_TRUE(hsm.ok());
    ASSERT_TRUE(sks::delete_instance_key(hsm->session(), key).ok());
  }
  expect({"start"}, 3, sks_line("key-missing"));
}

TEST_F(Causes, IntegrityFailure) {
  enable(fx);
  Bytes encp = read_all(fx.data / "instance.encp");
  encp[encp.size() - 3] ^= 0x10;
  write_all(fx.data / "instance.encp", encp);
  expect({"start"}, 3, sks_line("integrity-failure"));
}

TEST_F(Causes, PermissionDenied) {
  fs::permissions(fx.data, fs::perms::others_write, fs::perm_options::add);
  expect({"start"}, 3, sks_line("permission-denied"));
}

TEST_F(Causes, CertificateChainMissing) {
  enable(fx);
  fs::rename(fx.chain.p12, fx.dir / "moved.p12");
  expect({"sks", "rotate"}, 3, sks_line("certificate-chain-missing"));
}

TEST_F(Causes, NotConfiguredIsAConfigurationFailure) {
  fs::remove(fx.data / "instance.properties");
  fs::remove(fx.data / "shared.properties");
  expect({"start"}, 4, "not-configured: ");
}

TEST_F(Causes, BadSettingNamesIt) {
  enable(fx);
  std::string text = text_of(fx.data / "sks.properties");
  text.replace(text.find("iv_mode=caller"), 14, "iv_mode=sideways");
  write_all(fx.data / "sks.properties", as_bytes(text));
  expect({"start"}, 4, "invalid-setting: sks.properties: iv_mode");
}

TEST_F(Causes, UsageErrorsExitTwo) {
  CliResult none = run_cli({});
  EXPECT_EQ(none.status, 2);
  EXPECT_NE(none.err.find("usage:"), std::string::npos);
  EXPECT_EQ(run_cli({"--data-dir", fx.data.string(), "frobnicate"}).status, 2);
  EXPECT_EQ(run_cli({"--data-dir", fx.data.string(), "config", "--delete-key"}).status, 2);
}

class ShimCauses : public Causes {
 protected:
  Shim shim;
  FolderFixture sfx{FolderFixture::Hsm::ShimOverSoftHsm};
  void SetUp() override {
    fx.data = sfx.data;
    fx.token = sfx.token;
    log = sfx.dir / "logs" / "ssoconnect.log";
    enable(sfx);
  }
};

TEST_F(ShimCauses, PinLocked) {
  expect({"start"}, 3, sks_line("pin-locked"), {{"SSOC_SHIM_FAIL", "C_Login=CKR_PIN_LOCKED"}});
}

TEST_F(ShimCauses, HsmUnreachableWhenTheTokenIsGone) {
  expect({"start"}, 3, sks_line("hsm-unreachable"),
         {{"SSOC_SHIM_FAIL", "C_OpenSession=CKR_TOKEN_NOT_PRESENT"}});
}

TEST_F(ShimCauses, HsmUnreachableOnDeviceError) {
  expect({"start"}, 3, sks_line("hsm-unreachable"),
         {{"SSOC_SHIM_FAIL", "C_Initialize=CKR_DEVICE_ERROR"}});
}

TEST_F(ShimCauses, AlgorithmUnsupported) {
  expect({"start"}, 3, sks_line("algorithm-unsupported"),
         {{"SSOC_SHIM_FAIL", "CKM_AES_GCM=CKR_MECHANISM_INVALID"}});
}

TEST(NetworkCauses, HsmUnreachableWhenTheNetworkHsmIsDown) {
  FolderFixture fx(FolderFixture::Hsm::NetworkSoftHsm);
  ASSERT_TRUE(settings::enable_sks(fx.data, fx.sks_config()).ok());
  fx.network->stop();
  CliResult result = run_cli({"--data-dir", fx.data.string(), "start"});
  EXPECT_EQ(result.status, 3);
  EXPECT_NE(result.err.find("Unable to use Secure Key Storage: hsm-unreachable: "),
            std::string::npos)
      << result.err;
}

TEST(DiskCauses, DiskFullDuringRotationKeepsTheOldState) {
  FolderFixture fx;
  fs::path small = fx.dir / "small";
  fs::create_directories(small);
  if (::mount("tmpfs", small.c_str(), "tmpfs", 0, "size=96k,mode=0700") != 0)
    GTEST_SKIP() << "mounting a tmpfs needs root (CI runs as root)";
  struct Unmount {
    fs::path where;
    ~Unmount() { ::umount2(where.c_str(), MNT_DETACH); }
  } unmount{small};
  fs::path data = small / "data";
  fs::create_directories(data);
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
  for (const char* name : {"instance.properties", "shared.properties"})
    fs::copy_file(fx.data / name, data / name);
  ASSERT_TRUE(settings::enable_sks(data, fx.sks_config()).ok());
  std::map<std::string, Bytes> before;
  for (const auto& entry : fs::directory_iterator(data))
    if (!entry.path().filename().string().ends_with(".lock"))
      before[entry.path().filename().string()] = read_all(entry.path());
  run_command("dd if=/dev/zero of=" + (small / "filler").string() + " bs=1024 2>/dev/null");
  fs::path log = fx.dir / "rotate.log";
  CliResult result =
      run_cli({"--data-dir", data.string(), "--log-file", log.string(), "sks", "rotate"});
  EXPECT_EQ(result.status, 3) << result.err;
  EXPECT_NE(text_of(log).find("Unable to use Secure Key Storage: disk-full: "), std::string::npos)
      << text_of(log);
  fs::remove(small / "filler");
  std::map<std::string, Bytes> after;
  for (const auto& entry : fs::directory_iterator(data))
    if (!entry.path().filename().string().ends_with(".lock"))
      after[entry.path().filename().string()] = read_all(entry.path());
  EXPECT_EQ(after, before);
}

}  // namespace
}  // namespace ssoc::test
