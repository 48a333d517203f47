// Internal to the SAML forge: XML signature and encryption with the xmlsec C API (OpenSSL
// back end), in the shape SAML 2.0 uses them.
#pragma once

#include <libxml/tree.h>

#include <string>

namespace ssoc::test::saml::detail {

// Initialises libxml2, xmlsec and its OpenSSL back end unless something in the process (the
// service provider, Lasso) already has; never shuts them down. Checked on every call, so a
// component that shuts xmlsec down and up again between tests is tolerated.
void ensure_xmlsec();

struct SigningAlgorithms {
  std::string digest = "sha256";         // sha1, sha256, sha384, sha512
  std::string signature = "rsa-sha256";  // rsa-sha1, rsa-sha256, rsa-sha384, rsa-sha512
};

// Signs `element` (whose ID attribute must be registered, see register_ids) with an enveloped
// signature: exc-c14n, Reference URI="#<ID>" with the enveloped-signature and exc-c14n
// transforms, KeyInfo/X509Data/X509Certificate holding `cert_pem_file`. The ds:Signature goes
// right after the element's saml:Issuer (or first, when there is none), as SAML requires.
void sign_element(xmlNode* element, const std::string& key_pem_file,
                  const std::string& cert_pem_file, const SigningAlgorithms& algorithms);

// Replaces `assertion` with <saml:EncryptedAssertion><xenc:EncryptedData Type="...#Element">:
// the data under a fresh AES session key (`data_algorithm`: aes256-gcm, aes128-gcm,
// aes128-cbc, aes256-cbc), the session key in an xenc:EncryptedKey inside the EncryptedData's
// ds:KeyInfo, transported with `key_transport` (rsa-oaep-mgf1p or rsa-1_5) to the public key of
// `cert_pem_file`.
void encrypt_assertion(xmlNode* assertion, const std::string& cert_pem_file,
                       const std::string& data_algorithm, const std::string& key_transport);

}  // namespace ssoc::test::saml::detail
