// doctor, backup and restore through the real binary.
#include <gtest/gtest.h>

#include "cli/cli_support.hpp"
#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::test {
namespace {

bool json_parses(const std::string& text, const TempDir& dir) {
  write_all(dir / "doctor.json", as_bytes(text));
  return run_command("/usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' " +
                     (dir / "doctor.json").string()) == 0;
}

TEST(DoctorCommand, AllOkOnAHealthyFolderAndTheRightFailureOnABrokenOne) {
  FolderFixture fx;
  ASSERT_TRUE(settings::enable_sks(fx.data, fx.sks_config()).ok());
  CliResult healthy = run_cli({"--data-dir", fx.data.string(), "doctor"});
  EXPECT_EQ(healthy.status, 0) << healthy.out << healthy.err;
  EXPECT_EQ(healthy.out.find("FAIL"), std::string::npos) << healthy.out;
  CliResult json = run_cli({"--data-dir", fx.data.string(), "doctor", "--json"});
  EXPECT_EQ(json.status, 0);
  EXPECT_TRUE(json_parses(json.out, fx.dir)) << json.out;
  EXPECT_NE(json.out.find("\"ok\":true"), std::string::npos);

  fs::rename(fx.chain.p12, fx.dir / "moved.p12");
  CliResult broken = run_cli({"--data-dir", fx.data.string(), "doctor", "--json"});
  EXPECT_EQ(broken.status, 1);
  EXPECT_TRUE(json_parses(broken.out, fx.dir)) << broken.out;
  EXPECT_NE(broken.out.find("\"id\":\"certificate-chain\",\"title\":"), std::string::npos);
  EXPECT_NE(broken.out.find("\"ok\":false"), std::string::npos);
}

class BackupRestore : public ::testing::TestWithParam<bool> {};

TEST_P(BackupRestore, BackupWipeRestoreStart) {
  FolderFixture fx;
  if (GetParam()) {
    ASSERT_TRUE(settings::enable_sks(fx.data, fx.sks_config()).ok());
  }
  fs::path archive = fx.dir / "backup.ssocbkp";
  CliResult backup = run_cli({"--data-dir", fx.data.string(), "backup", "--out", archive.string()});
  ASSERT_EQ(backup.status, 0) << backup.err;
  if (GetParam()) {
    EXPECT_NE(backup.err.find("SSO Connect Properties 123456789012"), std::string::npos)
        << "the SKS warning names the key\n"
        << backup.err;
  }
  auto before = fx.snapshot();
  fs::remove_all(fx.data);

  // A damaged archive is refused and creates nothing.
  Bytes bytes = read_all(archive);
  Bytes truncated(bytes.begin(), bytes.begin() + bytes.size() / 2);
  write_all(fx.dir / "truncated.ssocbkp", truncated);
  CliResult refused =
      run_cli({"--data-dir", fx.data.string(), "restore", (fx.dir / "truncated.ssocbkp").string()});
  EXPECT_NE(refused.status, 0);
  EXPECT_FALSE(fs::exists(fx.data));

  CliResult restore = run_cli({"--data-dir", fx.data.string(), "restore", archive.string()});
  ASSERT_EQ(restore.status, 0) << restore.err;
  auto after = fx.snapshot();
  for (const auto& [name, content] : before) EXPECT_EQ(after[name], content) << name;

  fs::path log = fx.dir / "service.log";
  RunningService service(fx.data, log);
  EXPECT_TRUE(service.wait_for_log(" ready")) << text_of(log);
  // Refused while the service runs.
  CliResult busy = run_cli({"--data-dir", fx.data.string(), "restore", archive.string()});
  EXPECT_NE(busy.status, 0);
  EXPECT_EQ(service.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(Sks, BackupRestore, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "SksOn" : "SksOff"; });

}  // namespace
}  // namespace ssoc::test

namespace ssoc::test {
namespace {

TEST(AnswersCommand, AWrongKeyIsAnExitFourErrorNamingIt) {
  FolderFixture fx;
  auto before = fx.snapshot();
  fs::path answers = fx.dir / "answers.properties";
  write_all(answers, as_bytes("external_host=sso.example.com\nexternal_prot=8443\n"));
  ::chmod(answers.c_str(), 0600);
  CliResult result =
      run_cli({"--data-dir", fx.data.string(), "config", "--answers", answers.string()});
  EXPECT_EQ(result.status, 4) << result.err;
  EXPECT_NE(result.err.find("invalid-setting: "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("external_prot"), std::string::npos) << result.err;
  EXPECT_EQ(fx.snapshot(), before);
}

}  // namespace
}  // namespace ssoc::test
