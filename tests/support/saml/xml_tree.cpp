#include "support/saml/xml_tree.hpp"

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace ssoc::test::saml::detail {

namespace {

const xmlChar* to_xml(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

struct ParserCtxtFree {
  void operator()(xmlParserCtxt* ctxt) const noexcept { xmlFreeParserCtxt(ctxt); }
};

struct XmlFree {
  void operator()(xmlChar* text) const noexcept { xmlFree(text); }
};
using XmlText = std::unique_ptr<xmlChar, XmlFree>;

std::string take(xmlChar* text) {
  XmlText owned(text);
  return owned ? std::string(reinterpret_cast<const char*>(owned.get())) : std::string();
}

void collect(xmlNode* node, const char* ns, const char* local_name, std::vector<xmlNode*>& out) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (is_element(node, ns, local_name)) out.push_back(node);
    collect(node->children, ns, local_name, out);
  }
}

bool is_saml_element(const xmlNode* node) {
  return node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         (xmlStrEqual(node->ns->href, to_xml(kProtocolNs)) ||
          xmlStrEqual(node->ns->href, to_xml(kAssertionNs)));
}

void register_ids_below(xmlDoc* doc, xmlNode* node) {
  for (; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE) continue;
    if (is_saml_element(node)) {
      xmlAttr* id = xmlHasNsProp(node, to_xml("ID"), nullptr);
      if (id != nullptr) {
        std::string value = take(xmlNodeListGetString(doc, id->children, 1));
        if (!value.empty() && xmlGetID(doc, to_xml(value.c_str())) == nullptr)
          xmlAddID(nullptr, doc, to_xml(value.c_str()), id);
      }
    }
    register_ids_below(doc, node->children);
  }
}

}  // namespace

Doc parse_xml(const std::string& xml) {
  std::unique_ptr<xmlParserCtxt, ParserCtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) throw std::runtime_error("libxml2 cannot make a parser context");
  Doc doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (!doc || xmlDocGetRootElement(doc.get()) == nullptr) {
    const char* why = ctxt->lastError.message ? ctxt->lastError.message : "no root element\n";
    throw std::invalid_argument(std::string("the SAML forge was given XML that does not parse: ") +
                                why);
  }
  return doc;
}

std::string serialize(xmlDoc* doc) {
  xmlChar* text = nullptr;
  int size = 0;
  xmlDocDumpMemoryEnc(doc, &text, &size, "UTF-8");
  XmlText owned(text);
  if (!owned) throw std::runtime_error("libxml2 cannot serialize the document");
  return std::string(reinterpret_cast<const char*>(owned.get()), static_cast<std::size_t>(size));
}

bool is_element(const xmlNode* node, const char* ns, const char* local_name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && node->ns != nullptr &&
         xmlStrEqual(node->ns->href, to_xml(ns)) && xmlStrEqual(node->name, to_xml(local_name));
}

std::vector<xmlNode*> find_all(xmlNode* root, const char* ns, const char* local_name) {
  std::vector<xmlNode*> out;
  if (root == nullptr) return out;
  if (is_element(root, ns, local_name)) out.push_back(root);
  collect(root->children, ns, local_name, out);
  return out;
}

xmlNode* find_first(xmlNode* root, const char* ns, const char* local_name) {
  auto all = find_all(root, ns, local_name);
  return all.empty() ? nullptr : all.front();
}

xmlNode* child_element(xmlNode* parent, const char* ns, const char* local_name) {
  for (xmlNode* node = parent ? parent->children : nullptr; node != nullptr; node = node->next) {
    if (is_element(node, ns, local_name)) return node;
  }
  return nullptr;
}

std::string attribute(const xmlNode* element, const char* name) {
  return take(xmlGetNoNsProp(element, to_xml(name)));
}

void set_attribute(xmlNode* element, const char* name, const std::string& value) {
  xmlSetProp(element, to_xml(name), to_xml(value.c_str()));
}

std::string text_of(const xmlNode* element) {
  return take(xmlNodeGetContent(element));
}

void set_text(xmlNode* element, const std::string& text) {
  while (element->children != nullptr) remove_node(element->children);
  xmlAddChild(element, xmlNewDocText(element->doc, to_xml(text.c_str())));
}

void register_ids(xmlDoc* doc) {
  register_ids_below(doc, xmlDocGetRootElement(doc));
}

std::string path_of(const xmlNode* element) {
  std::string path;
  for (const xmlNode* node = element; node != nullptr && node->type == XML_ELEMENT_NODE;
       node = node->parent) {
    int position = 1;
    for (const xmlNode* sibling = node->prev; sibling != nullptr; sibling = sibling->prev) {
      if (sibling->type == XML_ELEMENT_NODE && xmlStrEqual(sibling->name, node->name)) ++position;
    }
    std::string step = "/" + std::string(reinterpret_cast<const char*>(node->name));
    if (position > 1) step += "[" + std::to_string(position) + "]";
    path.insert(0, step);
  }
  return path;
}

std::string random_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "_";
  for (unsigned char byte : bytes) {
    id += kHex[byte >> 4];
    id += kHex[byte & 0x0f];
  }
  return id;
}

xmlNode* deep_copy(xmlNode* element) {
  xmlNode* copy = xmlDocCopyNode(element, element->doc, 1);
  if (copy == nullptr) throw std::runtime_error("libxml2 cannot copy an element");
  return copy;
}

void remove_node(xmlNode* node) {
  xmlUnlinkNode(node);
  xmlFreeNode(node);
}

}  // namespace ssoc::test::saml::detail
