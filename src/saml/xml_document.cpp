#include "saml/xml_document.hpp"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include <mutex>

namespace ssoc::saml {
namespace {

struct ParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};
using ParserCtxt = std::unique_ptr<xmlParserCtxt, ParserCtxtFree>;

struct XmlCharFree {
  void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};
using XmlText = std::unique_ptr<xmlChar, XmlCharFree>;

// Set by the DOCTYPE callbacks of the parse running on this thread.
thread_local bool doctype_seen = false;

// Called when "<!DOCTYPE name ...": before the internal subset (and any entity declaration in
// it) is read. Stopping here means no entity is ever declared, let alone expanded.
void refuse_doctype(void* user_data, const xmlChar*, const xmlChar*, const xmlChar*) {
  doctype_seen = true;
  xmlStopParser(static_cast<xmlParserCtxt*>(user_data));
}

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r'))
    text.pop_back();
  return text;
}

std::string_view as_view(const xmlChar* text) {
  return text == nullptr ? std::string_view{}
                         : std::string_view(reinterpret_cast<const char*>(text));
}

}  // namespace

XmlDoc parse_xml(ByteView xml, std::string& problem) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });

  if (xml.size() > kMaxXmlSize) {
    problem = "is " + std::to_string(xml.size()) + " bytes long, more than the " +
              std::to_string(kMaxXmlSize) + " allowed";
    return nullptr;
  }
  if (xml.empty()) {
    problem = "is empty";
    return nullptr;
  }
  ParserCtxt ctxt(xmlNewParserCtxt());
  if (!ctxt || ctxt->sax == nullptr) {
    problem = "could not be parsed: out of memory";
    return nullptr;
  }
  ctxt->sax->internalSubset = refuse_doctype;
  ctxt->sax->externalSubset = refuse_doctype;

  // No XML_PARSE_NOENT (entities stay unexpanded), no XML_PARSE_DTDLOAD / DTDATTR / DTDVALID,
  // no XInclude, no network; errors are not printed, they are read from lastError.
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  doctype_seen = false;
  XmlDoc doc(xmlCtxtReadMemory(ctxt.get(), reinterpret_cast<const char*>(xml.data()),
                               static_cast<int>(xml.size()), "metadata.xml", nullptr, options));
  if (doctype_seen || (doc && doc->intSubset != nullptr)) {
    problem =
        "has a DOCTYPE, which SAML never needs and which is refused (it can "
        "declare entities)";
    return nullptr;
  }
  if (!doc || !ctxt->wellFormed) {
    const xmlError& error = ctxt->lastError;
    std::string detail = error.message != nullptr ? trim(error.message) : "no detail";
    problem = "is not well-formed XML (line " + std::to_string(error.line) + ": " + detail + ")";
    return nullptr;
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    problem = "has no root element";
    return nullptr;
  }
  return doc;
}

bool is_element(const xmlNode* node, std::string_view ns, std::string_view name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         as_view(node->ns->href) == ns && as_view(node->name) == name;
}

std::vector<xmlNode*> child_elements(const xmlNode* parent, std::string_view ns,
                                     std::string_view name) {
  std::vector<xmlNode*> found;
  for (xmlNode* child = parent->children; child != nullptr; child = child->next) {
    if (is_element(child, ns, name)) found.push_back(child);
  }
  return found;
}

Attribute attribute(const xmlNode* node, const char* name) {
  XmlText value(xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name)));
  if (!value) return {};
  return {true, std::string(as_view(value.get()))};
}

std::string text_content(const xmlNode* node) {
  XmlText value(xmlNodeGetContent(node));
  return std::string(as_view(value.get()));
}

}  // namespace ssoc::saml
