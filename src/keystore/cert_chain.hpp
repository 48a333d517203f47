// The certificate chain that DESIGN.md's Secure Key Storage stores beside the instance key, read
// from the keystore file (PKCS#12, PEM or Java KeyStore).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::keystore {

namespace fs = std::filesystem;

// The parts of an X.509 certificate that PKCS#11 certificate objects carry, DER-encoded.
struct CertificateFields {
  Bytes subject;             // Name
  Bytes issuer;              // Name
  Bytes serial_number;       // INTEGER
  std::string subject_text;  // one line, RFC 2253, for messages
};

class CertificateChain {
 public:
  // Builds a chain from DER certificates, leaf first. InvalidInput if empty or any does not parse.
  static Result<CertificateChain> from_der(std::vector<Bytes> certificates);

  const std::vector<Bytes>& certificates() const { return certificates_; }
  const Bytes& leaf() const { return certificates_.front(); }
  // SHA-1 of the leaf's SubjectPublicKeyInfo (the whole DER structure): the CKA_ID of DESIGN.md.
  const Bytes& leaf_key_id() const { return leaf_key_id_; }
  // Fields of certificate i (0 = leaf).
  CertificateFields fields(std::size_t i) const;

 private:
  CertificateChain() = default;
  std::vector<Bytes> certificates_;
  Bytes leaf_key_id_;
};

// Reads the chain from a keystore file. The format comes from the JKS magic number, then the
// extension (.p12/.pfx -> PKCS#12; .pem/.crt/.cer -> PEM) or, failing that, from the content.
// For PKCS#12 the leaf is the certificate of the private key; for PEM it is the certificate
// matching the private key in the file if there is one, else the first; for JKS (after its
// integrity check with `password`) it is the certificate of the first private key entry, whose
// key is decrypted with the same password. The issuers follow the leaf in chain order (each one
// the issuer of the previous); certificates that are not part of the chain are left out.
// Without a private key in the file, the leaf is the first certificate (PKCS#12 and JKS too).
// Every failure is CertificateChainMissing with what happened and what to do, naming
// cert_chain_file or cert_chain_password: file absent or unreadable, not a regular file, empty
// or larger than 1 MiB, wrong password, failed integrity check, damaged, no certificate, a key
// that matches none of the certificates, unsupported format (JCEKS, with how to convert it; a
// PKCS#12 file named .jks, as recent keytool versions write, is read). Legacy PKCS#12 encryption
// (RC2-40, 3DES) is read with OpenSSL's legacy provider, loaded into a private library context
// only. Messages name the file, never the password, and end without a full stop.
Result<CertificateChain> read_certificate_chain(const fs::path& file, const SecretBytes& password);

}  // namespace ssoc::keystore
