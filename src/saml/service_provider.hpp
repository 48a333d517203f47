// This service as a SAML 2.0 service provider (Web Browser SSO, SP-initiated), built once from
// the settings and the keystore and shared by every thread that serves logins:
//
// - metadata_xml(): the SP metadata (entity id, ACS over HTTP-POST, signing and encryption key,
//   AuthnRequestsSigned and WantAssertionsSigned);
// - make_authn_request(): an AuthnRequest over HTTP-Redirect (signed with RSA-SHA256 when
//   `sign_requests`), with the transaction's RelayState; its ID comes from this process's CSPRNG;
// - check_response(): a posted SAMLResponse, checked twice over: by our own checks
//   (response_check.hpp: structure, signatures with the metadata keys, conditions, audience,
//   destination, recipient, InResponseTo) and by Lasso, which must accept it as well.
//
// The IdP metadata, its keys and the SP key are parsed once here, not per login. Lasso's
// objects are not shared between threads: each thread builds its own Lasso server from this
// object the first time it serves a login (and again after a reload made a new object).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "saml/idp_metadata.hpp"
#include "saml/response_check.hpp"
#include "saml/xml_security.hpp"

namespace ssoc::saml {

struct SpSettings {
  std::string entity_id;  // sp_entity_id
  std::string acs_url;    // https://<external_host>:<external_port>/saml/acs
  bool sign_requests = true;
  bool allow_sha1 = false;
  std::int64_t clock_skew = 180;
  std::string idp_metadata_xml;  // the text of idp-metadata.xml
  EVP_PKEY* key = nullptr;       // the keystore's private key (shared, not taken)
  Bytes certificate_der;         // its leaf certificate
};

// Largest SAMLResponse accepted, base64 included (a response is a few KiB).
inline constexpr std::size_t kMaxSamlResponseSize = 1u << 20;

class ServiceProvider {
 public:
  // Checks the settings and builds a Lasso server once to prove they work. InvalidSetting
  // naming the setting at fault (idp_metadata_file, sp_entity_id, keystore_file).
  static Result<std::shared_ptr<const ServiceProvider>> create(SpSettings settings);
  ~ServiceProvider();

  const std::string& metadata_xml() const { return metadata_xml_; }
  const IdpMetadata& idp() const { return idp_; }
  const ResponseExpectations& expectations() const { return expected_; }

  struct AuthnRequest {
    std::string
        redirect_url;  // the IdP's SSO URL with SAMLRequest, RelayState[, SigAlg, Signature]
    std::string request_id;
  };
  Result<AuthnRequest> make_authn_request(std::string_view relay_state) const;

  // `saml_response` is the SAMLResponse form field (base64; line breaks allowed). Refusals are
  // InvalidInput with a message for the log.
  Result<LoginAssertion> check_response(std::string_view saml_response, std::string_view request_id,
                                        std::int64_t now) const;

  struct LassoState;  // one thread's Lasso server (service_provider.cpp)

 private:
  ServiceProvider() = default;
  LassoState& lasso() const;

  std::uint64_t generation_ = 0;
  SpSettings settings_;
  ossl::Pkey key_;
  SecretBytes key_pem_;
  std::string certificate_pem_;
  std::string metadata_xml_;
  IdpMetadata idp_;
  ResponseExpectations expected_;
  std::shared_ptr<const SignatureKeys> keys_;
  std::shared_ptr<const DecryptionKey> decryption_;
};

// The SP metadata document for these settings.
std::string sp_metadata_xml(const SpSettings& settings);

}  // namespace ssoc::saml
