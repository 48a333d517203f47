#include "sks/instance_key.hpp"

#include <algorithm>

#include "datadir/step_hook.hpp"
#include "sks/hsm_cipher.hpp"

namespace ssoc::sks {

using pkcs11::attr;
using pkcs11::attr_bytes;
using pkcs11::attr_text;

std::string key_label(std::string_view instance_id, int generation) {
  std::string label = "SSO Connect Properties " + std::string(instance_id);
  if (generation > 1) label += "." + std::to_string(generation);
  return label;
}

Result<KeyRef> next_free_key(const pkcs11::Session& session, std::string_view instance_id,
                             const keystore::CertificateChain& chain) {
  for (int generation = 1; generation < 10000; ++generation) {
    std::string label = key_label(instance_id, generation);
    CK_ATTRIBUTE query[] = {attr_text(CKA_LABEL, label)};
    auto found = TRY(session.find(query, 1));
    if (found.empty()) return KeyRef{label, chain.leaf_key_id()};
  }
  return fail(Cause::HsmError, "no free key label is left on the token; delete old SSO Connect keys");
}

Result<CK_OBJECT_HANDLE> create_instance_key(const pkcs11::Module& module,
                                             const pkcs11::Session& session, const KeyRef& key,
                                             const keystore::CertificateChain& chain) {
  TRY(require_gcm(module, session));

  CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
  CK_KEY_TYPE aes = CKK_AES;
  CK_ULONG length = 32;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ATTRIBUTE key_template[] = {
      attr(CKA_CLASS, secret_class),    attr(CKA_KEY_TYPE, aes),
      attr(CKA_VALUE_LEN, length),      attr(CKA_TOKEN, yes),
      attr(CKA_PRIVATE, yes),           attr(CKA_SENSITIVE, yes),
      attr(CKA_EXTRACTABLE, no),        attr(CKA_ENCRYPT, yes),
      attr(CKA_DECRYPT, yes),           attr(CKA_WRAP, no),
      attr(CKA_UNWRAP, no),             attr(CKA_SIGN, no),
      attr(CKA_VERIFY, no),             attr(CKA_DERIVE, no),
      attr_text(CKA_LABEL, key.label),  attr_bytes(CKA_ID, key.id),
  };
  CK_OBJECT_HANDLE handle = TRY(session.generate_key(CKM_AES_KEY_GEN, key_template));
  datadir::step("hsm:key-created");

  CK_OBJECT_CLASS cert_class = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE x509 = CKC_X_509;
  for (std::size_t i = 0; i < chain.certificates().size(); ++i) {
    keystore::CertificateFields fields = chain.fields(i);
    const Bytes& der = chain.certificates()[i];
    CK_ATTRIBUTE cert_template[] = {
        attr(CKA_CLASS, cert_class),
        attr(CKA_CERTIFICATE_TYPE, x509),
        attr(CKA_TOKEN, yes),
        attr(CKA_PRIVATE, no),
        attr_text(CKA_LABEL, key.label),
        attr_bytes(CKA_ID, key.id),
        attr_bytes(CKA_SUBJECT, fields.subject),
        attr_bytes(CKA_ISSUER, fields.issuer),
        attr_bytes(CKA_SERIAL_NUMBER, fields.serial_number),
        attr_bytes(CKA_VALUE, der),
    };
    auto stored = session.create_object(cert_template);
    if (!stored) {
      (void)delete_instance_key(session, key);
      Error error = std::move(stored).error();
      error.message = "storing certificate " + std::to_string(i + 1) + " of the chain: " + error.message;
      return error;
    }
    datadir::step("hsm:certificate-stored");
  }
  return handle;
}

Result<CK_OBJECT_HANDLE> find_instance_key(const pkcs11::Session& session, const KeyRef& key) {
  CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
  CK_ATTRIBUTE query[] = {attr(CKA_CLASS, secret_class), attr_text(CKA_LABEL, key.label),
                          attr_bytes(CKA_ID, key.id)};
  auto found = TRY(session.find(query, 2));
  if (found.empty())
    return fail(Cause::KeyMissing,
                "no key labelled '" + key.label +
                    "' with the recorded id is on the token (was the partition cleared?)");
  if (found.size() > 1)
    return fail(Cause::HsmError, "several keys are labelled '" + key.label +
                                     "' with the same id; remove the duplicates");
  return found.front();
}

Result<int> delete_instance_key(const pkcs11::Session& session, const KeyRef& key) {
  CK_ATTRIBUTE query[] = {attr_text(CKA_LABEL, key.label), attr_bytes(CKA_ID, key.id)};
  auto found = TRY(session.find(query, 64));
  for (CK_OBJECT_HANDLE object : found) TRY(session.destroy_object(object));
  if (!found.empty()) datadir::step("hsm:key-deleted");
  return static_cast<int>(found.size());
}

Result<void> require_gcm(const pkcs11::Module& module, const pkcs11::Session& session) {
  auto mechanisms = TRY(module.mechanisms(session.slot()));
  if (std::find(mechanisms.begin(), mechanisms.end(), CKM_AES_GCM) == mechanisms.end())
    return fail(Cause::AlgorithmUnsupported,
                "the token does not offer CKM_AES_GCM (AES/GCM/NoPadding); check with the HSM "
                "vendor or use another partition");
  return success();
}

Result<IvMode> probe_iv_mode(const pkcs11::Module& module, const pkcs11::Session& session) {
  TRY(require_gcm(module, session));
  CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
  CK_KEY_TYPE aes = CKK_AES;
  CK_ULONG length = 32;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  CK_ATTRIBUTE probe_template[] = {
      attr(CKA_CLASS, secret_class), attr(CKA_KEY_TYPE, aes),     attr(CKA_VALUE_LEN, length),
      attr(CKA_TOKEN, no),           attr(CKA_SENSITIVE, yes),    attr(CKA_EXTRACTABLE, no),
      attr(CKA_ENCRYPT, yes),        attr(CKA_DECRYPT, yes),
  };
  CK_OBJECT_HANDLE key = TRY(session.generate_key(CKM_AES_KEY_GEN, probe_template));
  auto mode = detect_iv_mode(session, key);
  (void)session.destroy_object(key);
  return mode;
}

}  // namespace ssoc::sks
