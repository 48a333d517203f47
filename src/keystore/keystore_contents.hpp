// What a keystore file holds, before the chain is put in order, and the readers that fill it.
// Every refusal of a bad file comes from `source` (its cause, its setting names, the file).
#pragma once

#include <vector>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"
#include "keystore/keystore_source.hpp"

namespace ssoc::keystore {

struct KeystoreContents {
  std::vector<ossl::X509Ptr> certificates;  // in the order of the file
  ossl::Pkey key;                           // the first private key, or null
};

// Reads the file of `source` (read_keystore_file), tells its format (detect_keystore_format)
// and reads it with the reader below that fits; a file of no known format is refused.
Result<KeystoreContents> read_keystore_contents(const KeystoreSource& source,
                                                const SecretBytes& password);

// PKCS#12: checks the password against the MAC (an empty password tries "none" and ""), then
// decrypts the certificate and key bags.
Result<KeystoreContents> read_pkcs12(ByteView content, const SecretBytes& password,
                                     const KeystoreSource& source);

// PEM: every CERTIFICATE block and the first private key (decrypted with `password` if it is
// encrypted); other blocks are ignored.
Result<KeystoreContents> read_pem(ByteView content, const SecretBytes& password,
                                  const KeystoreSource& source);

// Java KeyStore (jks_reader.cpp has the format): verifies the keystore's integrity check with
// `password` before anything else is used, then decrypts the first private key entry with the
// same password. Certificates: that entry's chain, then the trusted certificate entries; other
// key entries are left out. A JCEKS keystore is refused with how to convert it.
Result<KeystoreContents> read_jks(ByteView content, const SecretBytes& password,
                                  const KeystoreSource& source);

// The chain in DER, leaf first: the certificate of the key (or, without a key, the first one),
// then each certificate's issuer found among the others, until a self-signed one or one whose
// issuer is absent. Certificates off that path are left out. Refused if there is no
// certificate, or if the key belongs to none of them.
Result<std::vector<Bytes>> order_chain(const KeystoreContents& contents,
                                       const KeystoreSource& source);

}  // namespace ssoc::keystore
