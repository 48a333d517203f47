// Changes to a signed response that are not signature wrapping: text edits after signing,
// comments inside signed text, DOCTYPEs with entities.
#include <regex>
#include <stdexcept>

#include "support/saml/saml_forge.hpp"
#include "support/saml/xml_tree.hpp"

namespace ssoc::test::saml {

namespace {

const xmlChar* to_xml(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

// Splits the text of `element` at byte `at` with the comment <!--x--> between the halves.
void split_with_comment(xmlNode* element, std::size_t at) {
  std::string text = detail::text_of(element);
  if (at > text.size()) {
    throw std::invalid_argument("cannot insert a comment at " + std::to_string(at) + " into \"" +
                                text + "\" (" + std::to_string(text.size()) + " bytes)");
  }
  while (element->children != nullptr) detail::remove_node(element->children);
  if (at > 0) xmlAddChild(element, xmlNewDocText(element->doc, to_xml(text.substr(0, at).c_str())));
  xmlAddChild(element, xmlNewDocComment(element->doc, to_xml("x")));
  if (at < text.size())
    xmlAddChild(element, xmlNewDocText(element->doc, to_xml(text.substr(at).c_str())));
}

std::string escape_entity_value(const std::string& raw) {
  std::string out;
  for (char c : raw) {
    if (c == '"') {
      out += "&#34;";
    } else if (c == '%') {
      out += "&#37;";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string replace_after_signing(const std::string& xml, const std::string& from,
                                  const std::string& to) {
  if (from.empty()) throw std::invalid_argument("replace_after_signing: `from` is empty");
  std::string out;
  std::size_t start = 0, count = 0;
  for (std::size_t hit; (hit = xml.find(from, start)) != std::string::npos;
       start = hit + from.size()) {
    out.append(xml, start, hit - start);
    out += to;
    ++count;
  }
  if (count == 0) throw std::invalid_argument("replace_after_signing: \"" + from + "\" not found");
  out.append(xml, start, std::string::npos);
  return out;
}

std::string insert_comment_in_name_id(const std::string& xml, std::size_t at) {
  detail::Doc doc = detail::parse_xml(xml);
  auto name_ids = detail::find_all(xmlDocGetRootElement(doc.get()), detail::kAssertionNs, "NameID");
  if (name_ids.empty()) throw std::invalid_argument("the response holds no (clear) saml:NameID");
  for (xmlNode* name_id : name_ids) split_with_comment(name_id, at);
  return detail::serialize(doc.get());
}

std::string insert_comment_in_attribute(const std::string& xml, const std::string& attribute_name,
                                        std::size_t at) {
  detail::Doc doc = detail::parse_xml(xml);
  std::size_t values = 0;
  for (xmlNode* attribute :
       detail::find_all(xmlDocGetRootElement(doc.get()), detail::kAssertionNs, "Attribute")) {
    if (detail::attribute(attribute, "Name") != attribute_name) continue;
    for (xmlNode* value : detail::find_all(attribute, detail::kAssertionNs, "AttributeValue")) {
      split_with_comment(value, at);
      ++values;
    }
  }
  if (values == 0)
    throw std::invalid_argument("the response holds no value of attribute " + attribute_name);
  return detail::serialize(doc.get());
}

std::string with_doctype_entity(const std::string& xml, DoctypeEntity kind,
                                const std::string& system_file) {
  detail::Doc doc = detail::parse_xml(xml);
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  std::string root_name = reinterpret_cast<const char*>(root->name);
  if (root->ns != nullptr && root->ns->prefix != nullptr)
    root_name = reinterpret_cast<const char*>(root->ns->prefix) + (":" + root_name);

  // The NameID elements' text as written (the forge's and pysaml2's NameIDs hold plain text).
  static const std::regex name_id(R"((<(?:[A-Za-z_][\w.\-]*:)?NameID\b[^>]*>)([^<]*)(</))");
  std::smatch first;
  if (!std::regex_search(xml, first, name_id))
    throw std::invalid_argument("the response holds no (clear) saml:NameID");

  std::string entities, reference;
  switch (kind) {
    case DoctypeEntity::bounded_laughs:
      entities =
          "<!ENTITY lol \"lol\">\n"
          "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
          "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
          "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n";
      reference = "&lol3;";
      break;
    case DoctypeEntity::same_text:
      entities = "<!ENTITY name \"" + escape_entity_value(first[2].str()) + "\">\n";
      reference = "&name;";
      break;
    case DoctypeEntity::external_file:
      if (!system_file.starts_with("/"))
        throw std::invalid_argument("system_file must be an absolute path");
      entities = "<!ENTITY xxe SYSTEM \"file://" + system_file + "\">\n";
      reference = "&xxe;";
      break;
  }
  std::string body = std::regex_replace(xml, name_id, "$1" + reference + "$3");
  std::size_t insert_at = 0;
  if (body.starts_with("<?xml")) {
    std::size_t end = body.find("?>");
    if (end == std::string::npos) throw std::invalid_argument("unterminated XML declaration");
    insert_at = end + 2;
  }
  return body.substr(0, insert_at) + "\n<!DOCTYPE " + root_name + " [\n" + entities + "]>" +
         body.substr(insert_at);
}

}  // namespace ssoc::test::saml
