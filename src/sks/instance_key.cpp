#include "sks/instance_key.hpp"

#include <algorithm>

#include "datadir/step_hook.hpp"
#include "pkcs11/rv.hpp"
#include "sks/hsm_cipher.hpp"

namespace ssoc::sks {

using pkcs11::attr;
using pkcs11::attr_bytes;
using pkcs11::attr_text;

namespace {

std::string issuer_label(const KeyRef& key, std::size_t index) {
  return key.label + " issuer " + std::to_string(index);
}

Result<CK_OBJECT_HANDLE> store_certificate(const pkcs11::Session& session, const KeyRef& key,
                                           const keystore::CertificateChain& chain,
                                           std::size_t index, const std::string& label) {
  CK_OBJECT_CLASS cert_class = CKO_CERTIFICATE;
  CK_CERTIFICATE_TYPE x509 = CKC_X_509;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  keystore::CertificateFields fields = chain.fields(index);
  CK_ATTRIBUTE cert_template[] = {
      attr(CKA_CLASS, cert_class),
      attr(CKA_CERTIFICATE_TYPE, x509),
      attr(CKA_TOKEN, yes),
      attr(CKA_PRIVATE, no),
      attr_text(CKA_LABEL, label),
      attr_bytes(CKA_ID, key.id),
      attr_bytes(CKA_SUBJECT, fields.subject),
      attr_bytes(CKA_ISSUER, fields.issuer),
      attr_bytes(CKA_SERIAL_NUMBER, fields.serial_number),
      attr_bytes(CKA_VALUE, chain.certificates()[index]),
  };
  auto created = session.create_object(cert_template);
  if (created || (created.error().ck_rv && pkcs11::means_unreachable(*created.error().ck_rv)))
    return created;
  // Tokens that keep one object per certificate (NSS: issuer and serial number are unique)
  // refuse a second copy for a later key generation. The copy already there serves; it is not
  // relabelled, because NSS renames every object of the same subject with it, the key included.
  CK_ATTRIBUTE same_certificate[] = {attr(CKA_CLASS, cert_class),
                                     attr_bytes(CKA_ISSUER, fields.issuer),
                                     attr_bytes(CKA_SERIAL_NUMBER, fields.serial_number)};
  std::vector<CK_OBJECT_HANDLE> existing = TRY(session.find(same_certificate, 2));
  if (existing.size() != 1) return created;
  return existing.front();
}

Result<std::vector<CK_OBJECT_HANDLE>> objects_labelled(const pkcs11::Session& session,
                                                       const std::string& label, ByteView id) {
  CK_ATTRIBUTE query[] = {attr_text(CKA_LABEL, label), attr_bytes(CKA_ID, id)};
  return session.find(query, 64);
}

}  // namespace

std::string key_label(std::string_view instance_id, int generation) {
  std::string label = "SSO Connect Properties " + std::string(instance_id);
  if (generation > 1) label += "." + std::to_string(generation);
  return label;
}

Bytes key_id(const keystore::CertificateChain& chain, int generation) {
  Bytes id = chain.leaf_key_id();
  if (generation > 1) {
    id.push_back(static_cast<std::uint8_t>(generation >> 8));
    id.push_back(static_cast<std::uint8_t>(generation));
  }
  return id;
}

Result<KeyRef> next_free_key(const pkcs11::Session& session, std::string_view instance_id,
                             const keystore::CertificateChain& chain) {
  for (int generation = 1; generation < 10000; ++generation) {
    std::string label = key_label(instance_id, generation);
    CK_ATTRIBUTE query[] = {attr_text(CKA_LABEL, label)};
    auto found = TRY(session.find(query, 1));
    if (found.empty()) return KeyRef{label, key_id(chain, generation)};
  }
  return fail(Cause::HsmError,
              "no free key label is left on the token; delete old SSO Connect keys");
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
      attr(CKA_CLASS, secret_class),
      attr(CKA_KEY_TYPE, aes),
      attr(CKA_VALUE_LEN, length),
      attr(CKA_TOKEN, yes),
      attr(CKA_PRIVATE, yes),
      attr(CKA_SENSITIVE, yes),
      attr(CKA_EXTRACTABLE, no),
      attr(CKA_ENCRYPT, yes),
      attr(CKA_DECRYPT, yes),
      attr(CKA_WRAP, no),
      attr(CKA_UNWRAP, no),
      attr(CKA_SIGN, no),
      attr(CKA_VERIFY, no),
      attr(CKA_DERIVE, no),
      attr_text(CKA_LABEL, key.label),
      attr_bytes(CKA_ID, key.id),
  };
  CK_OBJECT_HANDLE handle = TRY(session.generate_key(CKM_AES_KEY_GEN, key_template));
  datadir::step("hsm:key-created");

  for (std::size_t i = 0; i < chain.certificates().size(); ++i) {
    auto stored = store_certificate(session, key, chain, i, key.label);
    // NSS softokn ties a label (its "nickname") to one subject and refuses an issuer under the
    // leaf's label; such an issuer is stored as "<label> issuer <n>" instead.
    if (!stored && i > 0 && stored.error().ck_rv == CKR_ATTRIBUTE_VALUE_INVALID)
      stored = store_certificate(session, key, chain, i, issuer_label(key, i));
    if (!stored) {
      (void)delete_instance_key(session, key);
      Error error = std::move(stored).error();
      error.message =
          "storing certificate " + std::to_string(i + 1) + " of the chain: " + error.message;
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
  std::vector<CK_OBJECT_HANDLE> found = TRY(objects_labelled(session, key.label, key.id));
  // Issuer certificates stored under their own label (see create_instance_key).
  for (std::size_t i = 1; i < 16; ++i) {
    std::vector<CK_OBJECT_HANDLE> issuers =
        TRY(objects_labelled(session, issuer_label(key, i), key.id));
    if (issuers.empty()) break;
    found.insert(found.end(), issuers.begin(), issuers.end());
  }
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
      attr(CKA_CLASS, secret_class), attr(CKA_KEY_TYPE, aes),  attr(CKA_VALUE_LEN, length),
      attr(CKA_TOKEN, no),           attr(CKA_SENSITIVE, yes), attr(CKA_EXTRACTABLE, no),
      attr(CKA_ENCRYPT, yes),        attr(CKA_DECRYPT, yes),
  };
  CK_OBJECT_HANDLE key = TRY(session.generate_key(CKM_AES_KEY_GEN, probe_template));
  auto mode = detect_iv_mode(session, key);
  (void)session.destroy_object(key);
  return mode;
}

}  // namespace ssoc::sks
