// The PKCS#11 layer against real modules: SoftHSM2 and NSS softokn.
#include <gtest/gtest.h>

#include "pkcs11/module.hpp"
#include "pkcs11/rv.hpp"
#include "pkcs11/session.hpp"
#include "pkcs11/token.hpp"
#include "support/test_env.hpp"

namespace ssoc::pkcs11 {
namespace {

using test::TempDir;

SecretBytes pin_of(const test::TestToken& token) {
  return secret_from(std::string_view(token.pin));
}

TEST(Rv, NamesKnownAndVendorCodes) {
  EXPECT_EQ(rv_name(CKR_PIN_INCORRECT), "CKR_PIN_INCORRECT");
  EXPECT_EQ(rv_name(CKR_DEVICE_ERROR), "CKR_DEVICE_ERROR");
  EXPECT_EQ(rv_name(0x80000123UL), "CKR_0x80000123");
}

TEST(Rv, MapsEachReturnValueToItsDesignCause) {
  EXPECT_EQ(cause_of(CKR_DEVICE_ERROR), Cause::HsmUnreachable);
  EXPECT_EQ(cause_of(CKR_TOKEN_NOT_PRESENT), Cause::HsmUnreachable);
  EXPECT_EQ(cause_of(CKR_CRYPTOKI_NOT_INITIALIZED), Cause::HsmUnreachable);
  EXPECT_EQ(cause_of(CKR_PIN_INCORRECT), Cause::PinIncorrect);
  EXPECT_EQ(cause_of(CKR_PIN_LOCKED), Cause::PinLocked);
  EXPECT_EQ(cause_of(CKR_MECHANISM_INVALID), Cause::AlgorithmUnsupported);
  EXPECT_EQ(cause_of(CKR_KEY_HANDLE_INVALID), Cause::KeyMissing);
  EXPECT_EQ(cause_of(CKR_ENCRYPTED_DATA_INVALID), Cause::IntegrityFailure);
  EXPECT_EQ(cause_of(CKR_ARGUMENTS_BAD), Cause::HsmError);
  auto r = check(CKR_PIN_LOCKED, "C_Login");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "C_Login returned CKR_PIN_LOCKED");
  EXPECT_EQ(r.error().ck_rv, CKR_PIN_LOCKED);
}

TEST(Module, MissingLibraryIsModuleNotFound) {
  auto module = Module::load("/nonexistent/libCryptoki2_64.so");
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().cause, Cause::ModuleNotFound);
  EXPECT_NE(module.error().message.find("/nonexistent/libCryptoki2_64.so"), std::string::npos);
}

TEST(Module, LibraryWithoutFunctionListIsModuleNotFound) {
  auto module = Module::load("libz.so.1");
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error().cause, Cause::ModuleNotFound);
}

TEST(Module, SelectsSoftHsmTokenByLabelSerialAndSlot) {
  TempDir dir;
  auto token = test::make_softhsm_token(dir.path(), "alpha");
  auto module = Module::load(token.module_path);
  ASSERT_TRUE(module.ok()) << module.error().describe();
  auto slot = find_slot(*module, {TokenSelector::By::Label, "alpha"});
  ASSERT_TRUE(slot.ok()) << slot.error().describe();
  auto info = module->token_info(*slot);
  ASSERT_TRUE(info.ok());
  std::string serial = trim_field(info->serialNumber, sizeof info->serialNumber);
  auto by_serial = find_slot(*module, {TokenSelector::By::Serial, serial});
  ASSERT_TRUE(by_serial.ok());
  EXPECT_EQ(*by_serial, *slot);
  auto by_slot = find_slot(*module, {TokenSelector::By::Slot, std::to_string(*slot)});
  ASSERT_TRUE(by_slot.ok());
  EXPECT_EQ(*by_slot, *slot);

  auto missing = find_slot(*module, {TokenSelector::By::Label, "beta"});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().cause, Cause::HsmUnreachable);
  EXPECT_NE(missing.error().message.find("'alpha'"), std::string::npos);  // lists what is there
  auto bad_slot = find_slot(*module, {TokenSelector::By::Slot, "x1"});
  ASSERT_FALSE(bad_slot.ok());
  EXPECT_EQ(bad_slot.error().cause, Cause::InvalidSetting);
}

