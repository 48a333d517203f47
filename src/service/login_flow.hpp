// The two halves of an SSO login (DESIGN.md "Login protocol"):
//
//   begin():   GET /sso/login?key=&redirect_uri=&state=   -> 302 to the IdP (AuthnRequest)
//   finish():  POST /saml/acs  SAMLResponse=&RelayState=   -> 200 token page, or an error page
//
// begin checks the client key and the redirect URI, then records a login transaction (5
// minutes) named by a random RelayState. finish finds the transaction by RelayState alone (no
// cookie), has the response checked against that transaction's request id, records the
// assertion id in the replay cache, consumes the transaction (first accepted response wins),
// gets or creates the user's master password (a new one is committed durably before the
// token leaves), seals it to the client key and answers the token page. Every refusal is an
// error page with a reference number; its reason goes to the log under that reference.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "http/message.hpp"
#include "service/service_config.hpp"
#include "store/store.hpp"

namespace ssoc::service {

inline constexpr std::int64_t kTransactionLifetime = 300;
inline constexpr std::size_t kMaxStateLength = 1024;

class LoginFlow {
 public:
  using Clock = std::function<std::int64_t()>;
  LoginFlow(store::Store& store, Clock clock);

  http::Response begin(const ServiceConfig& config, const http::Request& request) const;
  http::Response finish(const ServiceConfig& config, const http::Request& request) const;

 private:
  store::Store& store_;
  Clock clock_;
};

// The user id of DESIGN.md step 4 from an accepted assertion: the attribute whose Name (else
// FriendlyName) is `attr_email`, else the NameID (unless it is transient), trimmed and
// lower-cased; empty when there is none.
std::string user_id_of(const saml::LoginAssertion& assertion, std::string_view attr_email);

}  // namespace ssoc::service
