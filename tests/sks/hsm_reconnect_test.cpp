// Reaching the HSM after a passing loss of it (hsm_connection.hpp): the test shim wraps SoftHSM2
// and returns the injected values; the module is finalised and initialised again, with back-off
// and a bounded number of attempts, and a PIN the HSM may have counted is never tried twice. The
// network HSM (tests/pkcs11/nethsm), frozen, is the HSM that never answers: the deadline ends the
// wait, and no second attempt enters the module while the first is stuck in it.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "pkcs11/rv.hpp"
#include "sks/hsm_connection.hpp"
#include "sks/hsm_deadline.hpp"
#include "sks/instance_key.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::sks {
namespace {

using test::FolderFixture;
using Clock = std::chrono::steady_clock;

struct Recoverable {
  const char* function;
  CK_RV rv;
};
void PrintTo(const Recoverable& r, std::ostream* os) {
  *os << r.function << "=" << pkcs11::rv_name(r.rv);
}

class Reinitialise : public ::testing::TestWithParam<Recoverable> {
 protected:
  FolderFixture fx{FolderFixture::Hsm::ShimOverSoftHsm};
  test::Shim shim;
};

TEST_P(Reinitialise, FinalisesAndInitialisesTheModuleAgainThenSucceeds) {
  const std::string function = GetParam().function;
  // What a clean open calls (C_GetSlotList twice: the count, then the list).
  shim.reset();
  ASSERT_TRUE(HsmConnection::open(fx.sks_config(), false).ok());
  const unsigned long clean_calls = shim.count(function.c_str());

  shim.reset();
  shim.fail(function.c_str(), GetParam().rv, 1);
  auto hsm = HsmConnection::open(fx.sks_config(), false);
  ASSERT_TRUE(hsm.ok()) << hsm.error().describe();
  // Two initialisations with one finalisation while the connection is alive: the order can only
  // have been initialise, finalise, initialise. (A failed C_Initialize leaves nothing to
  // finalise.)
  EXPECT_EQ(shim.count("C_Initialize"), 2u);
  EXPECT_EQ(shim.count("C_Finalize"), function == "C_Initialize" ? 0u : 1u);
  EXPECT_EQ(shim.count(function.c_str()), clean_calls + 1);
  EXPECT_EQ(shim.count("C_Login"), function == "C_Login" ? 2u : 1u);
  // The session works.
  EXPECT_TRUE(hsm->session().random(16).ok());
}

INSTANTIATE_TEST_SUITE_P(AfterLosingTheHsm, Reinitialise,
                         ::testing::Values(Recoverable{"C_Initialize", CKR_DEVICE_ERROR},
                                           Recoverable{"C_OpenSession", CKR_DEVICE_ERROR},
                                           Recoverable{"C_GetSlotList",
                                                       CKR_CRYPTOKI_NOT_INITIALIZED},
                                           Recoverable{"C_GetTokenInfo", CKR_TOKEN_NOT_PRESENT},
                                           Recoverable{"C_Login", CKR_SESSION_HANDLE_INVALID}),
                         [](const auto& info) {
                           return std::string(info.param.function).substr(2) + "_" +
                                  pkcs11::rv_name(info.param.rv);
                         });

class Reconnect : public ::testing::Test {
 protected:
  FolderFixture fx{FolderFixture::Hsm::ShimOverSoftHsm};
  test::Shim shim;
};

TEST_F(Reconnect, GivesUpAfterItsAttemptsWithBackOffAndReportsHsmUnreachable) {
  shim.reset();
  shim.fail("C_OpenSession", CKR_DEVICE_ERROR);
  auto started = Clock::now();
  auto hsm = HsmConnection::open(fx.sks_config(), false);
  auto waited = Clock::now() - started;
  ASSERT_FALSE(hsm.ok());
  EXPECT_EQ(hsm.error().cause, Cause::HsmUnreachable);
  EXPECT_EQ(hsm.error().ck_rv, CKR_DEVICE_ERROR);
  EXPECT_NE(hsm.error().message.find("C_OpenSession returned CKR_DEVICE_ERROR"), std::string::npos)
      << hsm.error().message;
  EXPECT_NE(hsm.error().message.find("3 attempts"), std::string::npos) << hsm.error().message;
  EXPECT_EQ(shim.count("C_Initialize"), unsigned(HsmConnection::kAttempts));
  EXPECT_EQ(shim.count("C_Finalize"), unsigned(HsmConnection::kAttempts));
  EXPECT_EQ(shim.count("C_Login"), 0u);
  // The back-off waited between the attempts (250 ms, then 500 ms).
  EXPECT_GE(waited, HsmConnection::kBackOff * 3);
}

TEST_F(Reconnect, NeverRepeatsALoginTheHsmMayHaveCounted) {
  for (CK_RV rv : {CKR_DEVICE_ERROR, CKR_PIN_INCORRECT}) {
    shim.reset();
    shim.fail("C_Login", rv, 1);
    auto hsm = HsmConnection::open(fx.sks_config(), false);
    ASSERT_FALSE(hsm.ok()) << pkcs11::rv_name(rv);
    EXPECT_EQ(hsm.error().ck_rv, rv);
    EXPECT_EQ(shim.count("C_Login"), 1u) << pkcs11::rv_name(rv);
    EXPECT_EQ(shim.count("C_Initialize"), 1u) << pkcs11::rv_name(rv);
  }
}

TEST_F(Reconnect, OtherFailuresAreReportedAtOnce) {
  shim.reset();
  shim.fail("C_GetSlotList", CKR_GENERAL_ERROR);
  auto hsm = HsmConnection::open(fx.sks_config(), false);
  ASSERT_FALSE(hsm.ok());
  EXPECT_EQ(hsm.error().ck_rv, CKR_GENERAL_ERROR);
  EXPECT_EQ(shim.count("C_Initialize"), 1u);
  EXPECT_EQ(hsm.error().message.find("attempts"), std::string::npos) << hsm.error().message;
}

// Calls on the session after the open are not retried: the failure ends the connection (session
// closed, module finalised) before it is reported, and the next open initialises afresh.
TEST_F(Reconnect, AFailureAfterTheOpenIsReportedWithTheModuleFinalisedAndTheNextOpenStartsAfresh) {
  shim.reset();
  const KeyRef absent{"SSO Connect Properties 123456789012", Bytes{0x01}};
  auto use_once = [&] {
    auto hsm = HsmConnection::open(fx.sks_config(), false);
    if (!hsm) return hsm.error();
    shim.fail("C_FindObjectsInit", CKR_SESSION_HANDLE_INVALID, 1);
    auto key = find_instance_key(hsm->session(), absent);
    return key ? fail(Cause::Internal, "found a key that does not exist") : key.error();
  };
  Error lost = use_once();
  EXPECT_EQ(lost.cause, Cause::HsmUnreachable) << lost.describe();
  EXPECT_EQ(lost.ck_rv, CKR_SESSION_HANDLE_INVALID);
  EXPECT_EQ(shim.count("C_Initialize"), 1u);
  EXPECT_EQ(shim.count("C_Finalize"), 1u);

  auto again = HsmConnection::open(fx.sks_config(), false);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(shim.count("C_Initialize"), 2u);
  auto key = find_instance_key(again->session(), absent);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.error().cause, Cause::KeyMissing) << key.error().describe();
}

