#include "saml/response_check.hpp"

#include <libxml/valid.h>

#include <algorithm>
#include <optional>
#include <set>

#include "saml/saml_names.hpp"
#include "saml/saml_time.hpp"
#include "saml/xml_document.hpp"

namespace ssoc::saml {
namespace {

constexpr std::int64_t kMaxResponseAge = 300;  // DESIGN.md: IssueInstant at most 5 minutes old
// A response declares a dozen namespaces; thousands make canonicalisation quadratic.
constexpr std::size_t kMaxNamespaceDeclarations = 128;

Error refuse(std::string message) {
  return fail(Cause::InvalidInput, std::move(message));
}

// What one walk over the whole document finds.
struct DocumentCensus {
  bool has_comment_or_pi = false;
  bool duplicate_id = false;
  std::size_t namespace_declarations = 0;
  std::vector<xmlNode*> assertions;  // saml:Assertion and saml:EncryptedAssertion, anywhere
  std::vector<xmlNode*> signatures;  // ds:Signature, anywhere
};

bool is_id_attribute(const xmlAttr* attr) {
  std::string_view name(reinterpret_cast<const char*>(attr->name));
  if (attr->ns != nullptr)
    return name == "id" && attr->ns->href != nullptr &&
           std::string_view(reinterpret_cast<const char*>(attr->ns->href)) ==
               "http://www.w3.org/XML/1998/namespace";
  return name == "ID" || name == "Id" || name == "id";
}

void walk(xmlNode* node, DocumentCensus& census, std::set<std::string>& ids) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) census.has_comment_or_pi = true;
    if (n->type == XML_ENTITY_REF_NODE || n->type == XML_ENTITY_NODE || n->type == XML_DTD_NODE ||
        n->type == XML_XINCLUDE_START)
      census.has_comment_or_pi = true;
    if (n->type != XML_ELEMENT_NODE) continue;
    for (const xmlNs* ns = n->nsDef; ns != nullptr; ns = ns->next) ++census.namespace_declarations;
    if (is_element(n, kSamlAssertionNs, "Assertion") ||
        is_element(n, kSamlAssertionNs, "EncryptedAssertion"))
      census.assertions.push_back(n);
    if (is_element(n, kDsigNs, "Signature")) census.signatures.push_back(n);
    for (xmlAttr* attr = n->properties; attr != nullptr; attr = attr->next) {
      if (!is_id_attribute(attr)) continue;
      std::string value = text_content(reinterpret_cast<xmlNode*>(attr));
      if (!ids.insert(value).second) census.duplicate_id = true;
    }
    walk(n->children, census, ids);
  }
}

DocumentCensus take_census(xmlDoc* doc) {
  DocumentCensus census;
  std::set<std::string> ids;
  walk(doc->children, census, ids);
  return census;
}

// The single child element `name`, or null when there is none; `many` is set when there are
// more than one.
xmlNode* only_child(const xmlNode* parent, std::string_view ns, std::string_view name,
                    bool* many = nullptr) {
  std::vector<xmlNode*> found = child_elements(parent, ns, name);
  if (many != nullptr) *many = found.size() > 1;
  return found.size() == 1 ? found.front() : nullptr;
}

std::optional<std::int64_t> time_attribute(const xmlNode* node, const char* name, bool* malformed) {
  Attribute a = attribute(node, name);
  if (!a.present) return std::nullopt;
  auto t = parse_saml_time(a.value);
  if (!t) *malformed = true;
  return t;
}

// An Issuer element that names the IdP (format entity or none).
Result<void> check_issuer(const xmlNode* parent, const ResponseExpectations& expected,
                          const char* whose) {
  bool many = false;
  xmlNode* issuer = only_child(parent, kSamlAssertionNs, "Issuer", &many);
  if (issuer == nullptr)
    return refuse(std::string(whose) + (many ? " has more than one Issuer" : " has no Issuer"));
  Attribute format = attribute(issuer, "Format");
  if (format.present && format.value != kEntityFormat)
    return refuse(std::string(whose) + " Issuer is not of the entity format");
  if (text_content(issuer) != expected.idp_entity_id)
    return refuse(std::string(whose) + " Issuer is not the configured IdP");
  return success();
}

Result<void> check_version(const xmlNode* node, const char* whose) {
  if (attribute(node, "Version").value != "2.0")
    return refuse(std::string(whose) + " is not SAML version 2.0");
  if (attribute(node, "ID").value.empty()) return refuse(std::string(whose) + " has no ID");
  return success();
}

