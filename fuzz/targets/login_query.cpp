// The query of GET /sso/login, as LoginFlow::begin reads it before it makes a transaction:
// http::parse_form (one value per name), key= through vault::ClientPublicKey::from_base64url,
// redirect_uri= through service::redirect_allowed (with one listed URI), and state=. A key that
// is accepted must round-trip through its DER, and an allowed redirect must be loopback HTTP or
// the listed URI.
#include "fuzz_target.hpp"
#include "http/message.hpp"
#include "service/redirect_policy.hpp"
#include "vault/client_key.hpp"

namespace {

const std::vector<std::string> kAllowList = {"https://vault.example.test/sso/callback"};

const std::string* field(const std::vector<std::pair<std::string, std::string>>& form,
                         std::string_view name) {
  for (const auto& [key, value] : form)
    if (key == name) return &value;
  return nullptr;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view query = ssoc::fuzz::input_text(data, size);
  auto form = ssoc::http::parse_form(query);
  if (!form) return 0;
  FUZZ_CHECK(form->size() <= ssoc::http::kMaxFormFields);
  for (std::size_t i = 0; i < form->size(); ++i) {
    FUZZ_CHECK(!(*form)[i].first.empty());
    for (std::size_t k = i + 1; k < form->size(); ++k)
      FUZZ_CHECK((*form)[i].first != (*form)[k].first);
  }
  if (const std::string* key = field(*form, "key")) {
    auto client_key = ssoc::vault::ClientPublicKey::from_base64url(*key);
    if (client_key) {
      FUZZ_CHECK(client_key->spki_der().size() <= ssoc::vault::kMaxClientKeyDer);
      auto again = ssoc::vault::ClientPublicKey::from_spki_der(client_key->spki_der());
      FUZZ_CHECK(again.ok() && again->kind() == client_key->kind());
    }
  }
  if (const std::string* redirect = field(*form, "redirect_uri")) {
    if (ssoc::service::redirect_allowed(*redirect, kAllowList)) {
      FUZZ_CHECK(*redirect == kAllowList.front() || redirect->starts_with("http://"));
      FUZZ_CHECK(redirect->size() <= ssoc::service::kMaxRedirectUri);
    }
  }
  return 0;
}