TEST_F(Reconnect, TryModuleInitialisesAndFinalisesALibraryAndNamesAMissingOne) {
  shim.reset();
  ASSERT_TRUE(try_module(fx.token.module_path, "").ok());
  EXPECT_EQ(shim.count("C_Initialize"), 1u);
  EXPECT_EQ(shim.count("C_Finalize"), 1u);
  auto missing = try_module("/opt/absent/libCryptoki2_64.so", "");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().cause, Cause::ModuleNotFound) << missing.error().describe();
}

TEST(HsmDeadline, AnHsmThatNeverAnswersIsUnreachableAtTheDeadlineAndBlocksNoLaterAttempt) {
  FolderFixture fx(FolderFixture::Hsm::NetworkSoftHsm);
  // The module would wait a minute per call: only the deadline can end the wait.
  fx.token.init_args += " timeout_ms=60000";
  SksConfig config = fx.sks_config();
  config.hsm_timeout = std::chrono::seconds(1);
  ASSERT_TRUE(HsmConnection::open(config, false).ok());

  fx.network->freeze();
  auto started = Clock::now();
  auto frozen = HsmConnection::open(config, false);
  auto waited = Clock::now() - started;
  ASSERT_FALSE(frozen.ok());
  EXPECT_EQ(frozen.error().cause, Cause::HsmUnreachable);
  EXPECT_NE(frozen.error().message.find("did not finish within 1 s"), std::string::npos)
      << frozen.error().message;
  EXPECT_LT(waited, std::chrono::seconds(20));  // "it does not hang", not a benchmark
  EXPECT_TRUE(hsm_attempt_abandoned());

  // The stuck attempt is still inside the module: a new one is refused without entering it.
  auto refused = HsmConnection::open(config, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().cause, Cause::HsmUnreachable);
  EXPECT_NE(refused.error().message.find("earlier attempt"), std::string::npos)
      << refused.error().message;

  // Answering again, the stuck attempt ends (and finalises the module); then all is well.
  fx.network->thaw();
  for (int i = 0; i < 400 && hsm_attempt_abandoned(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(hsm_attempt_abandoned());
  auto back = HsmConnection::open(config, false);
  ASSERT_TRUE(back.ok()) << back.error().describe();
}

TEST(HsmTimeoutSetting, DefaultsToTenSecondsAndIsCheckedAndKept) {
  SksConfig config;
  config.instance_id = test::kInstanceId;
  config.module = "/usr/lib/softhsm/libsofthsm2.so";
  config.token = {pkcs11::TokenSelector::By::Label, "ssoc-test"};
  config.pin_env = "SSOC_TEST_PIN";
  config.pin_source = SksConfig::PinSource::Env;
  datadir::Properties p = config.to_properties();
  EXPECT_FALSE(p.get("hsm_timeout"));
  auto plain = SksConfig::from_properties(p);
  ASSERT_TRUE(plain.ok()) << plain.error().describe();
  EXPECT_EQ(plain->hsm_timeout, std::chrono::seconds(10));

  ASSERT_TRUE(p.set("hsm_timeout", "3").ok());
  auto three = SksConfig::from_properties(p);
  ASSERT_TRUE(three.ok()) << three.error().describe();
  EXPECT_EQ(three->hsm_timeout, std::chrono::seconds(3));
  EXPECT_EQ(three->to_properties().get("hsm_timeout").value_or(""), "3");

  for (const char* bad : {"0", "301", "ten", "5s", "-1"}) {
    ASSERT_TRUE(p.set("hsm_timeout", bad).ok());
    auto refused = SksConfig::from_properties(p);
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().cause, Cause::InvalidSetting);
    EXPECT_NE(refused.error().message.find("hsm_timeout"), std::string::npos);
  }
}

}  // namespace
}  // namespace ssoc::sks