// Registers the ID of `element` so that a signature reference can find it, and only it.
Result<void> register_id(xmlDoc* doc, xmlNode* element) {
  xmlAttr* attr = xmlHasProp(element, reinterpret_cast<const xmlChar*>("ID"));
  if (attr == nullptr || attr->ns != nullptr) return refuse("an element to verify has no ID");
  std::string value = text_content(reinterpret_cast<xmlNode*>(attr));
  xmlAttr* registered = xmlGetID(doc, reinterpret_cast<const xmlChar*>(value.c_str()));
  if (registered == attr) return success();
  if (registered != nullptr) return refuse("two elements claim the same ID");
  if (xmlAddID(nullptr, doc, reinterpret_cast<const xmlChar*>(value.c_str()), attr) == nullptr)
    return refuse("the ID of a signed element could not be registered");
  return success();
}

Result<void> check_status(const xmlNode* response) {
  xmlNode* status = only_child(response, kSamlProtocolNs, "Status");
  if (status == nullptr) return refuse("the Response has no single Status");
  xmlNode* code = only_child(status, kSamlProtocolNs, "StatusCode");
  if (code == nullptr) return refuse("the Response Status has no single StatusCode");
  std::string value = attribute(code, "Value").value;
  if (value != kStatusSuccess) {
    // The status URI is the IdP's and says why (e.g. AuthnFailed); keep it short and printable.
    std::string shown;
    for (char c : value.substr(0, 120)) shown += (c >= 0x21 && c <= 0x7e) ? c : '?';
    return refuse("the IdP did not log the user in (status " + shown + ")");
  }
  return success();
}

// The time window of `node`'s NotBefore / NotOnOrAfter, within the skew.
Result<void> check_window(const xmlNode* node, std::int64_t now, std::int64_t skew,
                          const char* whose, std::int64_t* not_on_or_after_out) {
  bool malformed = false;
  auto not_before = time_attribute(node, "NotBefore", &malformed);
  auto not_on_or_after = time_attribute(node, "NotOnOrAfter", &malformed);
  if (malformed) return refuse(std::string(whose) + " has a time that is not a SAML time");
  if (not_before && now + skew < *not_before)
    return refuse(std::string(whose) + " is not valid yet (NotBefore is in the future)");
  if (not_on_or_after && now - skew >= *not_on_or_after)
    return refuse(std::string(whose) + " has expired (NotOnOrAfter has passed)");
  if (not_on_or_after && not_on_or_after_out != nullptr) *not_on_or_after_out = *not_on_or_after;
  return success();
}

// A bearer SubjectConfirmation for this very request, to this ACS, still deliverable.
// Returns the NotOnOrAfter of the one that holds.
Result<std::int64_t> check_subject(const xmlNode* assertion, const ResponseExpectations& expected,
                                   std::string_view request_id, std::int64_t now,
                                   LoginAssertion& out) {
  xmlNode* subject = only_child(assertion, kSamlAssertionNs, "Subject");
  if (subject == nullptr) return refuse("the Assertion has no single Subject");
  xmlNode* name_id = only_child(subject, kSamlAssertionNs, "NameID");
  if (name_id == nullptr) return refuse("the Assertion Subject has no single NameID");
  out.name_id = text_content(name_id);
  out.name_id_format = attribute(name_id, "Format").value;

  std::string problem = "the Assertion has no bearer SubjectConfirmation";
  for (xmlNode* confirmation : child_elements(subject, kSamlAssertionNs, "SubjectConfirmation")) {
    if (attribute(confirmation, "Method").value != kBearer) continue;
    bool many = false;
    xmlNode* data = only_child(confirmation, kSamlAssertionNs, "SubjectConfirmationData", &many);
    if (data == nullptr) {
      problem = "the bearer SubjectConfirmation has no single SubjectConfirmationData";
      continue;
    }
    Attribute recipient = attribute(data, "Recipient");
    Attribute in_response_to = attribute(data, "InResponseTo");
    bool malformed = false;
    auto not_on_or_after = time_attribute(data, "NotOnOrAfter", &malformed);
    if (!recipient.present) {
      problem = "the SubjectConfirmationData has no Recipient";
    } else if (recipient.value != expected.acs_url) {
      problem = "the SubjectConfirmationData Recipient is not this service's ACS URL";
    } else if (malformed || !not_on_or_after) {
      problem = "the SubjectConfirmationData has no valid NotOnOrAfter";
    } else if (now - expected.clock_skew >= *not_on_or_after) {
      problem = "the SubjectConfirmationData has expired (NotOnOrAfter has passed)";
    } else if (attribute(data, "NotBefore").present) {
      problem = "the bearer SubjectConfirmationData has a NotBefore, which the profile forbids";
    } else if (!in_response_to.present) {
      problem = "the SubjectConfirmationData has no InResponseTo (unsolicited)";
    } else if (in_response_to.value != request_id) {
      problem = "the SubjectConfirmationData InResponseTo is not this login's request";
    } else {
      return *not_on_or_after;
    }
  }
  return refuse(problem);
}

