// What the forge's own checks share: a folder of keys made once, the xmlsec1 command as an
// independent verifier, and a small look into the XML with libxml2.
#pragma once

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "support/saml/saml_forge.hpp"
#include "support/test_env.hpp"

namespace ssoc::test::saml::check {

namespace fs = std::filesystem;

inline const char* kAcs = "https://sso.test:8443/saml/acs";
inline const char* kSpEntity = "https://sso.test/saml/metadata";

// The shared helper: runs through /bin/sh, stderr joined to stdout.
inline int run(const std::string& command, std::string* output = nullptr) {
  return ssoc::test::run_command(command, output);
}

inline std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_file(const fs::path& file, const std::string& text) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
}

// The keys live in the build folder (SSOC_FORGE_CHECK_KEYS, made once, shared by the test
// processes ctest runs): the IdP's, an attacker's and the SP's encryption key.
struct Keys {
  fs::path dir;
  IdpKey idp, attacker, sp;
};

inline const Keys& keys() {
  static const Keys made = [] {
    Keys k;
    k.dir = SSOC_FORGE_CHECK_KEYS;
    k.idp = make_idp_key(k.dir, "idp.test");
    k.attacker = make_idp_key(k.dir, "attacker.test");
    k.sp = make_idp_key(k.dir, "sso.test");
    return k;
  }();
  return made;
}

inline ResponseSpec good_spec() {
  ResponseSpec spec;
  spec.destination = kAcs;
  spec.recipient = kAcs;
  spec.audience = kSpEntity;
  spec.in_response_to = "_request-4711";
  spec.signer = keys().idp;
  return spec;
}

// `xmlsec1 --verify` of the first ds:Signature (or the one `xpath` selects), SAML IDs declared.
inline bool xmlsec1_verifies(const std::string& xml, const std::string& cert_pem_file,
                             const std::string& xpath = "") {
  fs::path file = keys().dir / ("verify-" + std::to_string(::getpid()) + ".xml");
  write_file(file, xml);
  std::string command =
      "xmlsec1 --verify --id-attr:ID urn:oasis:names:tc:SAML:2.0:assertion:Assertion"
      " --id-attr:ID urn:oasis:names:tc:SAML:2.0:protocol:Response --pubkey-cert-pem '" +
      cert_pem_file + "'";
  if (!xpath.empty()) command += " --node-xpath \"" + xpath + "\"";
  std::string output;
  int rc = run(command + " '" + file.string() + "'", &output);
  fs::remove(file);
  return rc == 0 && (output.starts_with("OK\n") || output.find("\nOK\n") != std::string::npos);
}

inline const char* kAssertionSignatureXpath =
    "//*[local-name()='Assertion']/*[local-name()='Signature']";

// `xmlsec1 --decrypt` of the first EncryptedData; empty when it fails.
inline std::string xmlsec1_decrypt(const std::string& xml, const std::string& key_pem_file) {
  fs::path file = keys().dir / ("decrypt-" + std::to_string(::getpid()) + ".xml");
  fs::path out = keys().dir / ("decrypted-" + std::to_string(::getpid()) + ".xml");
  write_file(file, xml);
  std::string output;
  int rc = run("xmlsec1 --decrypt --privkey-pem '" + key_pem_file + "' --output '" + out.string() +
                   "' '" + file.string() + "'",
               &output);
  std::string decrypted = rc == 0 ? read_file(out) : "";
  fs::remove(file);
  fs::remove(out);
  return decrypted;
}

inline std::string decode_base64(const std::string& text) {
  std::string out(3 * (text.size() / 4) + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) throw std::invalid_argument("not base64");
  std::size_t padding = 0;
  for (auto it = text.rbegin(); it != text.rend() && *it == '='; ++it) ++padding;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

// A parsed document, for looking at what the forge wrote.
struct Tree {
  struct Free {
    void operator()(xmlDoc* doc) const noexcept { xmlFreeDoc(doc); }
  };
  std::unique_ptr<xmlDoc, Free> doc;

  explicit Tree(const std::string& xml, int options = XML_PARSE_NONET)
      : doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, options)) {
    if (!doc) throw std::invalid_argument("the XML does not parse");
  }
  xmlNode* root() const { return xmlDocGetRootElement(doc.get()); }

  // Path (local names, [n] for later siblings of the same name) and text of every element with
  // that local name, in document order.
  std::vector<std::pair<std::string, std::string>> elements(const std::string& local_name) const {
    std::vector<std::pair<std::string, std::string>> found;
    walk(root(), local_name, found);
    return found;
  }
  // The first child node's text of the first element with that local name ("" if none).
  std::string first_text(const std::string& local_name) const {
    xmlNode* node = find(root(), local_name);
    if (node == nullptr || node->children == nullptr || node->children->type != XML_TEXT_NODE)
      return "";
    return reinterpret_cast<const char*>(node->children->content);
  }
  std::vector<std::string> ids() const {
    std::vector<std::string> found;
    collect_ids(root(), found);
    return found;
  }

 private:
  static std::string path(const xmlNode* node) {
    std::string out;
    for (; node != nullptr && node->type == XML_ELEMENT_NODE; node = node->parent) {
      int position = 1;
      for (const xmlNode* s = node->prev; s != nullptr; s = s->prev)
        if (s->type == XML_ELEMENT_NODE && xmlStrEqual(s->name, node->name)) ++position;
      std::string step = "/" + std::string(reinterpret_cast<const char*>(node->name));
      if (position > 1) step += "[" + std::to_string(position) + "]";
      out.insert(0, step);
    }
    return out;
  }
  static std::string text(xmlNode* node) {
    xmlChar* content = xmlNodeGetContent(node);
    std::string out = content ? reinterpret_cast<const char*>(content) : "";
    xmlFree(content);
    return out;
  }
  static void walk(xmlNode* node, const std::string& name,
                   std::vector<std::pair<std::string, std::string>>& found) {
    for (; node != nullptr; node = node->next) {
      if (node->type != XML_ELEMENT_NODE) continue;
      if (name == reinterpret_cast<const char*>(node->name))
        found.emplace_back(path(node), text(node));
      walk(node->children, name, found);
    }
  }
  static xmlNode* find(xmlNode* node, const std::string& name) {
    for (; node != nullptr; node = node->next) {
      if (node->type != XML_ELEMENT_NODE) continue;
      if (name == reinterpret_cast<const char*>(node->name)) return node;
      if (xmlNode* below = find(node->children, name)) return below;
    }
    return nullptr;
  }
  static void collect_ids(xmlNode* node, std::vector<std::string>& found) {
    for (; node != nullptr; node = node->next) {
      if (node->type != XML_ELEMENT_NODE) continue;
      if (xmlChar* id = xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>("ID"))) {
        found.emplace_back(reinterpret_cast<const char*>(id));
        xmlFree(id);
      }
      collect_ids(node->children, found);
    }
  }
};

inline bool has_duplicates(const std::vector<std::string>& values) {
  return std::set<std::string>(values.begin(), values.end()).size() != values.size();
}

inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace ssoc::test::saml::check
