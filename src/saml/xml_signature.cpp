// SignatureKeys: XML Signature verification of the one shape SAML uses (xml_security.hpp,
// xml_security_shape.hpp), written out here on libxml2's exclusive c14n and OpenSSL rather than
// run through xmlsec's general transform machinery, which cost more than the RSA verify itself
// (docs/performance.md). What is verified is exactly what XML DSig core (§3.2) prescribes for
// that shape:
//
// 1. the Reference: the element the signature is enveloped in (its ID is the Reference URI),
//    without the ds:Signature subtree (the enveloped-signature transform), canonicalised with
//    exclusive c14n (with the transform's InclusiveNamespaces PrefixList), digested with the
//    DigestMethod and compared with DigestValue;
// 2. the SignatureValue over SignedInfo canonicalised with exclusive c14n (with its own
//    PrefixList), with the SignatureMethod and each of the IdP's metadata keys in turn.
#include <libxml/c14n.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <cstring>
#include <string>

#include "common/encoding.hpp"
#include "saml/saml_names.hpp"
#include "saml/xml_document.hpp"
#include "saml/xml_security.hpp"
#include "saml/xml_security_shape.hpp"

namespace ssoc::saml {
namespace {

struct SignatureAlgorithm {
  std::string_view uri;
  const char* digest;  // OpenSSL name
  int key_type;        // EVP_PKEY_RSA or EVP_PKEY_EC
  bool sha1;
};
constexpr SignatureAlgorithm kSignatureAlgorithms[] = {
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "SHA256", EVP_PKEY_RSA, false},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", "SHA384", EVP_PKEY_RSA, false},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", "SHA512", EVP_PKEY_RSA, false},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", "SHA256", EVP_PKEY_EC, false},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", "SHA384", EVP_PKEY_EC, false},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", "SHA512", EVP_PKEY_EC, false},
    {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", "SHA1", EVP_PKEY_RSA, true},
};

struct DigestAlgorithm {
  std::string_view uri;
  const char* name;
  bool sha1;
};
constexpr DigestAlgorithm kDigestAlgorithms[] = {
    {"http://www.w3.org/2001/04/xmlenc#sha256", "SHA256", false},
    {"http://www.w3.org/2001/04/xmldsig-more#sha384", "SHA384", false},
    {"http://www.w3.org/2001/04/xmlenc#sha512", "SHA512", false},
    {"http://www.w3.org/2000/09/xmldsig#sha1", "SHA1", true},
};

// The digests, fetched once (thread-safe static initialisation): an implicit fetch by name
// takes OpenSSL's method-store locks on every call, and logins run on several threads at once.
const EVP_MD* fetched_digest(std::string_view name) {
  struct Digests {
    ossl::Md sha1{EVP_MD_fetch(nullptr, "SHA1", nullptr)};
    ossl::Md sha256{EVP_MD_fetch(nullptr, "SHA256", nullptr)};
    ossl::Md sha384{EVP_MD_fetch(nullptr, "SHA384", nullptr)};
    ossl::Md sha512{EVP_MD_fetch(nullptr, "SHA512", nullptr)};
  };
  static const Digests digests;
  if (name == "SHA1") return digests.sha1.get();
  if (name == "SHA256") return digests.sha256.get();
  if (name == "SHA384") return digests.sha384.get();
  if (name == "SHA512") return digests.sha512.get();
  return nullptr;
}

Error refused(std::string what) {
  return fail(Cause::InvalidInput, std::move(what));
}

