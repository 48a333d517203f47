// The instance key (DESIGN.md "Key" and "Certificate chain"): AES-256, generated in the HSM,
// token object, private, sensitive, never extractable, encrypt/decrypt only. Its label is
// "SSO Connect Properties <instance_id>" (later generations, made by rotation or a new enable,
// add ".<n>"), its CKA_ID the SHA-1 of the leaf certificate's SubjectPublicKeyInfo (later
// generations append the generation as two bytes: during a rotation two keys coexist, and some
// tokens, NSS softokn among them, keep one secret key per CKA_ID and would silently replace the
// old key with the new one). The certificate chain is stored beside it as certificate objects
// with the same label and id.
#pragma once

#include <string>

#include "common/result.hpp"
#include "keystore/cert_chain.hpp"
#include "pkcs11/session.hpp"
#include "sks/iv_mode.hpp"

namespace ssoc::sks {

struct KeyRef {
  std::string label;
  Bytes id;
};

// "SSO Connect Properties <instance_id>" for generation 1, then "... <instance_id>.<n>".
std::string key_label(std::string_view instance_id, int generation);

// SHA-1 of the leaf's SubjectPublicKeyInfo, then for generation n > 1 the two bytes of n.
Bytes key_id(const keystore::CertificateChain& chain, int generation);

// The first generation whose label is not used by any object on the token.
Result<KeyRef> next_free_key(const pkcs11::Session& session, std::string_view instance_id,
                             const keystore::CertificateChain& chain);

// Generates the key and stores the chain beside it. AlgorithmUnsupported if the token does not
// offer CKM_AES_GCM (checked first, before anything is created). On failure after the key was
// made, the objects made so far are destroyed.
Result<CK_OBJECT_HANDLE> create_instance_key(const pkcs11::Module& module,
                                             const pkcs11::Session& session, const KeyRef& key,
                                             const keystore::CertificateChain& chain);

// The secret key with this label and id: KeyMissing if there is none, HsmError if several.
Result<CK_OBJECT_HANDLE> find_instance_key(const pkcs11::Session& session, const KeyRef& key);

// Destroys the key and the certificates with this label and id; absent objects are fine.
// Returns how many objects were destroyed.
Result<int> delete_instance_key(const pkcs11::Session& session, const KeyRef& key);

}  // namespace ssoc::sks

namespace ssoc::sks {

// AlgorithmUnsupported unless the token's mechanism list offers CKM_AES_GCM.
Result<void> require_gcm(const pkcs11::Module& module, const pkcs11::Session& session);

// Finds the token's IV mode with a throw-away session key (CKA_TOKEN false), so that nothing
// persistent exists before the mode is known.
Result<IvMode> probe_iv_mode(const pkcs11::Module& module, const pkcs11::Session& session);

}  // namespace ssoc::sks
