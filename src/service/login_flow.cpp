#include "service/login_flow.hpp"

#include <algorithm>

#include "common/encoding.hpp"
#include "common/json.hpp"
#include "common/log.hpp"
#include "common/openssl.hpp"
#include "http/server.hpp"
#include "saml/saml_names.hpp"
#include "service/pages.hpp"
#include "service/redirect_policy.hpp"
#include "vault/client_key.hpp"

namespace ssoc::service {
namespace {

constexpr std::size_t kMaxUserId = 320;

// An error page; the reason is logged under its reference number.
http::Response refused(int status, std::string_view what, const std::string& reason) {
  std::string reference = new_reference();
  log::warn(std::string(what) + " refused [ref " + reference + "]: " + reason);
  return error_page(status, reference);
}

std::optional<std::string> field(const std::vector<std::pair<std::string, std::string>>& form,
                                 std::string_view name) {
  for (const auto& [key, value] : form)
    if (key == name) return value;
  return std::nullopt;
}

std::string trim_lower(std::string_view text) {
  std::size_t start = text.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  std::size_t end = text.find_last_not_of(" \t\r\n");
  std::string out(text.substr(start, end - start + 1));
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  return out;
}

bool printable(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string first_value(const saml::LoginAssertion& assertion, std::string_view name) {
  for (const auto& attribute : assertion.attributes)
    if (attribute.name == name && !attribute.values.empty()) return attribute.values.front();
  for (const auto& attribute : assertion.attributes)
    if (attribute.friendly_name == name && !attribute.values.empty())
      return attribute.values.front();
  return {};
}

std::string token_json(const store::User& user, std::string_view sealed, bool new_user,
                       std::string_view session_id, std::int64_t issued_at,
                       std::string_view state) {
  return "{\"user\":" + json_string(user.id) + ",\"email\":" + json_string(user.email) +
         ",\"first_name\":" + json_string(user.first_name) +
         ",\"last_name\":" + json_string(user.last_name) + ",\"password\":" + json_string(sealed) +
         ",\"new_user\":" + (new_user ? "true" : "false") +
         ",\"session_id\":" + json_string(session_id) +
         ",\"issued_at\":" + std::to_string(issued_at) + ",\"state\":" + json_string(state) + "}";
}

}  // namespace

std::string user_id_of(const saml::LoginAssertion& assertion, std::string_view attr_email) {
  std::string email = trim_lower(first_value(assertion, attr_email));
  if (!email.empty()) return email;
  // A transient NameID changes at every login: as a user id it would make a new master
  // password each time. No user id then (the login is refused).
  if (assertion.name_id_format == saml::kTransientFormat) return {};
  return trim_lower(assertion.name_id);
}

LoginFlow::LoginFlow(store::Store& store, Clock clock) : store_(store), clock_(std::move(clock)) {}

http::Response LoginFlow::begin(const ServiceConfig& config, const http::Request& request) const {
  constexpr std::string_view kWhat = "login start";
  auto query = http::parse_form(request.query);
  if (!query) return refused(400, kWhat, "the query is malformed or repeats a parameter");
  auto key = field(*query, "key");
  auto redirect_uri = field(*query, "redirect_uri");
  std::string state = field(*query, "state").value_or("");
  if (!key || key->empty()) return refused(400, kWhat, "no client key (key=)");
  if (!redirect_uri || redirect_uri->empty()) return refused(400, kWhat, "no redirect_uri");
  if (state.size() > kMaxStateLength || !printable(state))
    return refused(400, kWhat, "the state is longer than 1024 bytes or not printable");
  auto client_key = vault::ClientPublicKey::from_base64url(*key);
  if (!client_key) return refused(400, kWhat, client_key.error().message);
  if (!redirect_allowed(*redirect_uri, config.redirect_allow))
    return refused(400, kWhat,
                   "redirect_uri is neither a loopback address nor listed in redirect_allow");

  auto relay = ossl::random_bytes(32);
  if (!relay) return refused(500, kWhat, relay.error().message);
  std::string relay_state = base64url_encode(*relay);
  auto authn = config.sp->make_authn_request(relay_state);
  if (!authn) return refused(500, kWhat, authn.error().message);
  std::int64_t now = clock_();
  store::LoginTransaction transaction{
      relay_state, authn->request_id,         client_key->spki_der(), *redirect_uri, state,
      now,         now + kTransactionLifetime};
  if (auto added = store_.add_transaction(transaction); !added)
    return refused(503, kWhat, added.error().message);

  http::Response response;
  response.status = 302;
  response.headers.emplace_back("Location", authn->redirect_url);
  response.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  add_security_headers(response);
  response.body = "Redirecting to your identity provider.\n";
  return response;
}

http::Response LoginFlow::finish(const ServiceConfig& config, const http::Request& request) const {
  constexpr std::string_view kWhat = "SAML response";
  auto form = http::parse_form(request.body);
  if (!form) return refused(400, kWhat, "the form is malformed or repeats a field");
  auto saml_response = field(*form, "SAMLResponse");
  auto relay_state = field(*form, "RelayState");
  if (!saml_response || saml_response->empty()) return refused(400, kWhat, "no SAMLResponse");
  if (!relay_state || relay_state->empty())
    return refused(400, kWhat, "no RelayState (an unsolicited response)");
  if (relay_state->size() > 128) return refused(400, kWhat, "the RelayState is too long");

  std::int64_t now = clock_();
  auto pending = store_.find_transaction(*relay_state, now);
  if (!pending) return refused(503, kWhat, pending.error().message);
  if (!*pending) return refused(400, kWhat, "the RelayState names no live login transaction");
  const store::LoginTransaction& transaction = **pending;

  auto checked = config.sp->check_response(*saml_response, transaction.request_id, now);
  if (!checked) return refused(400, kWhat, checked.error().message);
  const saml::LoginAssertion& assertion = *checked;

  std::string user_id = user_id_of(assertion, config.attr_email);
  if (user_id.empty() || user_id.size() > kMaxUserId || !printable(user_id))
    return refused(400, kWhat, "the assertion names no usable user id (e-mail or NameID)");
  std::string email = trim_lower(first_value(assertion, config.attr_email));
  if (email.empty()) email = user_id;
  std::string first_name = first_value(assertion, config.attr_first_name);
  std::string last_name = first_value(assertion, config.attr_last_name);

  // Replay cache, transaction and login time in one commit; then the user's row: found, or
  // made with a new master password (committed durably first).
  auto completed = store_.complete_login(
      *relay_state, now,
      {assertion.assertion_id, assertion.replay_until, user_id, email, first_name, last_name});
  if (!completed) return refused(503, kWhat, completed.error().message);
  if (completed->outcome == store::Store::LoginOutcome::Replay)
    return refused(400, kWhat, "the assertion was already used (a replay)");
  if (completed->outcome != store::Store::LoginOutcome::Completed)
    return refused(400, kWhat, "the login transaction was already used");
  bool new_user = false;
  store::User user;
  if (completed->user) {
    user = std::move(*completed->user);
  } else {
    auto password = vault::generate_master_password();
    if (!password) return refused(500, kWhat, password.error().message);
    auto sealed = config.master_key->seal(*password, user_id);
    if (!sealed) return refused(500, kWhat, sealed.error().message);
    store::User row{
        user_id, email, first_name, last_name, std::move(*sealed), config.master_key->key_id(),
        now,     now,   false};
    auto inserted = store_.insert_user_if_absent(row);
    if (!inserted) return refused(503, kWhat, inserted.error().message);
    user = std::move(inserted->first);
    new_user = inserted->second;
  }
  if (user.disabled) return refused(403, kWhat, "the user " + user_id + " is disabled");
  if (user.key_id != config.master_key->key_id())
    return refused(500, kWhat,
                   "the master password of " + user_id + " is under key id " + user.key_id +
                       ", not the configured master_key_id " + config.master_key->key_id());
  auto password = config.master_key->open(user.encrypted_password, user_id);
  if (!password) return refused(500, kWhat, password.error().message);

  auto client_key = vault::ClientPublicKey::from_spki_der(transaction.client_key);
  if (!client_key) return refused(500, kWhat, client_key.error().message);
  auto session = ossl::random_bytes(16);
  if (!session) return refused(500, kWhat, session.error().message);
  std::string session_id = base64url_encode(*session);
  auto sealed = client_key->seal(*password, session_id);
  if (!sealed) return refused(500, kWhat, sealed.error().message);
  log::info(std::string(new_user ? "new user " : "login of ") + user_id);
  return token_page(transaction.redirect_uri,
                    token_json(user, *sealed, new_user, session_id, now, transaction.state));
}

}  // namespace ssoc::service
