// Which return values make sks::HsmConnection finalise and initialise the module again.
#include <gtest/gtest.h>

#include "pkcs11/rv.hpp"

namespace ssoc::pkcs11 {
namespace {

TEST(Rv, TheLinkLostValuesNeedAReinitialisation) {
  for (CK_RV rv : {CKR_DEVICE_ERROR, CKR_SESSION_HANDLE_INVALID, CKR_CRYPTOKI_NOT_INITIALIZED,
                   CKR_TOKEN_NOT_PRESENT}) {
    EXPECT_TRUE(needs_reinitialize(rv)) << rv_name(rv);
    EXPECT_EQ(cause_of(rv), Cause::HsmUnreachable) << rv_name(rv);
  }
  // A refused PIN, a missing key or a bad file are not cured by initialising again.
  for (CK_RV rv :
       {CKR_OK, CKR_PIN_INCORRECT, CKR_PIN_LOCKED, CKR_GENERAL_ERROR, CKR_KEY_HANDLE_INVALID,
        CKR_ENCRYPTED_DATA_INVALID, CKR_MECHANISM_INVALID, CKR_ARGUMENTS_BAD})
    EXPECT_FALSE(needs_reinitialize(rv)) << rv_name(rv);
}

}  // namespace
}  // namespace ssoc::pkcs11
