// Through the test shim (tests/pkcs11/shim) over SoftHSM2: the HSM calls an open makes, the
// vendors' IV behaviours, and each injected fault with its DESIGN.md cause.
#include <gtest/gtest.h>

#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::settings {
namespace {

using test::FolderFixture;

class ThroughShim : public ::testing::Test {
 protected:
  test::Shim shim;
  FolderFixture fx{FolderFixture::Hsm::ShimOverSoftHsm};
};

TEST_F(ThroughShim, OpeningTouchesTheHsmOnceWithOneLookupAndTwoDecrypts) {
  ASSERT_TRUE(enable_sks(fx.data, fx.sks_config()).ok());
  shim.reset();
  auto opened = open_folder(fx.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(shim.count("C_Initialize"), 1u);
  EXPECT_EQ(shim.count("C_OpenSession"), 1u);
  EXPECT_EQ(shim.count("C_Login"), 1u);
  EXPECT_EQ(shim.count("C_FindObjectsInit"), 1u);
  EXPECT_EQ(shim.count("C_DecryptInit"), 2u);
  EXPECT_EQ(shim.count("C_Decrypt"), 2u);
  EXPECT_EQ(shim.count("C_EncryptInit"), 0u);
  EXPECT_EQ(shim.count("C_GenerateKey"), 0u);
  EXPECT_EQ(shim.count("C_CreateObject"), 0u);
  EXPECT_EQ(shim.count("C_Logout"), 0u);
  EXPECT_EQ(shim.count("C_CloseSession"), 1u);
  EXPECT_EQ(shim.count("C_Finalize"), 1u);
  // A plaintext folder does not touch the HSM at all.
  ASSERT_TRUE(disable_sks(fx.data, true).ok());
  shim.reset();
  ASSERT_TRUE(open_folder(fx.data).ok());
  EXPECT_EQ(shim.count("C_Initialize"), 0u);
}

struct VendorCase {
  const char* shim_mode;
  sks::IvMode expected;
};

class VendorIv : public ThroughShim, public ::testing::WithParamInterface<VendorCase> {};

TEST_P(VendorIv, AutoFindsTheModeAndEveryChangeWorks) {
  shim.iv_mode(GetParam().shim_mode);
  auto enabled = enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
  EXPECT_EQ(enabled->iv_mode, GetParam().expected);
  auto opened = open_folder(fx.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(opened->shared.get("master_key_id").value_or(""), "1");
  ASSERT_TRUE(rotate_key(fx.data).ok());
  ASSERT_TRUE(open_folder(fx.data).ok());
  ASSERT_TRUE(disable_sks(fx.data, true).ok());
  ASSERT_TRUE(open_folder(fx.data).ok());
}

TEST_P(VendorIv, ARecordedModeThatTheHsmDoesNotFollowFailsClearly) {
  shim.iv_mode(GetParam().shim_mode);
  ASSERT_TRUE(enable_sks(fx.data, fx.sks_config()).ok());
  // The HSM's firmware changes behaviour (e.g. FIPS mode switched): opening must not silently
  // succeed with wrong data.
  shim.iv_mode(GetParam().expected == sks::IvMode::HsmAppended ? "caller" : "luna-fips");
  auto opened = open_folder(fx.data);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().cause, Cause::IntegrityFailure);
}

INSTANTIATE_TEST_SUITE_P(Vendors, VendorIv,
                         ::testing::Values(VendorCase{"caller", sks::IvMode::Caller},
                                           VendorCase{"cloudhsm", sks::IvMode::Hsm},
                                           VendorCase{"luna-fips", sks::IvMode::HsmAppended}),
                         [](const auto& info) {
                           std::string name = info.param.shim_mode;
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

struct FaultCase {
  const char* function;
  unsigned long rv;
  Cause expected;
};

class OpenFault : public ThroughShim, public ::testing::WithParamInterface<FaultCase> {};

TEST_P(OpenFault, GivesItsDesignCauseAndTouchesNoFile) {
  ASSERT_TRUE(enable_sks(fx.data, fx.sks_config()).ok());
  auto before = fx.snapshot();
  shim.reset();
  shim.fail(GetParam().function, GetParam().rv);
  auto opened = open_folder(fx.data);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().cause, GetParam().expected) << opened.error().describe();
  EXPECT_NE(opened.error().message.find(GetParam().function), std::string::npos)
      << opened.error().message;
  EXPECT_EQ(fx.snapshot(), before);
  // A refused PIN is never retried: retries would lock the partition.
  EXPECT_LE(shim.count("C_Login"), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, OpenFault,
    ::testing::Values(FaultCase{"C_Initialize", CKR_DEVICE_ERROR, Cause::HsmUnreachable},
                      FaultCase{"C_GetSlotList", CKR_DEVICE_ERROR, Cause::HsmUnreachable},
                      FaultCase{"C_OpenSession", CKR_TOKEN_NOT_PRESENT, Cause::HsmUnreachable},
                      FaultCase{"C_Login", CKR_PIN_INCORRECT, Cause::PinIncorrect},
                      FaultCase{"C_Login", CKR_PIN_LOCKED, Cause::PinLocked},
                      FaultCase{"C_FindObjectsInit", CKR_DEVICE_ERROR, Cause::HsmUnreachable},
                      FaultCase{"C_DecryptInit", CKR_MECHANISM_INVALID,
                                Cause::AlgorithmUnsupported},
                      FaultCase{"C_Decrypt", CKR_DEVICE_ERROR, Cause::HsmUnreachable},
                      FaultCase{"C_Decrypt", CKR_GENERAL_ERROR, Cause::IntegrityFailure}),
    [](const auto& info) {
      return std::string(info.param.function).substr(2) + "_" +
             std::string(cause_name(info.param.expected))
                 .replace(std::string(cause_name(info.param.expected)).find('-'), 1, "_");
    });

TEST_F(ThroughShim, TokenWithoutGcmCannotEnableAndNothingIsCreated) {
  auto before = fx.snapshot();
  shim.fail("CKM_AES_GCM", CKR_MECHANISM_INVALID);
  auto enabled = enable_sks(fx.data, fx.sks_config());
  ASSERT_FALSE(enabled.ok());
  EXPECT_EQ(enabled.error().cause, Cause::AlgorithmUnsupported);
  EXPECT_NE(enabled.error().message.find("CKM_AES_GCM"), std::string::npos);
  EXPECT_EQ(fx.snapshot(), before);
  EXPECT_EQ(shim.count("C_GenerateKey"), 0u);
}

TEST_F(ThroughShim, FaultDuringEnableRollsBackAndDestroysTheNewKey) {
  auto before = fx.snapshot();
  shim.fail("C_Encrypt", CKR_DEVICE_ERROR, 1);
  sks::SksConfig config = fx.sks_config();
  config.iv_mode = sks::IvMode::Caller;  // no probe: the first C_Encrypt seals a file
  auto enabled = enable_sks(fx.data, config);
  ASSERT_FALSE(enabled.ok());
  EXPECT_EQ(enabled.error().cause, Cause::HsmUnreachable);
  EXPECT_EQ(fx.snapshot(), before);
  EXPECT_EQ(shim.count("C_GenerateKey"), 1u);
  EXPECT_GE(shim.count("C_DestroyObject"), 1u);
  // The label is free again: the next enable gets generation 1.
  auto retried = enable_sks(fx.data, config);
  ASSERT_TRUE(retried.ok()) << retried.error().describe();
  EXPECT_EQ(retried->key.label, "SSO Connect Properties 123456789012");
}

TEST(ModuleFault, MissingModuleIsModuleNotFound) {
  FolderFixture fx;
  ASSERT_TRUE(enable_sks(fx.data, fx.sks_config()).ok());
  auto text = test::read_all(fx.data / "sks.properties");
  std::string edited(text.begin(), text.end());
  edited.replace(edited.find(fx.token.module_path), fx.token.module_path.size(),
                 "/opt/absent/libCryptoki2_64.so");
  test::write_all(fx.data / "sks.properties", as_bytes(edited));
  auto opened = open_folder(fx.data);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().cause, Cause::ModuleNotFound);
}

}  // namespace
}  // namespace ssoc::settings
