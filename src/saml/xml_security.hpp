// XML Signature verification (xml_signature.cpp: libxml2's exclusive c14n and OpenSSL) and XML
// Encryption decryption (xmlsec, OpenSSL) for SAML messages, with the choices an SP must make
// itself rather than leave to defaults:
//
// - The key comes from the IdP's metadata only: each signature is checked with the metadata's
//   certificates and never with a key found in the message (its KeyInfo is ignored).
// - A signature must be enveloped in the element it signs: exactly one Reference, whose URI is
//   "#" + that element's ID, with the enveloped-signature and exclusive-c14n transforms only.
//   The caller has registered the IDs it trusts (Response and Assertion) and no others, so the
//   reference cannot resolve to any other element.
// - Algorithms: RSA-SHA256/384/512 and ECDSA-SHA256/384/512 with SHA-256/384/512 digests;
//   RSA-SHA1 and SHA-1 digests only when `allow_sha1`.
// - Decryption: RSA-OAEP key transport (PKCS#1 v1.5 is refused: it is open to Bleichenbacher's
//   attack) and AES-GCM content (AES-CBC only inside a signed Response: unauthenticated CBC
//   invites padding-oracle attacks), inline cipher values only, to the SP's own key only.
// - Shapes first (xml_security_shape.hpp): nothing is verified or decrypted that could make it
//   take more than one canonicalisation per signature or read anything outside the message.
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <vector>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::saml {

// Initialises libxml2 and xmlsec once per process (thread-safe).
void init_xml_security();

// The IdP's signing keys, read once from its metadata certificates.
class SignatureKeys {
 public:
  // InvalidSetting if a certificate does not parse or holds no usable public key.
  static Result<std::shared_ptr<const SignatureKeys>> from_certificates(
      const std::vector<Bytes>& certificates_der);
  ~SignatureKeys();
  SignatureKeys(const SignatureKeys&) = delete;
  SignatureKeys& operator=(const SignatureKeys&) = delete;

  // Verifies `signature` (a ds:Signature element) against each key in turn. `signed_element`
  // must be its parent and carry the ID the single Reference points at. Returns a short reason
  // (for the log) when it does not verify with any key.
  Result<void> verify(xmlNode* signature, xmlNode* signed_element, bool allow_sha1) const;

 private:
  SignatureKeys() = default;
  std::vector<ossl::Pkey> keys_;  // RSA or EC public keys
};

// The SP's decryption key for EncryptedAssertion.
class DecryptionKey {
 public:
  static Result<std::shared_ptr<const DecryptionKey>> from_private_key(EVP_PKEY* key);
  ~DecryptionKey();
  DecryptionKey(const DecryptionKey&) = delete;
  DecryptionKey& operator=(const DecryptionKey&) = delete;

  // Decrypts the xenc:EncryptedData child of `encrypted_element` (a saml:EncryptedAssertion
  // of the shape xml_security_shape.hpp requires; AES-CBC only when `allow_cbc`, i.e. when a
  // verified Response signature covers the ciphertext) and replaces `encrypted_element` with
  // the plaintext element. Returns it; the caller checks what it is.
  Result<xmlNode*> decrypt_in_place(xmlNode* encrypted_element, bool allow_cbc) const;

 private:
  DecryptionKey() = default;
  void* manager_ = nullptr;  // xmlSecKeysMngrPtr holding the one key, owned
};

}  // namespace ssoc::saml
