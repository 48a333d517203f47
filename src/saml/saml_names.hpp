// The SAML 2.0 names the service provider uses: XML namespaces, bindings, status codes.
#pragma once

#include <string_view>

namespace ssoc::saml {

inline constexpr std::string_view kSamlAssertionNs = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr std::string_view kSamlProtocolNs = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr std::string_view kMetadataNs = "urn:oasis:names:tc:SAML:2.0:metadata";
inline constexpr std::string_view kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr std::string_view kXencNs = "http://www.w3.org/2001/04/xmlenc#";

inline constexpr std::string_view kPostBinding = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
inline constexpr std::string_view kRedirectBinding =
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

inline constexpr std::string_view kStatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
inline constexpr std::string_view kBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
inline constexpr std::string_view kEntityFormat =
    "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";
inline constexpr std::string_view kEmailFormat =
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
inline constexpr std::string_view kTransientFormat =
    "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
inline constexpr std::string_view kUnspecifiedFormat =
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";

}  // namespace ssoc::saml
