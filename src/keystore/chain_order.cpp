#include <openssl/err.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <string>

#include "keystore/der.hpp"
#include "keystore/keystore_contents.hpp"

namespace ssoc::keystore {
namespace {

// True if `issuer` issued `subject`: names, key identifiers and key usage agree
// (X509_check_issued) and the signature verifies, so that another CA with the same name is not
// taken for the real one.
bool issued(X509* issuer, X509* subject) {
  if (X509_check_issued(issuer, subject) != X509_V_OK) return false;
  EVP_PKEY* issuer_key = X509_get0_pubkey(issuer);
  return issuer_key != nullptr && X509_verify(subject, issuer_key) == 1;
}

Result<std::size_t> find_leaf(const KeystoreContents& contents, const KeystoreSource& source) {
  if (contents.key == nullptr) return std::size_t{0};
  const auto& certs = contents.certificates;
  for (std::size_t i = 0; i < certs.size(); ++i) {
    const EVP_PKEY* public_key = X509_get0_pubkey(certs[i].get());
    if (public_key != nullptr && EVP_PKEY_eq(public_key, contents.key.get()) == 1) return i;
  }
  return source.refuse("the private key in " + source.what() +
                       " does not match its certificate (it belongs to none of its " +
                       std::to_string(certs.size()) +
                       " certificate(s)); put the server's own certificate in the file with its "
                       "key");
}

}  // namespace

Result<std::vector<Bytes>> order_chain(const KeystoreContents& contents,
                                       const KeystoreSource& source) {
  const auto& certs = contents.certificates;
  if (certs.empty()) {
    return source.refuse("there is no certificate in " + source.what() +
                         "; export the server's certificate with its issuers' certificates into "
                         "it");
  }
  std::size_t leaf = TRY(find_leaf(contents, source));

  ERR_set_mark();  // failed checks below leave errors that mean nothing to the caller
  std::vector<bool> used(certs.size(), false);
  used[leaf] = true;
  std::vector<X509*> chain{certs[leaf].get()};
  while (X509_self_signed(chain.back(), 0) != 1) {
    X509* issuer = nullptr;
    for (std::size_t i = 0; i < certs.size() && issuer == nullptr; ++i) {
      if (!used[i] && issued(certs[i].get(), chain.back())) {
        used[i] = true;
        issuer = certs[i].get();
      }
    }
    if (issuer == nullptr) break;
    chain.push_back(issuer);
  }
  ERR_pop_to_mark();

  std::vector<Bytes> der;
  for (X509* cert : chain) {
    der.push_back(to_der(cert, i2d_X509));
    if (der.back().empty()) {
      return fail(Cause::Internal, "a certificate of " + source.what() + " cannot be encoded (" +
                                       ossl::last_error() + ")");
    }
  }
  return der;
}

}  // namespace ssoc::keystore
