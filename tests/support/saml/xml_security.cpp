// xmlsec's OpenSSL headers still declare functions on RSA, DSA and EC_KEY, which the project's
// OPENSSL_NO_DEPRECATED hides; this file only includes them and calls none of those.
#undef OPENSSL_NO_DEPRECATED
#include "support/saml/xml_security.hpp"

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <memory>
#include <mutex>
#include <stdexcept>

#include "support/saml/saml_forge.hpp"
#include "support/saml/xml_tree.hpp"

namespace ssoc::test::saml {

namespace detail {

namespace {

const xmlChar* to_xml(const char* text) {
  return reinterpret_cast<const xmlChar*>(text);
}

struct KeyFree {
  void operator()(xmlSecKey* key) const noexcept { xmlSecKeyDestroy(key); }
};
using Key = std::unique_ptr<xmlSecKey, KeyFree>;
struct DSigCtxFree {
  void operator()(xmlSecDSigCtx* ctx) const noexcept { xmlSecDSigCtxDestroy(ctx); }
};
struct EncCtxFree {
  void operator()(xmlSecEncCtx* ctx) const noexcept { xmlSecEncCtxDestroy(ctx); }
};
struct KeysMngrFree {
  void operator()(xmlSecKeysMngr* mngr) const noexcept { xmlSecKeysMngrDestroy(mngr); }
};
struct NodeFree {
  void operator()(xmlNode* node) const noexcept { xmlFreeNode(node); }
};

bool xmlsec_ready() {
  xmlSecPtrList* transforms = xmlSecTransformIdsGet();
  return transforms != nullptr && transforms->id == xmlSecTransformIdListId &&
         xmlSecTransformIdListFindByHref(transforms, xmlSecHrefRsaSha256,
                                         xmlSecTransformUsageSignatureMethod) !=
             xmlSecTransformIdUnknown;
}

xmlSecTransformId digest_transform(const std::string& name) {
  if (name == "sha1") return xmlSecTransformSha1Id;
  if (name == "sha256") return xmlSecTransformSha256Id;
  if (name == "sha384") return xmlSecTransformSha384Id;
  if (name == "sha512") return xmlSecTransformSha512Id;
  throw std::invalid_argument("unknown digest '" + name + "' (sha1, sha256, sha384, sha512)");
}

xmlSecTransformId signature_transform(const std::string& name) {
  if (name == "rsa-sha1") return xmlSecTransformRsaSha1Id;
  if (name == "rsa-sha256") return xmlSecTransformRsaSha256Id;
  if (name == "rsa-sha384") return xmlSecTransformRsaSha384Id;
  if (name == "rsa-sha512") return xmlSecTransformRsaSha512Id;
  throw std::invalid_argument("unknown signature '" + name +
                              "' (rsa-sha1, rsa-sha256, rsa-sha384, rsa-sha512)");
}

struct DataCipher {
  xmlSecTransformId transform;
  xmlSecSize key_bits;
};

DataCipher data_cipher(const std::string& name) {
  if (name == "aes256-gcm") return {xmlSecTransformAes256GcmId, 256};
  if (name == "aes128-gcm") return {xmlSecTransformAes128GcmId, 128};
  if (name == "aes128-cbc") return {xmlSecTransformAes128CbcId, 128};
  if (name == "aes256-cbc") return {xmlSecTransformAes256CbcId, 256};
  throw std::invalid_argument("unknown data encryption '" + name +
                              "' (aes256-gcm, aes128-gcm, aes128-cbc, aes256-cbc)");
}

xmlSecTransformId key_transport_transform(const std::string& name) {
  if (name == "rsa-oaep-mgf1p") return xmlSecTransformRsaOaepId;
  if (name == "rsa-1_5") return xmlSecTransformRsaPkcs1Id;
  throw std::invalid_argument("unknown key transport '" + name + "' (rsa-oaep-mgf1p, rsa-1_5)");
}

Key load_key(const std::string& file, xmlSecKeyDataFormat format) {
  Key key(xmlSecCryptoAppKeyLoad(file.c_str(), format, nullptr, nullptr, nullptr));
  if (!key) throw std::runtime_error("xmlsec cannot load a key from " + file);
  return key;
}

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("xmlsec: ") + what);
}

}  // namespace

void ensure_xmlsec() {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  xmlInitParser();
  if (xmlsec_ready()) return;
  require(xmlSecInit() == 0, "xmlSecInit failed");
  require(xmlSecCheckVersion() == 1, "the loaded library does not match the headers");
  require(xmlSecCryptoAppInit(nullptr) == 0, "xmlSecCryptoAppInit failed");
  require(xmlSecCryptoInit() == 0, "xmlSecCryptoInit (OpenSSL) failed");
}

