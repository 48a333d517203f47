// IdP metadata (idp-metadata.xml, given by the admin and often downloaded from the IdP):
// parse_idp_metadata on any bytes, and for metadata it accepts, what the service does with it
// next: ServiceProvider::create with the fixed SP key (the metadata's certificates become the
// signature keys).
#include "saml/idp_metadata.hpp"
#include "fuzz_target.hpp"
#include "saml_fixture.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed =
      ssoc::saml::parse_idp_metadata(ssoc::fuzz::input_bytes(data, size), "idp-metadata.xml");
  if (!parsed) {
    FUZZ_CHECK(parsed.error().cause == ssoc::Cause::InvalidSetting);
    return 0;
  }
  FUZZ_CHECK(!parsed->entity_id.empty());
  FUZZ_CHECK(!parsed->signing_certificates.empty());
  auto sp = ssoc::saml::ServiceProvider::create(
      ssoc::fuzz::sp_settings(std::string(ssoc::fuzz::input_text(data, size))));
  if (sp) FUZZ_CHECK((*sp)->idp().entity_id == parsed->entity_id);
  return 0;
}