xmlNode* first_element(const xmlNode* parent) {
  for (xmlNode* c = parent->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return c;
  return nullptr;
}

xmlNode* next_element(const xmlNode* node) {
  for (xmlNode* c = node->next; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return c;
  return nullptr;
}

// The base64 text of an element (DigestValue, SignatureValue), line breaks and spaces allowed.
std::optional<SecretBytes> base64_content(const xmlNode* node) {
  std::string text = text_content(node);
  std::string compact;
  compact.reserve(text.size());
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  return base64_decode(compact);
}

// The PrefixList of an exclusive-c14n element's InclusiveNamespaces child, split on spaces.
std::vector<std::string> inclusive_prefixes(const xmlNode* c14n_method) {
  std::vector<std::string> prefixes;
  const xmlNode* list = first_element(c14n_method);
  if (list == nullptr) return prefixes;
  std::string text = attribute(list, "PrefixList").value;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find_first_of(" \t\r\n", at);
    if (end == std::string::npos) end = text.size();
    if (end > at) prefixes.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return prefixes;
}

// What exclusive c14n renders: `root`'s subtree, less `excluded`'s (when given).
struct Subtree {
  const xmlNode* root;
  const xmlNode* excluded;
};

bool within(const xmlNode* node, const xmlNode* ancestor) {
  for (; node != nullptr; node = node->parent)
    if (node == ancestor) return true;
  return false;
}

int visible(void* data, xmlNodePtr node, xmlNodePtr parent) {
  const auto* subtree = static_cast<const Subtree*>(data);
  // A namespace node has no parent pointer of its own: libxml2 passes its element.
  const xmlNode* at = node->type == XML_NAMESPACE_DECL ? parent : node;
  if (!within(at, subtree->root)) return 0;
  return subtree->excluded == nullptr || !within(at, subtree->excluded) ? 1 : 0;
}

Result<std::string> exclusive_c14n(xmlDoc* doc, const Subtree& subtree,
                                   const std::vector<std::string>& prefixes) {
  std::vector<xmlChar*> list;
  for (const std::string& p : prefixes)
    list.push_back(const_cast<xmlChar*>(reinterpret_cast<const xmlChar*>(p.c_str())));
  list.push_back(nullptr);
  xmlOutputBuffer* out = xmlAllocOutputBuffer(nullptr);
  if (out == nullptr) return fail(Cause::Internal, "out of memory canonicalising a signature");
  int rc = xmlC14NExecute(doc, visible, const_cast<Subtree*>(&subtree), XML_C14N_EXCLUSIVE_1_0,
                          prefixes.empty() ? nullptr : list.data(), 0, out);
  std::string text;
  if (rc >= 0 && out->buffer != nullptr)
    text.assign(reinterpret_cast<const char*>(xmlBufContent(out->buffer)), xmlBufUse(out->buffer));
  xmlOutputBufferClose(out);
  if (rc < 0) return refused("a signed element could not be canonicalised");
  return text;
}

// XML DSig's ECDSA SignatureValue is r || s (RFC 4050 §3.3), each half the size of the curve's
// order; OpenSSL wants a DER ECDSA-Sig-Value.
std::optional<Bytes> ecdsa_der(ByteView raw, EVP_PKEY* key) {
  int order_bytes = (EVP_PKEY_get_bits(key) + 7) / 8;
  if (order_bytes <= 0 || raw.size() != static_cast<std::size_t>(2 * order_bytes))
    return std::nullopt;
  ECDSA_SIG* sig = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(raw.data(), order_bytes, nullptr);
  BIGNUM* s = BN_bin2bn(raw.data() + order_bytes, order_bytes, nullptr);
  if (sig == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig, r, s) != 1) {
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return std::nullopt;
  }
  unsigned char* der = nullptr;
  int size = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (size <= 0) return std::nullopt;
  Bytes out(der, der + size);
  OPENSSL_free(der);
  return out;
}

bool signature_verifies(EVP_PKEY* key, const SignatureAlgorithm& algorithm, ByteView value,
                        std::string_view signed_info) {
  if (EVP_PKEY_get_base_id(key) != algorithm.key_type) return false;
  Bytes der;
  if (algorithm.key_type == EVP_PKEY_EC) {
    auto converted = ecdsa_der(value, key);
    if (!converted) return false;
    der = std::move(*converted);
    value = der;
  }
  ossl::MdCtx ctx(EVP_MD_CTX_new());
  const EVP_MD* md = fetched_digest(algorithm.digest);
  bool ok = ctx && md != nullptr &&
            EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), value.data(), value.size(),
                             reinterpret_cast<const unsigned char*>(signed_info.data()),
                             signed_info.size()) == 1;
  ERR_clear_error();
  return ok;
}

}  // namespace

