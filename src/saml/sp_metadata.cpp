// The SP metadata document (SAML metadata §2.4.4): what the IdP administrator imports.
#include <string>

#include "common/encoding.hpp"
#include "saml/saml_names.hpp"
#include "saml/service_provider.hpp"

namespace ssoc::saml {
namespace {

std::string key_descriptor(const char* use, const std::string& certificate_b64) {
  return std::string("    <md:KeyDescriptor use=\"") + use +
         "\">\n      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>" + certificate_b64 +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo>\n    </md:KeyDescriptor>\n";
}

}  // namespace

std::string sp_metadata_xml(const SpSettings& settings) {
  std::string cert = base64_encode(settings.certificate_der);
  std::string xml;
  xml += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml += "<md:EntityDescriptor xmlns:md=\"" + std::string(kMetadataNs) + "\" xmlns:ds=\"" +
         std::string(kDsigNs) + "\" entityID=\"" + markup_escape(settings.entity_id) + "\">\n";
  xml += std::string("  <md:SPSSODescriptor AuthnRequestsSigned=\"") +
         (settings.sign_requests ? "true" : "false") +
         "\" WantAssertionsSigned=\"true\" protocolSupportEnumeration=\"" +
         std::string(kSamlProtocolNs) + "\">\n";
  xml += key_descriptor("signing", cert);
  xml += key_descriptor("encryption", cert);
  xml += "    <md:NameIDFormat>" + std::string(kEmailFormat) + "</md:NameIDFormat>\n";
  xml += "    <md:AssertionConsumerService Binding=\"" + std::string(kPostBinding) +
         "\" Location=\"" + markup_escape(settings.acs_url) +
         "\" index=\"0\" isDefault=\"true\"/>\n";
  xml += "  </md:SPSSODescriptor>\n</md:EntityDescriptor>\n";
  return xml;
}

}  // namespace ssoc::saml