void sign_element(xmlNode* element, const std::string& key_pem_file,
                  const std::string& cert_pem_file, const SigningAlgorithms& algorithms) {
  ensure_xmlsec();
  xmlDoc* doc = element->doc;
  std::string id = attribute(element, "ID");
  if (id.empty() || xmlGetID(doc, to_xml(id.c_str())) == nullptr)
    throw std::invalid_argument("the element to sign has no registered ID attribute");

  std::unique_ptr<xmlNode, NodeFree> signature(xmlSecTmplSignatureCreateNsPref(
      doc, xmlSecTransformExclC14NId, signature_transform(algorithms.signature), nullptr,
      to_xml("ds")));
  require(signature != nullptr, "cannot make a Signature template");
  std::string uri = "#" + id;
  xmlNode* reference = xmlSecTmplSignatureAddReference(
      signature.get(), digest_transform(algorithms.digest), nullptr, to_xml(uri.c_str()), nullptr);
  require(reference != nullptr, "cannot add a Reference");
  require(xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) != nullptr &&
              xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NId) != nullptr,
          "cannot add the Reference transforms");
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature.get(), nullptr);
  xmlNode* x509_data = key_info ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  require(x509_data != nullptr && xmlSecTmplX509DataAddCertificate(x509_data) != nullptr,
          "cannot add KeyInfo/X509Data");

  // SAML's schema: the Signature follows the Issuer.
  xmlNode* placed = nullptr;
  if (xmlNode* issuer = child_element(element, kAssertionNs, "Issuer")) {
    placed = xmlAddNextSibling(issuer, signature.get());
  } else if (element->children != nullptr) {
    placed = xmlAddPrevSibling(element->children, signature.get());
  } else {
    placed = xmlAddChild(element, signature.get());
  }
  require(placed != nullptr, "cannot place the Signature");
  xmlNode* signature_node = signature.release();

  Key key = load_key(key_pem_file, xmlSecKeyDataFormatPem);
  require(xmlSecCryptoAppKeyCertLoad(key.get(), cert_pem_file.c_str(), xmlSecKeyDataFormatPem) == 0,
          "cannot load the signing certificate");
  std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
  require(ctx != nullptr, "cannot make a signature context");
  ctx->signKey = key.release();
  require(xmlSecDSigCtxSign(ctx.get(), signature_node) == 0, "signing failed");
}

void encrypt_assertion(xmlNode* assertion, const std::string& cert_pem_file,
                       const std::string& data_algorithm, const std::string& key_transport) {
  ensure_xmlsec();
  xmlDoc* doc = assertion->doc;
  DataCipher cipher = data_cipher(data_algorithm);

  xmlNode* wrapper = xmlNewDocNode(doc, nullptr, to_xml("EncryptedAssertion"), nullptr);
  xmlSetNs(wrapper, xmlNewNs(wrapper, to_xml(kAssertionNs), to_xml("saml")));
  xmlAddPrevSibling(assertion, wrapper);
  xmlUnlinkNode(assertion);
  xmlAddChild(wrapper, assertion);

  std::unique_ptr<xmlNode, NodeFree> data(xmlSecTmplEncDataCreate(
      doc, cipher.transform, nullptr, xmlSecTypeEncElement, nullptr, nullptr));
  require(data != nullptr, "cannot make an EncryptedData template");
  require(xmlSecTmplEncDataEnsureCipherValue(data.get()) != nullptr, "cannot add CipherValue");
  xmlNode* key_info = xmlSecTmplEncDataEnsureKeyInfo(data.get(), nullptr);
  require(key_info != nullptr, "cannot add KeyInfo");
  xmlNode* encrypted_key = xmlSecTmplKeyInfoAddEncryptedKey(
      key_info, key_transport_transform(key_transport), nullptr, nullptr, nullptr);
  require(encrypted_key != nullptr && xmlSecTmplEncDataEnsureCipherValue(encrypted_key) != nullptr,
          "cannot add EncryptedKey");

  std::unique_ptr<xmlSecKeysMngr, KeysMngrFree> keys(xmlSecKeysMngrCreate());
  require(keys != nullptr && xmlSecCryptoAppDefaultKeysMngrInit(keys.get()) == 0,
          "cannot make a keys manager");
  Key recipient = load_key(cert_pem_file, xmlSecKeyDataFormatCertPem);
  require(xmlSecCryptoAppDefaultKeysMngrAdoptKey(keys.get(), recipient.get()) == 0,
          "cannot add the recipient's key");
  recipient.release();

  std::unique_ptr<xmlSecEncCtx, EncCtxFree> ctx(xmlSecEncCtxCreate(keys.get()));
  require(ctx != nullptr, "cannot make an encryption context");
  ctx->encKey = xmlSecKeyGenerate(xmlSecKeyDataAesId, cipher.key_bits, xmlSecKeyDataTypeSession);
  require(ctx->encKey != nullptr, "cannot make a session key");
  // On success the template takes the assertion's place (the assertion is freed).
  require(xmlSecEncCtxXmlEncrypt(ctx.get(), data.get(), assertion) == 0, "encryption failed");
  data.release();
}

}  // namespace detail

std::vector<SignatureCheck> check_signatures(const std::string& xml,
                                             const std::string& cert_pem_file) {
  using namespace detail;
  ensure_xmlsec();
  Doc doc = parse_xml(xml);
  register_ids(doc.get());
  std::vector<SignatureCheck> checks;
  for (xmlNode* signature : find_all(xmlDocGetRootElement(doc.get()), kDsigNs, "Signature")) {
    SignatureCheck check;
    check.holder = signature->parent ? path_of(signature->parent) : "";
    xmlNode* reference = find_first(signature, kDsigNs, "Reference");
    if (reference != nullptr) check.reference = attribute(reference, "URI");
    if (check.reference.starts_with("#")) {
      xmlAttr* id = xmlGetID(doc.get(), to_xml(check.reference.c_str() + 1));
      if (id != nullptr && id->parent != nullptr) check.referenced = path_of(id->parent);
    }
    std::unique_ptr<xmlSecDSigCtx, DSigCtxFree> ctx(xmlSecDSigCtxCreate(nullptr));
    require(ctx != nullptr, "cannot make a signature context");
    ctx->signKey = load_key(cert_pem_file, xmlSecKeyDataFormatCertPem).release();
    check.valid =
        xmlSecDSigCtxVerify(ctx.get(), signature) == 0 && ctx->status == xmlSecDSigStatusSucceeded;
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace ssoc::test::saml
