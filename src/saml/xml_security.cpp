// xmlsec's OpenSSL headers still declare functions on RSA, DSA and EC_KEY, which the project's
// OPENSSL_NO_DEPRECATED hides; this file only includes them and calls none of those.
#undef OPENSSL_NO_DEPRECATED
#include "saml/xml_security.hpp"

#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "common/openssl.hpp"
#include "saml/saml_names.hpp"
#include "saml/xml_document.hpp"
#include "saml/xml_security_shape.hpp"

namespace ssoc::saml {
namespace {

struct EncCtxFree {
  void operator()(xmlSecEncCtx* ctx) const noexcept { xmlSecEncCtxDestroy(ctx); }
};

// xmlsec reports every error through this callback; the default prints to stderr. Errors are
// expected for hostile input and the verdict is read from the return values, so they are
// dropped (they may quote parts of the message, which must not reach a log).
void quiet_errors(const char*, int, const char*, const char*, const char*, int, const char*) {}

}  // namespace

void init_xml_security() {
  static std::once_flag once;
  std::call_once(once, [] {
    xmlInitParser();
    // The test IdP of a test binary may have set xmlsec up already: its transforms are then
    // registered, and registering them twice would list each one twice.
    xmlSecPtrList* transforms = xmlSecTransformIdsGet();
    bool ready = transforms != nullptr && transforms->id == xmlSecTransformIdListId &&
                 xmlSecTransformIdListFindByHref(transforms, xmlSecHrefRsaSha256,
                                                 xmlSecTransformUsageSignatureMethod) !=
                     xmlSecTransformIdUnknown;
    // Installed libraries that do not work leave nothing that could be checked: stop.
    if (!ready && (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 ||
                   xmlSecCryptoAppInit(nullptr) < 0 || xmlSecCryptoInit() < 0))
      std::abort();
    xmlSecErrorsSetCallback(quiet_errors);
    // Nothing here ever needs xmlsec to open a file or a URL: without IO callbacks, no
    // reference in a message can make it try.
    xmlSecIOCleanupCallbacks();
  });
}

Result<std::shared_ptr<const DecryptionKey>> DecryptionKey::from_private_key(EVP_PKEY* key) {
  init_xml_security();
  std::shared_ptr<DecryptionKey> out(new DecryptionKey());
  // A manager with a simple key store and no X.509 store: xmlSecCryptoAppDefaultKeysMngrInit
  // would load the system CA bundle (tens of milliseconds at every start and reload), and no
  // certificate is ever verified through it here.
  xmlSecKeysMngrPtr manager = xmlSecKeysMngrCreate();
  xmlSecKeyStorePtr store = xmlSecKeyStoreCreate(xmlSecSimpleKeysStoreId);
  if (manager == nullptr || store == nullptr || xmlSecKeysMngrAdoptKeysStore(manager, store) < 0) {
    if (store != nullptr) xmlSecKeyStoreDestroy(store);
    if (manager != nullptr) xmlSecKeysMngrDestroy(manager);
    return fail(Cause::Internal, "xmlsec could not make a key manager");
  }
  manager->getKey = xmlSecKeysMngrGetKey;  // what the default init would set: look in the store
  out->manager_ = manager;
  if (EVP_PKEY_up_ref(key) != 1) return fail(Cause::Internal, "OpenSSL could not share the key");
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(key);
  if (data == nullptr) {
    EVP_PKEY_free(key);
    return fail(Cause::InvalidSetting, "the keystore's key cannot decrypt SAML assertions");
  }
  xmlSecKeyPtr xkey = xmlSecKeyCreate();
  if (xkey == nullptr || xmlSecKeySetValue(xkey, data) < 0) {
    xmlSecKeyDataDestroy(data);
    if (xkey != nullptr) xmlSecKeyDestroy(xkey);
    return fail(Cause::Internal, "xmlsec could not hold the key");
  }
  if (xmlSecSimpleKeysStoreAdoptKey(store, xkey) < 0) {
    xmlSecKeyDestroy(xkey);
    return fail(Cause::Internal, "xmlsec could not keep the key");
  }
  return std::shared_ptr<const DecryptionKey>(std::move(out));
}

DecryptionKey::~DecryptionKey() {
  if (manager_ != nullptr) xmlSecKeysMngrDestroy(static_cast<xmlSecKeysMngrPtr>(manager_));
}

Result<xmlNode*> DecryptionKey::decrypt_in_place(xmlNode* encrypted_element, bool allow_cbc) const {
  TRY(check_encrypted_assertion_shape(encrypted_element, allow_cbc));
  std::vector<xmlNode*> data = child_elements(encrypted_element, kXencNs, "EncryptedData");
  std::unique_ptr<xmlSecEncCtx, EncCtxFree> ctx(
      xmlSecEncCtxCreate(static_cast<xmlSecKeysMngrPtr>(manager_)));
  if (!ctx) return fail(Cause::Internal, "out of memory decrypting an assertion");
  // Content: AES-GCM or AES-CBC. KeyInfo: an EncryptedKey only (never a key carried in the
  // clear), itself decrypted by RSA-OAEP with the key of the manager (this service's).
  int rc = 0;
  for (xmlSecTransformId id :
       {xmlSecTransformAes128GcmId, xmlSecTransformAes192GcmId, xmlSecTransformAes256GcmId})
    rc |= xmlSecPtrListAdd(&ctx->transformCtx.enabledTransforms, (void*)id);
  if (allow_cbc)
    for (xmlSecTransformId id :
         {xmlSecTransformAes128CbcId, xmlSecTransformAes192CbcId, xmlSecTransformAes256CbcId})
      rc |= xmlSecPtrListAdd(&ctx->transformCtx.enabledTransforms, (void*)id);
  // Same-document data only: no CipherReference or RetrievalMethod may make xmlsec read a
  // file or a URL (the shape check refuses them too).
  ctx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
  rc |= xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData, (void*)xmlSecKeyDataEncryptedKeyId);
  if (rc == 0) rc = xmlSecKeyInfoCtxCreateEncCtx(&ctx->keyInfoReadCtx);
  if (rc == 0) {
    rc = xmlSecPtrListAdd(&ctx->keyInfoReadCtx.encCtx->transformCtx.enabledTransforms,
                          (void*)xmlSecTransformRsaOaepId);
    ctx->keyInfoReadCtx.encCtx->transformCtx.enabledUris = xmlSecTransformUriTypeNone;
  }
  if (rc != 0) return fail(Cause::Internal, "xmlsec refused the list of allowed algorithms");
  // Decrypt EncryptedData; xmlsec replaces it with the plaintext. Then the EncryptedAssertion
  // wrapper is replaced by its remaining children.
  if (xmlSecEncCtxDecrypt(ctx.get(), data.front()) < 0 || ctx->result == nullptr ||
      !ctx->resultReplaced)
    return fail(Cause::InvalidInput,
                "the encrypted assertion could not be decrypted with this service's key");
  // Move the decrypted nodes out of the EncryptedAssertion, in place of it.
  int elements = 0;
  for (xmlNode* c = encrypted_element->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE && !is_element(c, kXencNs, "EncryptedKey")) ++elements;
  if (elements != 1)
    return fail(Cause::InvalidInput, "the encrypted assertion did not decrypt to one element");
  xmlNode* first = nullptr;
  xmlNode* child = encrypted_element->children;
  while (child != nullptr) {
    xmlNode* next = child->next;
    xmlUnlinkNode(child);
    if (child->type == XML_ELEMENT_NODE && !is_element(child, kXencNs, "EncryptedKey")) {
      if (first == nullptr) first = child;
      xmlAddPrevSibling(encrypted_element, child);
      // xmlsec parsed the plaintext in the context of the EncryptedAssertion, so it may use
      // namespace declarations of that element, which is freed below: declare them again
      // where the node now is (or reuse the ones in scope there).
      if (xmlReconciliateNs(encrypted_element->doc, child) < 0)
        return fail(Cause::InvalidInput, "the decrypted assertion's namespaces do not resolve");
    } else {
      xmlFreeNode(child);
    }
    child = next;
  }
  xmlUnlinkNode(encrypted_element);
  xmlFreeNode(encrypted_element);
  if (first == nullptr)
    return fail(Cause::InvalidInput, "the encrypted assertion decrypted to nothing");
  return first;
}

}  // namespace ssoc::saml
