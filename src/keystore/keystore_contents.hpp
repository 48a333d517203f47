// What a keystore file holds, before the chain is put in order, and the readers that fill it.
#pragma once

#include <filesystem>
#include <vector>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::keystore {

namespace fs = std::filesystem;

struct KeystoreContents {
  std::vector<ossl::X509Ptr> certificates;  // in the order of the file
  ossl::Pkey key;                           // the first private key, or null
};

// PKCS#12: checks the password against the MAC (an empty password tries "none" and ""), then
// decrypts the certificate and key bags. `file` only names the file in messages.
Result<KeystoreContents> read_pkcs12(ByteView content, const SecretBytes& password,
                                     const fs::path& file);

// PEM: every CERTIFICATE block and the first private key (decrypted with `password` if it is
// encrypted); other blocks are ignored. `file` only names the file in messages.
Result<KeystoreContents> read_pem(ByteView content, const SecretBytes& password,
                                  const fs::path& file);

// The chain in DER, leaf first: the certificate of the key (or, without a key, the first one),
// then each certificate's issuer found among the others, until a self-signed one or one whose
// issuer is absent. Certificates off that path are left out.
Result<std::vector<Bytes>> order_chain(const KeystoreContents& contents, const fs::path& file);

}  // namespace ssoc::keystore
