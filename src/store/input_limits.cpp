#include "store/input_limits.hpp"

#include <string>

namespace ssoc::store {
namespace {

Error too_long(std::string_view what, std::size_t size, std::size_t limit) {
  return fail(Cause::InvalidInput,
              std::string(what) + " is " + std::to_string(size) + " bytes long, more than the " +
                  std::to_string(limit) +
                  " the store accepts; it was refused. Check where it comes from (the identity "
                  "provider's attributes or the login request).");
}

}  // namespace

Result<void> check_id(std::string_view what, std::string_view id) {
  if (id.empty()) {
    return fail(Cause::InvalidInput, std::string(what) +
                                         " is empty; the store refused it. Check where it comes "
                                         "from (the identity provider's attributes or the "
                                         "login request).");
  }
  return check_text(what, id);
}

Result<void> check_text(std::string_view what, std::string_view text) {
  if (text.size() > kMaxTextBytes) return too_long(what, text.size(), kMaxTextBytes);
  return success();
}

Result<void> check_blob(std::string_view what, ByteView blob) {
  if (blob.size() > kMaxBlobBytes) return too_long(what, blob.size(), kMaxBlobBytes);
  return success();
}

Result<void> check_user(const User& user) {
  TRY(check_id("the user id", user.id));
  TRY(check_text("the e-mail address", user.email));
  TRY(check_text("the first name", user.first_name));
  TRY(check_text("the last name", user.last_name));
  TRY(check_text("the key id", user.key_id));
  TRY(check_blob("the encrypted master password", user.encrypted_password));
  if (user.encrypted_password.empty()) {
    return fail(Cause::InvalidInput,
                "the encrypted master password of a new user is empty; the store refused it. "
                "This is a defect of SSO Connect; report it.");
  }
  return success();
}

Result<void> check_transaction(const LoginTransaction& t) {
  TRY(check_id("the login transaction id", t.id));
  TRY(check_text("the request id", t.request_id));
  TRY(check_blob("the client key", t.client_key));
  TRY(check_text("the redirect URI", t.redirect_uri));
  TRY(check_text("the state", t.state));
  return success();
}

}  // namespace ssoc::store
