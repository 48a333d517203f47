// `ssoconnect start`, `status`, `-disableSKS` and `sks rotate` through the real binary.
#include <gtest/gtest.h>

#include "cli/cli_support.hpp"
#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::test {
namespace {

TEST(Start, SaysReadyRefusesASecondServiceAndStopsCleanlyOnSigterm) {
  FolderFixture fx;
  ASSERT_TRUE(settings::enable_sks(fx.data, fx.sks_config()).ok());
  fs::path log = fx.dir / "service.log";
  RunningService service(fx.data, log);
  ASSERT_TRUE(service.wait_for_log("SSO Connect " SSOC_VERSION " ready")) << text_of(log);

  CliResult second = run_cli({"--data-dir", fx.data.string(), "start"});
  EXPECT_EQ(second.status, 1);
  EXPECT_NE(second.err.find("another SSO Connect service is running"), std::string::npos)
      << second.err;

  CliResult status = run_cli({"--data-dir", fx.data.string(), "status"});
  EXPECT_EQ(status.status, 0) << status.err;
  EXPECT_NE(status.out.find("\"status\":\"Ready\",\"sso\":\"Running\""), std::string::npos)
      << status.out;
  EXPECT_NE(
      status.out.find("\"enabled\":true,\"key_label\":\"SSO Connect Properties 123456789012\""),
      std::string::npos)
      << status.out;

  EXPECT_EQ(service.stop(), 0);
  EXPECT_NE(text_of(log).find("SSO Connect stopping (SIGTERM)"), std::string::npos);
  // The process is not dumpable: settings and keys live in its memory.
}

TEST(Start, ReloadsOnSighupAndKeepsTheOldSettingsWhenTheReloadFails) {
  FolderFixture fx;
  ASSERT_TRUE(settings::enable_sks(fx.data, fx.sks_config()).ok());
  fs::path log = fx.dir / "service.log";
  RunningService service(fx.data, log);
  ASSERT_TRUE(service.wait_for_log(" ready"));
  // A rotation asks the service to reload.
  CliResult rotate = run_cli({"--data-dir", fx.data.string(), "--log-file",
                              (fx.dir / "rotate.log").string(), "sks", "rotate"});
  EXPECT_EQ(rotate.status, 0) << rotate.err;
  EXPECT_TRUE(service.wait_for_log("settings reloaded")) << text_of(log);
  // A broken folder: the reload fails, the service goes on.
  Bytes encp = read_all(fx.data / "shared.encp");
  encp[encp.size() - 1] ^= 1;
  write_all(fx.data / "shared.encp", encp);
  service.signal(SIGHUP);
  EXPECT_TRUE(service.wait_for_log("the service keeps running with the old ones")) << text_of(log);
  EXPECT_EQ(service.stop(), 0);
}

TEST(Status, DescribesAStoppedFolder) {
  FolderFixture fx;
  CliResult plain = run_cli({"--data-dir", fx.data.string(), "status"});
  EXPECT_EQ(plain.status, 0);
  EXPECT_EQ(plain.out,
            "{\"status\":\"Ready\",\"sso\":\"Stopped\",\"configuration\":\"Stopped\",\"version\":"
            "\"" SSOC_VERSION
            "\",\"sync_revision\":0,\"sync\":\"\",\"sks\":{\"enabled\":false,"
            "\"key_label\":\"\"}}\n");
  fs::remove(fx.data / "instance.properties");
  CliResult unconfigured = run_cli({"--data-dir", fx.data.string(), "status"});
  EXPECT_EQ(unconfigured.status, 0);
  EXPECT_NE(unconfigured.out.find("\"status\":\"NotConfigured\""), std::string::npos);
}

TEST(DisableSks, OriginalSpellingDecryptsAndKeepsTheKeyUnlessAsked) {
  FolderFixture fx;
  auto enabled = settings::enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(enabled.ok());
  CliResult off = run_cli({"--data-dir", fx.data.string(), "-disableSKS"});
  EXPECT_EQ(off.status, 0) << off.err;
  EXPECT_TRUE(fs::exists(fx.data / "instance.properties"));
  EXPECT_FALSE(fs::exists(fx.data / "sks.properties"));
  {
    auto hsm = sks::HsmConnection::open(fx.sks_config(), false);
    ASSERT_TRUE(hsm.ok());
    EXPECT_TRUE(sks::find_instance_key(hsm->session(), enabled->key).ok());
  }
  auto again = settings::enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(again.ok());
  CliResult deleted =
      run_cli({"--data-dir", fx.data.string(), "config", "--disable-sks", "--delete-key"});
  EXPECT_EQ(deleted.status, 0) << deleted.err;
  auto hsm = sks::HsmConnection::open(fx.sks_config(), false);
  ASSERT_TRUE(hsm.ok());
  EXPECT_FALSE(sks::find_instance_key(hsm->session(), again->key).ok());
  EXPECT_TRUE(settings::open_folder(fx.data).ok());
}

}  // namespace
}  // namespace ssoc::test
