// The doctor on healthy folders (SKS on SoftHSM2, and plaintext) and on folders broken in the
// ways the original guide lists: each breakage fails the right check, with its fix, and the
// doctor never changes the folder.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "datadir/folder_lock.hpp"
#include "doctor_fixture.hpp"
#include "settings/layout.hpp"

namespace ssoc::doctor {
namespace {

using test::check;
using test::FolderFixture;
using test::outcome;
using Outcome = Check::Outcome;
using test::expect_skipped;
using test::has;

class DoctorFolder : public ::testing::Test {
 protected:
  DoctorFolder() { test::write_settings(fx); }
  FolderFixture fx;
};

TEST_F(DoctorFolder, HealthySksFolderPassesEveryCheck) {
  test::enable(fx);
  const auto before = fx.snapshot();
  Report report = run(fx.data);
  for (const Check& c : report.checks)
    EXPECT_EQ(c.outcome, Outcome::Ok) << c.id << ": " << c.detail << " / " << c.fix;
  EXPECT_TRUE(report.all_ok()) << report.to_text();
  EXPECT_TRUE(has(check(report, "token-present").detail, fx.token.token_label));
  EXPECT_TRUE(has(check(report, "key").detail, "SSO Connect Properties 123456789012"));
  EXPECT_TRUE(has(check(report, "decrypt").detail, "instance.encp and shared.encp decrypt"));
  EXPECT_TRUE(has(check(report, "ports").detail, "is free"));

  const std::string json = report.to_json();
  EXPECT_TRUE(test::valid_json(json));
  EXPECT_TRUE(has(json, R"({"ok":true,)"));
  for (const char* id : test::kIds)
    EXPECT_TRUE(has(json, "{\"id\":\"" + std::string(id) + "\",")) << id;
  // Never a secret: not the chain password, not a settings key.
  for (const std::string& text : {json, report.to_text()}) {
    EXPECT_FALSE(has(text, fx.chain.password));
    EXPECT_FALSE(has(text, "keystore-secret-pass"));
    EXPECT_FALSE(has(text, "bWFzdGVyLWtleS0zMi1ieXRlcy1mb3ItdGVzdHMtLS0="));
    EXPECT_FALSE(has(text, "aW5zdGFuY2Utc2VjcmV0LWtleS0zMi1ieXRlcy0tLS0="));
  }
  EXPECT_EQ(fx.snapshot(), before);
}

TEST_F(DoctorFolder, HealthyPlaintextFolderPassesWithTheSksChecksNotApplicable) {
  Report report = run(fx.data);
  EXPECT_TRUE(report.all_ok()) << report.to_text();
  for (const char* id :
       {"pkcs11-library", "token-present", "login", "key", "gcm", "certificate-chain"}) {
    EXPECT_EQ(outcome(report, id), Outcome::Ok) << id;
    EXPECT_EQ(check(report, id).detail, "not applicable: SKS is off") << id;
  }
  EXPECT_TRUE(has(check(report, "configuration").detail, "Secure Key Storage is off"));
  EXPECT_TRUE(has(check(report, "decrypt").detail, "SKS is off"));
  EXPECT_TRUE(test::valid_json(report.to_json()));
}

TEST_F(DoctorFolder, AbsentDataFolderFailsWithRestoreAdviceAndSkipsTheRest) {
  Report report = run(fx.dir / "no-such-data");
  EXPECT_FALSE(report.all_ok());
  EXPECT_EQ(outcome(report, "os"), Outcome::Ok);
  const Check& folder = check(report, "data-folder");
  EXPECT_EQ(folder.outcome, Outcome::Fail);
  EXPECT_TRUE(has(folder.detail, "data-folder-missing")) << folder.detail;
  EXPECT_EQ(folder.fix, "restore it from a backup or run `ssoconnect config`");
  for (const char* id : {"configuration", "login", "decrypt", "ports", "service"})
    EXPECT_EQ(outcome(report, id), Outcome::Skipped) << id;
  EXPECT_TRUE(has(report.to_text(), "FAIL Data folder: "));
  EXPECT_TRUE(has(report.to_text(), "     fix: restore it from a backup"));
}

TEST_F(DoctorFolder, FolderWritableByOthersFailsTheFolderCheck) {
  ::chmod(fx.data.c_str(), 0777);
  Report report = run(fx.data);
  const Check& folder = check(report, "data-folder");
  EXPECT_EQ(folder.outcome, Outcome::Fail);
  EXPECT_TRUE(has(folder.detail, "permission-denied")) << folder.detail;
  EXPECT_TRUE(has(folder.detail, "chmod 700")) << folder.detail;
  EXPECT_TRUE(has(folder.fix, "0700")) << folder.fix;
  EXPECT_EQ(outcome(report, "configuration"), Outcome::Ok);
  EXPECT_EQ(outcome(report, "decrypt"), Outcome::Skipped);
  EXPECT_FALSE(report.all_ok());
}

TEST_F(DoctorFolder, FolderReadableByOthersIsAWarningOnly) {
  ::chmod(fx.data.c_str(), 0755);
  Report report = run(fx.data);
  const Check& folder = check(report, "data-folder");
  EXPECT_EQ(folder.outcome, Outcome::Ok);
  EXPECT_TRUE(has(folder.detail, "warning: ")) << folder.detail;
  EXPECT_TRUE(has(folder.detail, "mode 0755")) << folder.detail;
}

TEST_F(DoctorFolder, LeftoverJournalFailsTheConfigurationCheckAndIsLeftAlone) {
  FolderFixture::write_file(fx.data / settings::kJournal,
                            secret_from(std::string_view("op=update\nphase=prepare\n")));
  const auto before = fx.snapshot();
  Report report = run(fx.data);
  const Check& configuration = check(report, "configuration");
  EXPECT_EQ(configuration.outcome, Outcome::Fail);
  EXPECT_TRUE(has(configuration.detail, "transition.journal")) << configuration.detail;
  EXPECT_TRUE(has(configuration.fix, "`ssoconnect start`")) << configuration.fix;
  EXPECT_EQ(outcome(report, "decrypt"), Outcome::Skipped);
  EXPECT_EQ(outcome(report, "ports"), Outcome::Skipped);
  // The doctor looks; recovering is the next start's job.
  EXPECT_EQ(fx.snapshot(), before);
}

TEST_F(DoctorFolder, StagedAndTemporaryFilesFailTheConfigurationCheck) {
  FolderFixture::write_file(fx.data / "instance.encp.next", secret_from(std::string_view("x")));
  FolderFixture::write_file(fx.data / ".shared.properties.tmp-ab12",
                            secret_from(std::string_view("x")));
  const Check& configuration = check(run(fx.data), "configuration");
  EXPECT_EQ(configuration.outcome, Outcome::Fail);
  EXPECT_TRUE(has(configuration.detail, "instance.encp.next")) << configuration.detail;
  EXPECT_TRUE(has(configuration.detail, ".shared.properties.tmp-ab12")) << configuration.detail;
}

TEST_F(DoctorFolder, MissingEncryptedFileFailsTheConfigurationCheckNamingIt) {
  test::enable(fx);
  fs::remove(fx.data / settings::kSharedEncp);
  Report report = run(fx.data);
  const Check& configuration = check(report, "configuration");
  EXPECT_EQ(configuration.outcome, Outcome::Fail);
  EXPECT_TRUE(has(configuration.detail, "encrypted-files-missing")) << configuration.detail;
  EXPECT_TRUE(has(configuration.fix, "restore shared.encp")) << configuration.fix;
  // The HSM checks still run: they do not need the files.
  EXPECT_EQ(outcome(report, "key"), Outcome::Ok);
  EXPECT_EQ(outcome(report, "decrypt"), Outcome::Skipped);
}

TEST_F(DoctorFolder, PlaintextSettingsBesideEncryptedOnesFailTheConfigurationCheck) {
  test::enable(fx);
  test::write_settings(fx);
  const Check& configuration = check(run(fx.data), "configuration");
  EXPECT_EQ(configuration.outcome, Outcome::Fail);
  EXPECT_TRUE(has(configuration.detail, "instance.properties, shared.properties"))
      << configuration.detail;
}

TEST_F(DoctorFolder, UnconfiguredFolderFailsTheConfigurationCheck) {
  fs::remove(fx.data / settings::kInstanceProperties);
  fs::remove(fx.data / settings::kSharedProperties);
  const Check& configuration = check(run(fx.data), "configuration");
  EXPECT_EQ(configuration.outcome, Outcome::Fail);
  EXPECT_TRUE(has(configuration.fix, "ssoconnect config")) << configuration.fix;
}

TEST_F(DoctorFolder, BitFlippedInstanceEncpFailsDecryptWithIntegrityFailure) {
  test::enable(fx);
  Bytes encp = ssoc::test::read_all(fx.data / settings::kInstanceEncp);
  encp[encp.size() - 3] ^= 0x01;
  FolderFixture::write_file(fx.data / settings::kInstanceEncp, secret_from(ByteView(encp)));
  Report report = run(fx.data);
  const Check& decrypt = check(report, "decrypt");
  EXPECT_EQ(decrypt.outcome, Outcome::Fail);
  EXPECT_TRUE(has(decrypt.detail, "integrity-failure")) << decrypt.detail;
  EXPECT_TRUE(has(decrypt.fix, "Restore the file from a backup")) << decrypt.fix;
  EXPECT_EQ(outcome(report, "key"), Outcome::Ok);
  EXPECT_EQ(outcome(report, "ports"), Outcome::Skipped);
}

TEST_F(DoctorFolder, ChainFileRemovedFailsTheCertificateChainCheck) {
  test::enable(fx);
  fs::remove(fx.chain.p12);
  Report report = run(fx.data);
  const Check& chain = check(report, "certificate-chain");
  EXPECT_EQ(chain.outcome, Outcome::Fail);
  EXPECT_TRUE(has(chain.detail, "certificate-chain-missing")) << chain.detail;
  EXPECT_TRUE(has(chain.fix, "cert_chain_file")) << chain.fix;
  // The settings still open: the chain is needed to store a key, not to use it.
  EXPECT_EQ(outcome(report, "decrypt"), Outcome::Ok);
}

TEST_F(DoctorFolder, ChainOfAnotherKeyFailsTheCertificateChainCheck) {
  sks::SksConfig config = test::enable(fx);
  fs::create_directories(fx.dir / "other");
  ssoc::test::TestChain other = ssoc::test::make_test_chain(fx.dir / "other", "other.test");
  config.cert_chain_file = other.p12.string();
  config.cert_chain_password = secret_from(std::string_view(other.password));
  test::write_sks_properties(fx, config);
  const Check& chain = check(run(fx.data), "certificate-chain");
  EXPECT_EQ(chain.outcome, Outcome::Fail);
  EXPECT_TRUE(has(chain.detail, "not the chain the key was made with")) << chain.detail;
}

TEST_F(DoctorFolder, PortInUseByAnotherProgramFailsThePortsCheck) {
  test::Listener other;
  test::write_settings(fx, other.port());
  Report report = run(fx.data);
  const Check& ports = check(report, "ports");
  EXPECT_EQ(ports.outcome, Outcome::Fail);
  EXPECT_TRUE(
      has(ports.detail, "127.0.0.1:" + other.port() + " (bind_address/bind_port) is in use"))
      << ports.detail;
  EXPECT_TRUE(has(ports.fix, "bind_port")) << ports.fix;
  other.close();
  EXPECT_EQ(outcome(run(fx.data), "ports"), Outcome::Ok);
}

TEST_F(DoctorFolder, PortHeldWhileTheServiceRunsIsTheServicesOwn) {
  test::Listener service_socket;
  test::write_settings(fx, service_socket.port());
  auto lock = datadir::FolderLock::acquire(fx.data, datadir::FolderLock::Kind::Service);
  ASSERT_TRUE(lock.ok()) << lock.error().describe();
  Report report = run(fx.data);
  const Check& ports = check(report, "ports");
  EXPECT_EQ(ports.outcome, Outcome::Ok) << ports.detail;
  EXPECT_TRUE(has(ports.detail, "held by the running SSO Connect service")) << ports.detail;
  EXPECT_TRUE(has(check(report, "service").detail, "is running"))
      << check(report, "service").detail;
}

TEST_F(DoctorFolder, ServiceCheckSaysWhenNoServiceRuns) {
  const Check& service = check(run(fx.data), "service");
  EXPECT_EQ(service.outcome, Outcome::Ok);
  EXPECT_TRUE(has(service.detail, "no SSO Connect service is running")) << service.detail;
}

TEST_F(DoctorFolder, LogCheckShowsTheLastSksErrorOfTheLogBesideTheFolder) {
  EXPECT_TRUE(has(check(run(fx.data), "log").detail, "no log file"));
  fs::create_directories(fx.dir / "logs");
  ssoc::test::write_all(fx.dir / "logs" / "ssoconnect.log",
                        as_bytes("2024-01-01T00:00:00Z ERROR Unable to use Secure Key Storage: "
                                 "hsm-unreachable: old\n"
                                 "2024-01-02T00:00:00Z ERROR Unable to use Secure Key Storage: "
                                 "key-missing: newest\n"
                                 "2024-01-03T00:00:00Z INFO started\n"));
  const Check& log = check(run(fx.data / ""), "log");
  EXPECT_EQ(log.outcome, Outcome::Ok);
  EXPECT_TRUE(has(log.detail, "key-missing: newest")) << log.detail;
  EXPECT_FALSE(has(log.detail, "hsm-unreachable")) << log.detail;
}

}  // namespace
}  // namespace ssoc::doctor
