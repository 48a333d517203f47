// A parsed XML document (libxml2) for untrusted input: no network, no DTD loading, no entity
// expansion, and parsing stops at a DOCTYPE, before any entity declaration is read.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::saml {

struct XmlDocFree {
  void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

// Largest document parse_xml accepts.
inline constexpr std::size_t kMaxXmlSize = 1u << 20;

// Parses `xml`. On failure returns a one-line description of the problem (what is wrong, with a
// line number when libxml2 gives one) in `problem`, and nullptr.
XmlDoc parse_xml(ByteView xml, std::string& problem);

// Element children of `parent` in namespace `ns` with local name `name`.
std::vector<xmlNode*> child_elements(const xmlNode* parent, std::string_view ns,
                                     std::string_view name);
bool is_element(const xmlNode* node, std::string_view ns, std::string_view name);

// The attribute without namespace, or nullopt-like empty with `present` false.
struct Attribute {
  bool present = false;
  std::string value;
};
Attribute attribute(const xmlNode* node, const char* name);

// The text content of an element (all descendant text nodes).
std::string text_content(const xmlNode* node);

}  // namespace ssoc::saml