Result<std::shared_ptr<const SignatureKeys>> SignatureKeys::from_certificates(
    const std::vector<Bytes>& certificates_der) {
  std::shared_ptr<SignatureKeys> keys(new SignatureKeys());
  for (const Bytes& der : certificates_der) {
    const unsigned char* cursor = der.data();
    ossl::X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
    ossl::Pkey key(certificate ? X509_get_pubkey(certificate.get()) : nullptr);
    int type = key ? EVP_PKEY_get_base_id(key.get()) : EVP_PKEY_NONE;
    if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC)
      return fail(Cause::InvalidSetting,
                  "a signing certificate of the IdP metadata holds no usable RSA or EC public "
                  "key; download the metadata of this application again from the IdP");
    keys->keys_.push_back(std::move(key));
  }
  if (keys->keys_.empty())
    return fail(Cause::InvalidSetting, "the IdP metadata has no signing certificate");
  return std::shared_ptr<const SignatureKeys>(std::move(keys));
}

SignatureKeys::~SignatureKeys() = default;

Result<void> SignatureKeys::verify(xmlNode* signature, xmlNode* signed_element,
                                   bool allow_sha1) const {
  if (signature->parent != signed_element)
    return refused("a signature is not enveloped in the element it signs");
  TRY(check_signature_shape(signature));
  // The shape check fixed the layout: SignedInfo(CanonicalizationMethod, SignatureMethod,
  // Reference(Transforms(enveloped, exc-c14n), DigestMethod, DigestValue)), SignatureValue.
  xmlNode* signed_info = first_element(signature);
  xmlNode* signature_value = next_element(signed_info);
  xmlNode* c14n_method = first_element(signed_info);
  xmlNode* signature_method = next_element(c14n_method);
  xmlNode* reference = next_element(signature_method);
  xmlNode* transforms = first_element(reference);
  xmlNode* digest_method = next_element(transforms);
  xmlNode* digest_value = next_element(digest_method);
  xmlNode* reference_c14n = next_element(first_element(transforms));

  std::string id = attribute(signed_element, "ID").value;
  if (id.empty() || attribute(reference, "URI").value != "#" + id)
    return refused("a signature does not reference the element that envelops it");

  const std::string signature_uri = attribute(signature_method, "Algorithm").value;
  const SignatureAlgorithm* algorithm = nullptr;
  for (const auto& a : kSignatureAlgorithms)
    if (a.uri == signature_uri && (allow_sha1 || !a.sha1)) algorithm = &a;
  const std::string digest_uri = attribute(digest_method, "Algorithm").value;
  const DigestAlgorithm* digest = nullptr;
  for (const auto& d : kDigestAlgorithms)
    if (d.uri == digest_uri && (allow_sha1 || !d.sha1)) digest = &d;
  if (algorithm == nullptr || digest == nullptr)
    return refused("the signature uses an algorithm that is not allowed" +
                   std::string(allow_sha1 ? "" : " (SHA-1 needs allow_sha1=true)"));

  // 1. The Reference.
  std::string content = TRY(exclusive_c14n(signed_element->doc, {signed_element, signature},
                                           inclusive_prefixes(reference_c14n)));
  unsigned char computed[EVP_MAX_MD_SIZE];
  unsigned int computed_size = 0;
  if (EVP_Digest(content.data(), content.size(), computed, &computed_size,
                 fetched_digest(digest->name), nullptr) != 1)
    return fail(Cause::Internal, "OpenSSL could not compute a digest: " + ossl::last_error());
  auto expected = base64_content(digest_value);
  if (!expected || expected->size() != computed_size ||
      CRYPTO_memcmp(expected->data(), computed, computed_size) != 0)
    return refused("a signature reference did not verify (the signed element was changed)");

  // 2. SignedInfo.
  std::string info = TRY(
      exclusive_c14n(signed_element->doc, {signed_info, nullptr}, inclusive_prefixes(c14n_method)));
  auto value = base64_content(signature_value);
  if (!value || value->empty()) return refused("a SignatureValue is not base64");
  for (const ossl::Pkey& key : keys_)
    if (signature_verifies(key.get(), *algorithm, *value, info)) return success();
  return refused("the signature does not verify with the IdP's keys");
}

}  // namespace ssoc::saml
