// The checks of a SAML Response at the assertion consumer service: DESIGN.md "Login protocol"
// step 3 and the Web Browser SSO profile (SAML profiles §4.1.4), including what Lasso does not
// check. A missing element that the profile requires is a refusal, not a pass.
//
// Structure (so that what is checked is what was signed; this is what defeats XML signature
// wrapping): the document holds no comment or processing instruction; no two elements share an
// ID (ID, Id, id or xml:id); the root is a samlp:Response holding exactly one saml:Assertion
// or saml:EncryptedAssertion as a direct child and no other assertion anywhere (after
// decryption too); every ds:Signature is a direct child of the Response or of that Assertion,
// references its parent's ID and verifies with the IdP's metadata keys; at least one of the
// two is signed.
//
// Response: Version 2.0; Destination = the ACS URL; Issuer = the IdP; status Success;
// InResponseTo = the transaction's request id (absent: unsolicited, refused); IssueInstant at
// most 5 minutes + skew old and not in the future beyond the skew.
// Assertion: Version 2.0; Issuer = the IdP (format entity or none); a Subject with a NameID;
// a bearer SubjectConfirmation whose SubjectConfirmationData has Recipient = the ACS URL,
// NotOnOrAfter in the future (within the skew), InResponseTo = the request id and no NotBefore;
// Conditions with NotBefore / NotOnOrAfter holding (within the skew) and at least one
// AudienceRestriction, every one of which names this SP; no condition this SP does not know;
// at least one AuthnStatement (its SessionNotOnOrAfter, if any, in the future).
#pragma once

#include <libxml/tree.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "saml/xml_security.hpp"

namespace ssoc::saml {

// What a response is checked against.
struct ResponseExpectations {
  std::string sp_entity_id;
  std::string acs_url;
  std::string idp_entity_id;
  std::int64_t clock_skew = 180;
  bool allow_sha1 = false;
};

struct SamlAttribute {
  std::string name;
  std::string friendly_name;
  std::vector<std::string> values;
};

// What an accepted response says.
struct LoginAssertion {
  std::string response_id;
  std::string assertion_id;
  std::string name_id;
  std::string name_id_format;
  std::vector<SamlAttribute> attributes;
  // The assertion id must be remembered (replay cache) until then: the latest of its time
  // limits plus the skew.
  std::int64_t replay_until = 0;
  bool response_signed = false;
  bool assertion_signed = false;
};

// Checks `doc` (parsed by parse_xml; decrypted in place when it holds an EncryptedAssertion and
// `decryption` is not null). Every refusal is InvalidInput with a message for the log that
// names the check that failed and never quotes the response.
Result<LoginAssertion> check_response(xmlDoc* doc, const ResponseExpectations& expected,
                                      const SignatureKeys& keys, const DecryptionKey* decryption,
                                      std::string_view request_id, std::int64_t now);

}  // namespace ssoc::saml