// Conditions: the time window and the audience; unknown conditions are refused (SAML core
// §2.5.1.1: a condition that is not understood makes the assertion Indeterminate).
Result<std::int64_t> check_conditions(const xmlNode* assertion,
                                      const ResponseExpectations& expected, std::int64_t now) {
  bool many = false;
  xmlNode* conditions = only_child(assertion, kSamlAssertionNs, "Conditions", &many);
  if (conditions == nullptr)
    return refuse(many ? "the Assertion has more than one Conditions"
                       : "the Assertion has no Conditions (an AudienceRestriction is required)");
  std::int64_t not_on_or_after = 0;
  TRY(check_window(conditions, now, expected.clock_skew, "the Assertion", &not_on_or_after));
  int restrictions = 0;
  for (xmlNode* c = conditions->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (is_element(c, kSamlAssertionNs, "AudienceRestriction")) {
      ++restrictions;
      bool ours = false;
      for (xmlNode* audience : child_elements(c, kSamlAssertionNs, "Audience"))
        ours = ours || text_content(audience) == expected.sp_entity_id;
      if (!ours) return refuse("an AudienceRestriction of the Assertion does not name this SP");
    } else if (is_element(c, kSamlAssertionNs, "OneTimeUse") ||
               is_element(c, kSamlAssertionNs, "ProxyRestriction")) {
      // One-time use is what the replay cache enforces anyway; proxying is not done here.
    } else {
      return refuse("the Assertion has a condition this SP does not know");
    }
  }
  if (restrictions == 0) return refuse("the Assertion has no AudienceRestriction");
  return not_on_or_after;
}

Result<void> check_authn_statement(const xmlNode* assertion, std::int64_t now, std::int64_t skew) {
  std::vector<xmlNode*> statements = child_elements(assertion, kSamlAssertionNs, "AuthnStatement");
  if (statements.empty()) return refuse("the Assertion has no AuthnStatement");
  for (xmlNode* statement : statements) {
    bool malformed = false;
    auto session_end = time_attribute(statement, "SessionNotOnOrAfter", &malformed);
    if (malformed || !attribute(statement, "AuthnInstant").present ||
        !parse_saml_time(attribute(statement, "AuthnInstant").value))
      return refuse("the AuthnStatement has a missing or malformed time");
    if (session_end && now - skew >= *session_end)
      return refuse("the AuthnStatement session has ended (SessionNotOnOrAfter has passed)");
  }
  return success();
}

void read_attributes(const xmlNode* assertion, LoginAssertion& out) {
  for (xmlNode* statement : child_elements(assertion, kSamlAssertionNs, "AttributeStatement")) {
    for (xmlNode* a : child_elements(statement, kSamlAssertionNs, "Attribute")) {
      SamlAttribute attr{attribute(a, "Name").value, attribute(a, "FriendlyName").value, {}};
      for (xmlNode* v : child_elements(a, kSamlAssertionNs, "AttributeValue"))
        attr.values.push_back(text_content(v));
      out.attributes.push_back(std::move(attr));
    }
  }
}

Result<void> check_issue_instant(const xmlNode* node, std::int64_t now, std::int64_t skew,
                                 const char* whose) {
  auto instant = parse_saml_time(attribute(node, "IssueInstant").value);
  if (!instant) return refuse(std::string(whose) + " has no valid IssueInstant");
  if (*instant > now + skew) return refuse(std::string(whose) + " was issued in the future");
  if (*instant < now - kMaxResponseAge - skew)
    return refuse(std::string(whose) + " was issued more than 5 minutes ago");
  return success();
}

}  // namespace

