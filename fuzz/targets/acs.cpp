// The ACS input as it arrives: the raw body of POST /saml/acs, through what LoginFlow::finish
// does before it touches the store: http::parse_form, the SAMLResponse and RelayState fields,
// then ServiceProvider::check_response (base64, XML, our checks) with the fixed keys, request id
// and clock of saml_fixture.hpp, so that the seeds (good responses from the test IdP, and
// hostile ones) reach the deepest checks. An accepted response must name a user.
#include "fuzz_target.hpp"
#include "http/message.hpp"
#include "saml_fixture.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)ssoc::fuzz::service_provider();  // builds once, before the first input is timed
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto form = ssoc::http::parse_form(ssoc::fuzz::input_text(data, size));
  if (!form) return 0;
  const std::string* saml_response = nullptr;
  const std::string* relay_state = nullptr;
  for (const auto& [name, value] : *form) {
    if (name == "SAMLResponse") saml_response = &value;
    if (name == "RelayState") relay_state = &value;
  }
  if (saml_response == nullptr || saml_response->empty()) return 0;
  if (relay_state == nullptr || relay_state->empty() || relay_state->size() > 128) return 0;
  if (saml_response->size() > ssoc::saml::kMaxSamlResponseSize) return 0;
  auto checked = ssoc::fuzz::service_provider().check_response(
      *saml_response, ssoc::fuzz::kRequestId, ssoc::fuzz::kNow);
  ssoc::fuzz::report_verdict(checked);
  if (checked) {
    // Whatever the fuzzer made, nothing unsigned or already expired may pass.
    FUZZ_CHECK(checked->response_signed || checked->assertion_signed);
    FUZZ_CHECK(!checked->assertion_id.empty());
    FUZZ_CHECK(checked->replay_until >= ssoc::fuzz::kNow);
  } else {
    FUZZ_CHECK(!checked.error().message.empty());
  }
  return 0;
}
