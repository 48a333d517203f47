// The service's TLS and SAML signing identity (DESIGN.md `sso_keystore.p12/.pfx/.jks/.pem`):
// its private key and certificate chain, checked so that a bad keystore is refused when it is
// configured, not when the first user logs in.
#pragma once

#include <ctime>
#include <filesystem>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"
#include "keystore/cert_chain.hpp"

namespace ssoc::keystore {

namespace fs = std::filesystem;

class Keystore {
 public:
  const CertificateChain& chain() const { return chain_; }
  EVP_PKEY* private_key() const { return key_.get(); }
  // notBefore / notAfter of the leaf, seconds since the epoch.
  std::time_t not_before() const { return not_before_; }
  std::time_t not_after() const { return not_after_; }

  // Used by read_keystore only.
  Keystore(CertificateChain chain, ossl::Pkey key, std::time_t not_before, std::time_t not_after)
      : chain_(std::move(chain)),
        key_(std::move(key)),
        not_before_(not_before),
        not_after_(not_after) {}

 private:
  CertificateChain chain_;
  ossl::Pkey key_;
  std::time_t not_before_;
  std::time_t not_after_;
};

// Reads a keystore: PKCS#12 (.p12, .pfx), PEM (private key plus chain), or Java KeyStore (.jks,
// read only; its integrity check with the store password is verified, and the key entry is
// decrypted with the same password, as keytool's default is). Every failure is InvalidSetting
// and names `keystore_file` or `keystore_password` with what happened and what to do: absent or
// unreadable file, wrong password, failed integrity check, no private key, the leaf certificate
// does not match the private key, the leaf is expired or not yet valid at `now` (with its dates).
Result<Keystore> read_keystore(const fs::path& file, const SecretBytes& password,
                               std::time_t now = std::time(nullptr));

}  // namespace ssoc::keystore