Result<LoginAssertion> check_response(xmlDoc* doc, const ResponseExpectations& expected,
                                      const SignatureKeys& keys, const DecryptionKey* decryption,
                                      std::string_view request_id, std::int64_t now) {
  xmlNode* response = xmlDocGetRootElement(doc);
  if (!is_element(response, kSamlProtocolNs, "Response"))
    return refuse("the message is not a SAML 2.0 Response");

  DocumentCensus census = take_census(doc);
  if (census.has_comment_or_pi)
    return refuse("the Response holds a comment, processing instruction or entity reference");
  if (census.duplicate_id) return refuse("two elements of the Response share an ID");
  if (census.namespace_declarations > kMaxNamespaceDeclarations)
    return refuse("the Response declares more than 128 namespaces");
  if (census.assertions.size() != 1)
    return refuse("the Response holds " + std::to_string(census.assertions.size()) +
                  " assertions; exactly one is allowed");
  xmlNode* assertion = census.assertions.front();
  if (assertion->parent != response) return refuse("the assertion is not a child of the Response");

  TRY(check_version(response, "the Response"));
  TRY(check_issue_instant(response, now, expected.clock_skew, "the Response"));
  Attribute destination = attribute(response, "Destination");
  if (!destination.present) return refuse("the Response has no Destination");
  if (destination.value != expected.acs_url)
    return refuse("the Response Destination is not this service's ACS URL");
  TRY(check_issuer(response, expected, "the Response"));
  TRY(check_status(response));
  Attribute in_response_to = attribute(response, "InResponseTo");
  if (!in_response_to.present) return refuse("the Response has no InResponseTo (unsolicited)");
  if (in_response_to.value != request_id)
    return refuse("the Response InResponseTo is not this login's request");

  // Signatures: each enveloped in the Response or the Assertion, each must verify. The
  // Response's covers the message as sent (an assertion still encrypted), so it is checked
  // before decryption; the Assertion's after.
  LoginAssertion out;
  auto verify = [&](xmlNode* signature, xmlNode* signed_element, bool& signed_flag,
                    const char* whose) -> Result<void> {
    if (signature->parent != signed_element)
      return refuse("a signature sits elsewhere than on the Response or the Assertion");
    if (signed_flag) return refuse(std::string(whose) + " carries more than one signature");
    if (auto verified = keys.verify(signature, signed_element, expected.allow_sha1); !verified)
      return refuse(std::string(whose) + " signature: " + verified.error().message);
    signed_flag = true;
    return success();
  };
  TRY(register_id(doc, response));
  const std::vector<xmlNode*> before_decryption = census.signatures;
  for (xmlNode* signature : census.signatures) {
    if (signature->parent == response)
      TRY(verify(signature, response, out.response_signed, "the Response"));
    else if (signature->parent != assertion ||
             !is_element(assertion, kSamlAssertionNs, "Assertion"))
      return refuse("a signature sits elsewhere than on the Response or the Assertion");
  }

  if (is_element(assertion, kSamlAssertionNs, "EncryptedAssertion")) {
    if (decryption == nullptr) return refuse("the assertion is encrypted but no key is set");
    assertion = TRY(decryption->decrypt_in_place(assertion, out.response_signed));
    // The plaintext is checked like the rest of the message.
    DocumentCensus after = take_census(doc);
    if (after.has_comment_or_pi)
      return refuse("the decrypted assertion holds a comment or processing instruction");
    if (after.duplicate_id) return refuse("two elements of the Response share an ID");
    if (after.namespace_declarations > kMaxNamespaceDeclarations)
      return refuse("the decrypted assertion declares more than 128 namespaces");
    if (after.assertions.size() != 1 || after.assertions.front() != assertion ||
        !is_element(assertion, kSamlAssertionNs, "Assertion"))
      return refuse("the encrypted assertion did not hold exactly one Assertion");
    census.signatures = after.signatures;
  }
  TRY(check_version(assertion, "the Assertion"));
  TRY(register_id(doc, assertion));
  for (xmlNode* signature : census.signatures) {
    bool seen = std::find(before_decryption.begin(), before_decryption.end(), signature) !=
                before_decryption.end();
    if (signature->parent == response && seen) continue;  // verified above
    if (signature->parent == response)
      return refuse("the decrypted assertion brought a signature onto the Response");
    TRY(verify(signature, assertion, out.assertion_signed, "the Assertion"));
  }
  if (!out.response_signed && !out.assertion_signed)
    return refuse("neither the Response nor the Assertion is signed");

  TRY(check_issue_instant(assertion, now, expected.clock_skew, "the Assertion"));
  TRY(check_issuer(assertion, expected, "the Assertion"));
  std::int64_t deliver_until = TRY(check_subject(assertion, expected, request_id, now, out));
  std::int64_t valid_until = TRY(check_conditions(assertion, expected, now));
  TRY(check_authn_statement(assertion, now, expected.clock_skew));
  read_attributes(assertion, out);

  out.response_id = attribute(response, "ID").value;
  out.assertion_id = attribute(assertion, "ID").value;
  out.replay_until = std::max(deliver_until, valid_until) + expected.clock_skew;
  return out;
}

}  // namespace ssoc::saml
