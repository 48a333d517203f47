#include "saml/xml_security_shape.hpp"

#include <string>
#include <vector>

#include "saml/saml_names.hpp"
#include "saml/xml_document.hpp"

namespace ssoc::saml {
namespace {

constexpr std::string_view kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
constexpr std::string_view kEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
constexpr std::string_view kRsaOaep = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";

Error bad_signature(std::string what) {
  return fail(Cause::InvalidInput, "a signature has an unexpected shape: " + what);
}
Error bad_encryption(std::string what) {
  return fail(Cause::InvalidInput, "the encrypted assertion has an unexpected shape: " + what);
}

std::vector<const xmlNode*> elements(const xmlNode* parent) {
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) out.push_back(c);
  return out;
}

std::string algorithm(const xmlNode* node) {
  return attribute(node, "Algorithm").value;
}

// An exclusive-c14n element: the algorithm, and at most one InclusiveNamespaces child.
bool is_exclusive_c14n(const xmlNode* node) {
  if (algorithm(node) != kExcC14n) return false;
  std::vector<const xmlNode*> children = elements(node);
  return children.empty() ||
         (children.size() == 1 && is_element(children[0], kExcC14n, "InclusiveNamespaces") &&
          elements(children[0]).empty());
}

// CipherData holding exactly one CipherValue and nothing else.
bool has_inline_cipher_value(const xmlNode* parent) {
  std::vector<const xmlNode*> children = elements(parent);
  std::size_t at = 0;
  for (; at < children.size(); ++at)
    if (is_element(children[at], kXencNs, "CipherData")) break;
  if (at == children.size()) return false;
  std::vector<const xmlNode*> data = elements(children[at]);
  return data.size() == 1 && is_element(data[0], kXencNs, "CipherValue") &&
         elements(data[0]).empty();
}

bool any_cipher_reference(const xmlNode* node) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (is_element(c, kXencNs, "CipherReference") || any_cipher_reference(c)) return true;
  }
  return false;
}

const xmlNode* only(const std::vector<const xmlNode*>& nodes, std::string_view ns,
                    std::string_view name) {
  const xmlNode* found = nullptr;
  for (const xmlNode* n : nodes) {
    if (!is_element(n, ns, name)) continue;
    if (found != nullptr) return nullptr;
    found = n;
  }
  return found;
}

}  // namespace

Result<void> check_signature_shape(const xmlNode* signature) {
  std::vector<const xmlNode*> parts = elements(signature);
  if (parts.size() < 2 || parts.size() > 3 || !is_element(parts[0], kDsigNs, "SignedInfo") ||
      !is_element(parts[1], kDsigNs, "SignatureValue") ||
      (parts.size() == 3 && !is_element(parts[2], kDsigNs, "KeyInfo")))
    return bad_signature("it must hold SignedInfo, SignatureValue and at most a KeyInfo");
  std::vector<const xmlNode*> info = elements(parts[0]);
  if (info.size() != 3 || !is_element(info[0], kDsigNs, "CanonicalizationMethod") ||
      !is_element(info[1], kDsigNs, "SignatureMethod") ||
      !is_element(info[2], kDsigNs, "Reference"))
    return bad_signature(
        "SignedInfo must hold CanonicalizationMethod, SignatureMethod and one Reference");
  if (!is_exclusive_c14n(info[0]))
    return bad_signature("SignedInfo is not canonicalised with exclusive c14n");
  if (!elements(info[1]).empty()) return bad_signature("SignatureMethod has parameters");
  std::vector<const xmlNode*> reference = elements(info[2]);
  if (reference.size() != 3 || !is_element(reference[0], kDsigNs, "Transforms") ||
      !is_element(reference[1], kDsigNs, "DigestMethod") ||
      !is_element(reference[2], kDsigNs, "DigestValue") || !elements(reference[1]).empty())
    return bad_signature("the Reference must hold Transforms, DigestMethod and DigestValue");
  std::vector<const xmlNode*> transforms = elements(reference[0]);
  if (transforms.size() != 2 || !is_element(transforms[0], kDsigNs, "Transform") ||
      !is_element(transforms[1], kDsigNs, "Transform") || algorithm(transforms[0]) != kEnveloped ||
      !elements(transforms[0]).empty() || !is_exclusive_c14n(transforms[1]))
    return bad_signature("the transforms must be enveloped-signature, then exclusive c14n");
  return success();
}

Result<void> check_encrypted_assertion_shape(const xmlNode* encrypted_assertion, bool allow_cbc) {
  if (any_cipher_reference(encrypted_assertion))
    return bad_encryption("a CipherReference (only inline cipher values are accepted)");
  std::vector<const xmlNode*> parts = elements(encrypted_assertion);
  if (parts.size() != 1 || !is_element(parts[0], kXencNs, "EncryptedData"))
    return bad_encryption("it must hold one EncryptedData and nothing beside it");
  std::vector<const xmlNode*> data = elements(parts[0]);
  const xmlNode* method = only(data, kXencNs, "EncryptionMethod");
  std::string cipher = method != nullptr ? algorithm(method) : "";
  bool gcm = cipher == "http://www.w3.org/2009/xmlenc11#aes128-gcm" ||
             cipher == "http://www.w3.org/2009/xmlenc11#aes192-gcm" ||
             cipher == "http://www.w3.org/2009/xmlenc11#aes256-gcm";
  bool cbc = cipher == "http://www.w3.org/2001/04/xmlenc#aes128-cbc" ||
             cipher == "http://www.w3.org/2001/04/xmlenc#aes192-cbc" ||
             cipher == "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
  if (!gcm && !(cbc && allow_cbc))
    return bad_encryption(cbc ? "AES-CBC is accepted only inside a signed Response"
                              : "its cipher is not AES-GCM or AES-CBC");
  const xmlNode* key_info = only(data, kDsigNs, "KeyInfo");
  std::vector<const xmlNode*> keys =
      key_info != nullptr ? elements(key_info) : std::vector<const xmlNode*>{};
  if (keys.size() != 1 || !is_element(keys[0], kXencNs, "EncryptedKey"))
    return bad_encryption("its KeyInfo must hold exactly one EncryptedKey");
  const xmlNode* key_method = only(elements(keys[0]), kXencNs, "EncryptionMethod");
  if (key_method == nullptr || algorithm(key_method) != kRsaOaep)
    return bad_encryption("its key is not transported with RSA-OAEP");
  if (!has_inline_cipher_value(keys[0]) || !has_inline_cipher_value(parts[0]))
    return bad_encryption("a CipherData must hold exactly one CipherValue");
  return success();
}

}  // namespace ssoc::saml
