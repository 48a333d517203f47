// The exact shapes of ds:Signature and saml:EncryptedAssertion that this SP accepts, checked
// before xmlsec sees them. xmlsec enforces the allowed algorithms but not how many transforms
// a reference has, in which order, nor where a cipher value comes from: an attacker could make
// it canonicalise a document thousands of times, or fetch a URL or file (CipherReference),
// before any signature is known to be bad.
//
// Signature: SignedInfo, SignatureValue, then at most one KeyInfo (ignored) and nothing else.
//   SignedInfo: CanonicalizationMethod (exclusive c14n, at most one InclusiveNamespaces),
//   SignatureMethod (no children), exactly one Reference: Transforms [enveloped-signature,
//   exclusive c14n (at most one InclusiveNamespaces)], DigestMethod, DigestValue.
// EncryptedAssertion: exactly one EncryptedData (no EncryptedKey beside it): EncryptionMethod
//   (AES-GCM; AES-CBC only when `allow_cbc`), KeyInfo holding exactly one EncryptedKey
//   (EncryptionMethod RSA-OAEP, CipherData with one CipherValue), CipherData with one
//   CipherValue. No CipherReference anywhere.
#pragma once

#include <libxml/tree.h>

#include "common/result.hpp"

namespace ssoc::saml {

Result<void> check_signature_shape(const xmlNode* signature);
Result<void> check_encrypted_assertion_shape(const xmlNode* encrypted_assertion, bool allow_cbc);

}  // namespace ssoc::saml
