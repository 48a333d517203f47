// The doctor's HSM checks against real modules: SoftHSM2, the test shim over it (faults and
// call counts) and the network HSM (stopped). Each fault fails the right check with its fix;
// the checks after it that need it are skipped; the PIN is tried once, never again.
#include <gtest/gtest.h>

#include "doctor_fixture.hpp"
#include "sks/hsm_connection.hpp"

namespace ssoc::doctor {
namespace {

using test::check;
using test::FolderFixture;
using test::outcome;
using Outcome = Check::Outcome;
using test::expect_skipped;
using test::has;

class DoctorHsm : public ::testing::Test {
 protected:
  explicit DoctorHsm(FolderFixture::Hsm hsm = FolderFixture::Hsm::SoftHsm) : fx(hsm) {
    test::write_settings(fx);
  }
  FolderFixture fx;
};

TEST_F(DoctorHsm, MissingModuleFailsTheLibraryCheck) {
  sks::SksConfig config = test::enable(fx);
  config.module = (fx.dir / "no-such-libCryptoki2_64.so").string();
  test::write_sks_properties(fx, config);
  Report report = run(fx.data);
  const Check& library = check(report, "pkcs11-library");
  EXPECT_EQ(library.outcome, Outcome::Fail);
  EXPECT_TRUE(has(library.detail, "module-not-found")) << library.detail;
  EXPECT_TRUE(has(library.detail, "no-such-libCryptoki2_64.so")) << library.detail;
  EXPECT_TRUE(has(library.fix, "HSM client software is installed")) << library.fix;
  expect_skipped(report, {"token-present", "login", "key", "gcm", "decrypt"}, "pkcs11-library");
  EXPECT_EQ(outcome(report, "certificate-chain"), Outcome::Ok);
}

TEST_F(DoctorHsm, LibraryCheckReportsTheModulesInformation) {
  test::enable(fx);
  const Check& library = check(run(fx.data), "pkcs11-library");
  EXPECT_EQ(library.outcome, Outcome::Ok);
  EXPECT_TRUE(has(library.detail, "SoftHSM")) << library.detail;
  EXPECT_TRUE(has(library.detail, "version ")) << library.detail;
}

TEST_F(DoctorHsm, WrongTokenLabelFailsTokenPresentListingThePresentTokens) {
  sks::SksConfig config = test::enable(fx);
  config.token.value = "no-such-partition";
  test::write_sks_properties(fx, config);
  Report report = run(fx.data);
  const Check& token = check(report, "token-present");
  EXPECT_EQ(token.outcome, Outcome::Fail);
  EXPECT_TRUE(has(token.detail, "hsm-unreachable")) << token.detail;
  EXPECT_TRUE(has(token.detail, "no-such-partition")) << token.detail;
  EXPECT_TRUE(has(token.detail, "'" + fx.token.token_label + "'")) << token.detail;
  EXPECT_TRUE(has(token.fix, "TCP 1792")) << token.fix;
  EXPECT_EQ(outcome(report, "pkcs11-library"), Outcome::Ok);
  expect_skipped(report, {"login", "key", "gcm", "decrypt"}, "token-present");
}

TEST_F(DoctorHsm, KeyDeletedFromTheTokenFailsTheKeyCheck) {
  sks::SksConfig config = test::enable(fx);
  {
    sks::HsmConnection hsm = sks::HsmConnection::open(config, true).value();
    CK_OBJECT_HANDLE key = sks::find_instance_key(hsm.session(), config.key).value();
    ASSERT_TRUE(hsm.session().destroy_object(key).ok());
  }
  Report report = run(fx.data);
  const Check& key = check(report, "key");
  EXPECT_EQ(key.outcome, Outcome::Fail);
  EXPECT_TRUE(has(key.detail, "key-missing")) << key.detail;
  EXPECT_TRUE(has(key.fix, "was the partition cleared?")) << key.fix;
  EXPECT_EQ(outcome(report, "login"), Outcome::Ok);
  EXPECT_EQ(outcome(report, "gcm"), Outcome::Ok);
  expect_skipped(report, {"decrypt", "ports"}, "key");
}

TEST_F(DoctorHsm, PinFromAnUnsetEnvironmentVariableFailsLoginWithoutAnAttempt) {
  sks::SksConfig config = test::enable(fx);
  config.pin_source = sks::SksConfig::PinSource::Env;
  config.pin_env = "SSOC_DOCTOR_TEST_UNSET_PIN";
  ::unsetenv(config.pin_env.c_str());
  test::write_sks_properties(fx, config);
  const Check& login = check(run(fx.data), "login");
  EXPECT_EQ(login.outcome, Outcome::Fail);
  EXPECT_TRUE(has(login.detail, "SSOC_DOCTOR_TEST_UNSET_PIN")) << login.detail;
  EXPECT_TRUE(has(login.detail, "no login was attempted")) << login.detail;
}

class DoctorThroughShim : public DoctorHsm {
 protected:
  DoctorThroughShim() : DoctorHsm(FolderFixture::Hsm::ShimOverSoftHsm) {}
  ssoc::test::Shim shim;
};

TEST_F(DoctorThroughShim, HealthyFolderPassesAndTheHsmChecksShareOneConnection) {
  test::enable(fx);
  shim.reset();
  Report report = run(fx.data);
  EXPECT_TRUE(report.all_ok()) << report.to_text();
  // One connection for the HSM checks, one for the decrypt check's open (as a start-up does).
  EXPECT_EQ(shim.count("C_Initialize"), 2u);
  EXPECT_EQ(shim.count("C_OpenSession"), 2u);
  EXPECT_EQ(shim.count("C_Login"), 2u);
  EXPECT_EQ(shim.count("C_CloseSession"), 2u);
  EXPECT_EQ(shim.count("C_Finalize"), 2u);
  EXPECT_EQ(shim.count("C_Logout"), 0u);
  // Nothing is created, changed or encrypted by a check.
  for (const char* fn : {"C_GenerateKey", "C_CreateObject", "C_DestroyObject",
                         "C_SetAttributeValue", "C_EncryptInit"})
    EXPECT_EQ(shim.count(fn), 0u) << fn;
  EXPECT_TRUE(has(check(report, "pkcs11-library").detail, "SSO Connect test shim"));
}

TEST_F(DoctorThroughShim, WrongPinFailsLoginAfterExactlyOneAttempt) {
  sks::SksConfig config = test::enable(fx);
  config.pin_inline = secret_from(std::string_view("wrong-pin-7391"));
  test::write_sks_properties(fx, config);
  shim.reset();
  Report report = run(fx.data);
  const Check& login = check(report, "login");
  EXPECT_EQ(login.outcome, Outcome::Fail);
  EXPECT_TRUE(has(login.detail, "pin-incorrect")) << login.detail;
  EXPECT_TRUE(has(login.detail, "no further attempt was made")) << login.detail;
  EXPECT_TRUE(has(login.fix, "password_file")) << login.fix;
  EXPECT_EQ(shim.count("C_Login"), 1u);
  EXPECT_EQ(outcome(report, "token-present"), Outcome::Ok);
  EXPECT_EQ(outcome(report, "gcm"), Outcome::Ok);
  expect_skipped(report, {"key", "decrypt", "ports"}, "login");
  EXPECT_FALSE(has(report.to_text() + report.to_json(), "wrong-pin-7391"));
}

TEST_F(DoctorThroughShim, LockedPinFailsLoginAskingTheHsmAdministrator) {
  test::enable(fx);
  shim.reset();
  shim.fail("C_Login", CKR_PIN_LOCKED);
  Report report = run(fx.data);
  const Check& login = check(report, "login");
  EXPECT_EQ(login.outcome, Outcome::Fail);
  EXPECT_TRUE(has(login.detail, "pin-locked")) << login.detail;
  EXPECT_TRUE(has(login.fix, "ask the HSM administrator")) << login.fix;
  EXPECT_EQ(shim.count("C_Login"), 1u);
  expect_skipped(report, {"key", "decrypt"}, "login");
}

TEST_F(DoctorThroughShim, HiddenGcmFailsTheGcmCheck) {
  test::enable(fx);
  shim.reset();
  shim.fail("CKM_AES_GCM", CKR_MECHANISM_INVALID);
  Report report = run(fx.data);
  const Check& gcm = check(report, "gcm");
  EXPECT_EQ(gcm.outcome, Outcome::Fail);
  EXPECT_TRUE(has(gcm.detail, "algorithm-unsupported")) << gcm.detail;
  EXPECT_TRUE(has(gcm.fix, "device provider")) << gcm.fix;
  EXPECT_EQ(outcome(report, "key"), Outcome::Ok);
  expect_skipped(report, {"decrypt", "ports"}, "gcm");
}

TEST_F(DoctorThroughShim, UnreachableTokenFailsTokenPresent) {
  test::enable(fx);
  shim.reset();
  shim.fail("C_GetSlotList", CKR_DEVICE_ERROR);
  Report report = run(fx.data);
  const Check& token = check(report, "token-present");
  EXPECT_EQ(token.outcome, Outcome::Fail);
  EXPECT_TRUE(has(token.detail, "CKR_DEVICE_ERROR")) << token.detail;
  EXPECT_EQ(shim.count("C_Login"), 0u);
}

TEST(DoctorNetworkHsm, StoppedHsmFailsTokenPresentAndSkipsTheLaterHsmChecks) {
  FolderFixture fx(FolderFixture::Hsm::NetworkSoftHsm);
  test::write_settings(fx);
  test::enable(fx);
  EXPECT_TRUE(run(fx.data).all_ok());
  fx.network->stop();
  Report report = run(fx.data);
  EXPECT_EQ(outcome(report, "pkcs11-library"), Outcome::Ok);
  const Check& token = check(report, "token-present");
  EXPECT_EQ(token.outcome, Outcome::Fail);
  EXPECT_TRUE(has(token.detail, "hsm-unreachable")) << token.detail;
  EXPECT_TRUE(has(token.fix, "network path to the HSM")) << token.fix;
  expect_skipped(report, {"login", "key", "gcm", "decrypt", "ports"}, "token-present");
  EXPECT_TRUE(test::valid_json(report.to_json()));
  fx.network->start();
  EXPECT_TRUE(run(fx.data).all_ok());
}

}  // namespace
}  // namespace ssoc::doctor
