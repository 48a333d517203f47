// Internal to the SAML forge: libxml2 documents held by RAII, and the few tree operations the
// forge needs (find by namespace and local name, copy, move, ID registration). Never changes
// libxml2's global parser settings, so a service provider running in the same process parses
// exactly as it would without the forge.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <vector>

namespace ssoc::test::saml::detail {

inline constexpr const char* kProtocolNs = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr const char* kAssertionNs = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";
inline constexpr const char* kXencNs = "http://www.w3.org/2001/04/xmlenc#";

struct DocFree {
  void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

// Parses `xml` without network access, DTD loading or entity substitution; throws
// std::invalid_argument when it is not well-formed.
Doc parse_xml(const std::string& xml);

// The document as UTF-8 text with an XML declaration, no pretty-printing. (Elements are only
// ever moved within the scope of their namespace declarations; copies get their own.)
std::string serialize(xmlDoc* doc);

bool is_element(const xmlNode* node, const char* ns, const char* local_name);
// Every element under (and including) `root` with that namespace and local name, in document order.
std::vector<xmlNode*> find_all(xmlNode* root, const char* ns, const char* local_name);
// The first such element, or nullptr.
xmlNode* find_first(xmlNode* root, const char* ns, const char* local_name);
// The first child element of `parent` with that namespace and local name, or nullptr.
xmlNode* child_element(xmlNode* parent, const char* ns, const char* local_name);

std::string attribute(const xmlNode* element, const char* name);
void set_attribute(xmlNode* element, const char* name, const std::string& value);
std::string text_of(const xmlNode* element);
// Replaces all children of `element` with one text node.
void set_text(xmlNode* element, const std::string& text);

// Registers the ID attribute of every SAML protocol and assertion element as an XML ID (what
// xmlsec resolves Reference URI="#..." against). When an ID value repeats, the first element in
// document order keeps it (libxml2's rule).
void register_ids(xmlDoc* doc);

// Where an element sits, as local names from the root, with [n] when it is not the first
// sibling of that name: "/Response/Signature/Object/Assertion", "/Response/Assertion[2]".
std::string path_of(const xmlNode* element);

// "_" followed by 32 lower-case hex digits from the OpenSSL random generator.
std::string random_id();

// A deep copy of `element` in its own document, not yet linked into the tree.
xmlNode* deep_copy(xmlNode* element);
// Unlinks and frees `node`.
void remove_node(xmlNode* node);

}  // namespace ssoc::test::saml::detail