TEST(Session, WrongPinIsPinIncorrectAndRightPinLogsIn) {
  TempDir dir;
  auto token = test::make_softhsm_token(dir.path());
  auto module = Module::load(token.module_path);
  ASSERT_TRUE(module.ok());
  CK_SLOT_ID slot = find_slot(*module, {TokenSelector::By::Label, token.token_label}).value();
  auto session = Session::open(*module, slot, true);
  ASSERT_TRUE(session.ok());
  auto wrong = session->login(UserType::User, secret_from(std::string_view("0000")));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().cause, Cause::PinIncorrect);
  EXPECT_NE(wrong.error().message.find("CKR_PIN_INCORRECT"), std::string::npos);
  EXPECT_TRUE(session->login(UserType::User, pin_of(token)).ok());
  // Logging in twice is fine.
  EXPECT_TRUE(session->login(UserType::User, pin_of(token)).ok());
}

TEST(Session, CryptoUserLogsInAsLunaUserType) {
  EXPECT_EQ(to_ck(UserType::CryptoUser), 0x80000001UL);
  EXPECT_EQ(to_ck(UserType::User), CKU_USER);
  // SoftHSM2 has no Crypto User: it refuses the vendor user type, which shows the type reached
  // the module unchanged.
  TempDir dir;
  auto token = test::make_softhsm_token(dir.path());
  auto module = Module::load(token.module_path);
  ASSERT_TRUE(module.ok());
  CK_SLOT_ID slot = find_slot(*module, {TokenSelector::By::Label, token.token_label}).value();
  auto session = Session::open(*module, slot, false);
  ASSERT_TRUE(session.ok());
  auto login = session->login(UserType::CryptoUser, pin_of(token));
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.error().ck_rv, CKR_USER_TYPE_INVALID);
}

TEST(Session, CreatesFindsReadsAndDestroysObjectsOnNss) {
  TempDir dir;
  auto token = test::make_nss_token(dir.path());
  auto module = Module::load(token.module_path, token.init_args);
  ASSERT_TRUE(module.ok()) << module.error().describe();
  auto slot = find_slot(*module, {TokenSelector::By::Label, token.token_label});
  ASSERT_TRUE(slot.ok()) << slot.error().describe();
  auto session = Session::open(*module, *slot, true);
  ASSERT_TRUE(session.ok());
  ASSERT_TRUE(session->login(UserType::User, pin_of(token)).ok());

  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_AES;
  CK_ULONG length = 32;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  std::string label = "ssoc test key";
  CK_ATTRIBUTE tmpl[] = {attr(CKA_CLASS, cls),        attr(CKA_KEY_TYPE, type),
                         attr(CKA_VALUE_LEN, length), attr(CKA_TOKEN, yes),
                         attr(CKA_SENSITIVE, yes),    attr(CKA_EXTRACTABLE, no),
                         attr(CKA_ENCRYPT, yes),      attr_text(CKA_LABEL, label)};
  auto key = session->generate_key(CKM_AES_KEY_GEN, tmpl);
  ASSERT_TRUE(key.ok()) << key.error().describe();
  CK_ATTRIBUTE query[] = {attr_text(CKA_LABEL, label)};
  auto found = session->find(query);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(session->bool_attribute(*key, CKA_SENSITIVE).value(), true);
  auto value = session->attribute(*key, CKA_VALUE);
  ASSERT_FALSE(value.ok());  // sensitive: the HSM refuses to reveal it
  EXPECT_TRUE(session->destroy_object(*key).ok());
  EXPECT_TRUE(session->find(query)->empty());
}

}  // namespace
}  // namespace ssoc::pkcs11
