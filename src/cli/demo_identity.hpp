// Key pairs and self-signed certificates that `ssoconnect demo` makes for its throw-away setup:
// the service's TLS/SAML keystore and the test IdP's signing key.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::cli {

namespace fs = std::filesystem;

struct DemoIdentity {
  ossl::Pkey key;
  ossl::X509Ptr certificate;
};

// RSA-2048, self-signed, valid for `days`, CN `common_name`, with subjectAltName DNS:localhost
// and IP:127.0.0.1.
Result<DemoIdentity> make_demo_identity(const std::string& common_name, int days);

// PKCS#12 (AES-256-CBC, PBKDF2, SHA-256 MAC) with the key and certificate, written 0600.
Result<void> write_demo_pkcs12(const fs::path& file, const DemoIdentity& id,
                               const SecretBytes& password);
// The key (unencrypted PKCS#8) and certificate as PEM files, written 0600.
Result<void> write_demo_pem(const fs::path& key_file, const fs::path& cert_file,
                            const DemoIdentity& id);
// The certificate as PEM text.
std::string certificate_pem(const DemoIdentity& id);

}  // namespace ssoc::cli
