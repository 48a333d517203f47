// The IdP's SAML 2.0 metadata (DESIGN.md `idp-metadata.xml`), read far enough to check it when
// it is configured: it parses, names an IdP, and has a signing certificate.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::saml {

namespace fs = std::filesystem;

struct IdpMetadata {
  std::string entity_id;
  std::vector<Bytes> signing_certificates;  // DER, from KeyDescriptor use="signing" (or no use)
  std::string sso_redirect_url;             // SingleSignOnService, HTTP-Redirect binding
};

// Parses metadata text without network access, DTDs or entity expansion (a DOCTYPE is refused),
// at most 1 MiB. The root is an md:EntityDescriptor with an md:IDPSSODescriptor (or an
// md:EntitiesDescriptor holding exactly one). InvalidSetting naming `idp_metadata_file` and
// what is wrong: not XML, no IdP, no signing certificate, a certificate that does not parse.
Result<IdpMetadata> parse_idp_metadata(ByteView xml, const std::string& source);
Result<IdpMetadata> read_idp_metadata(const fs::path& file);

}  // namespace ssoc::saml
