// Checks of the values callers hand to the store, before any SQL runs (Cause::InvalidInput).
#pragma once

#include <string_view>

#include "common/result.hpp"
#include "common/secret.hpp"
#include "store/store.hpp"

namespace ssoc::store {

// `what` names the value in the message ("the user id").
Result<void> check_id(std::string_view what, std::string_view id);      // 1..kMaxTextBytes bytes
Result<void> check_text(std::string_view what, std::string_view text);  // <= kMaxTextBytes
Result<void> check_blob(std::string_view what, ByteView blob);          // <= kMaxBlobBytes

Result<void> check_user(const User& user);  // also: the encrypted password is not empty
Result<void> check_transaction(const LoginTransaction& transaction);

}  // namespace ssoc::store
