#include "keystore/cert_chain.hpp"

#include <openssl/err.h>

#include <new>
#include <stdexcept>

#include "keystore/der.hpp"
#include "keystore/keystore_contents.hpp"

namespace ssoc::keystore {
namespace {

// One line, RFC 2253, UTF-8 (not \XX escapes) so that names in messages stay readable.
std::string name_text(const X509_NAME* name) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) throw std::bad_alloc();
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
    return {};
  char* text = nullptr;
  long size = BIO_get_mem_data(bio.get(), &text);
  return size > 0 ? std::string(text, static_cast<std::size_t>(size)) : std::string();
}

// For fields(): the encodings cannot fail but for lack of memory.
template <class T, class Encoder>
Bytes encoded(const T* object, Encoder encode) {
  Bytes der = to_der(object, encode);
  if (der.empty()) throw std::bad_alloc();
  return der;
}

}  // namespace

Result<CertificateChain> CertificateChain::from_der(std::vector<Bytes> certificates) {
  if (certificates.empty()) {
    return fail(Cause::InvalidInput,
                "a certificate chain needs at least one certificate; give the leaf first");
  }
  ossl::X509Ptr leaf;
  for (std::size_t i = 0; i < certificates.size(); ++i) {
    ossl::X509Ptr cert = parse_certificate(certificates[i]);
    if (cert == nullptr) {
      std::string detail = ossl::last_error();
      return fail(Cause::InvalidInput, "certificate " + std::to_string(i + 1) + " of " +
                                           std::to_string(certificates.size()) +
                                           " is not one DER X.509 certificate (" + detail +
                                           "); give each certificate in DER");
    }
    if (i == 0) leaf = std::move(cert);
  }
  Bytes spki = to_der(X509_get_X509_PUBKEY(leaf.get()), i2d_X509_PUBKEY);
  if (spki.empty()) {
    return fail(Cause::InvalidInput, "the public key of the leaf certificate cannot be encoded (" +
                                         ossl::last_error() + ")");
  }
  CertificateChain chain;
  chain.certificates_ = std::move(certificates);
  chain.leaf_key_id_ = ossl::sha1(spki);
  return chain;
}

CertificateFields CertificateChain::fields(std::size_t i) const {
  ossl::X509Ptr cert = parse_certificate(certificates_.at(i));
  if (cert == nullptr)
    throw std::logic_error("CertificateChain holds a certificate that does not parse");
  CertificateFields out;
  out.subject = encoded(X509_get_subject_name(cert.get()), i2d_X509_NAME);
  out.issuer = encoded(X509_get_issuer_name(cert.get()), i2d_X509_NAME);
  out.serial_number = encoded(X509_get0_serialNumber(cert.get()), i2d_ASN1_INTEGER);
  out.subject_text = name_text(X509_get_subject_name(cert.get()));
  return out;
}

Result<CertificateChain> read_certificate_chain(const fs::path& file, const SecretBytes& password) {
  KeystoreSource source(file, kCertChainSetting);
  KeystoreContents contents = TRY(read_keystore_contents(source, password));
  std::vector<Bytes> der = TRY(order_chain(contents, source));
  auto chain = CertificateChain::from_der(std::move(der));
  if (!chain.ok()) {
    return source.refuse("a certificate of " + source.what() +
                         " cannot be used: " + chain.error().message);
  }
  return chain;
}

}  // namespace ssoc::keystore
