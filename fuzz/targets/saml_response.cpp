// The SAML response as XML: the same checks as the acs target (ServiceProvider::check_response
// with the fixed keys, request id and clock), but the fuzzer mutates the XML itself rather than
// its base64 in a form body, which reaches the structure, signature and condition checks far
// more often. The target base64-encodes the input as the IdP's browser would post it.
#include "common/encoding.hpp"
#include "fuzz_target.hpp"
#include "saml_fixture.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  (void)ssoc::fuzz::service_provider();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string encoded = ssoc::base64_encode(ssoc::fuzz::input_bytes(data, size));
  if (encoded.empty() || encoded.size() > ssoc::saml::kMaxSamlResponseSize) return 0;
  auto checked = ssoc::fuzz::service_provider().check_response(encoded, ssoc::fuzz::kRequestId,
                                                               ssoc::fuzz::kNow);
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
