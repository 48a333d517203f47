// This service as a SAML 2.0 service provider (Web Browser SSO, SP-initiated), built once from
// the settings and the keystore and shared by every thread that serves logins:
//
// - metadata_xml(): the SP metadata (entity id, ACS over HTTP-POST, signing and encryption key,
//   AuthnRequestsSigned and WantAssertionsSigned);
// - make_authn_request(): an AuthnRequest over HTTP-Redirect (signed with RSA-SHA256 when
//   `sign_requests`), with the transaction's RelayState; its ID comes from this process's CSPRNG;
// - check_response(): a posted SAMLResponse, checked by response_check.hpp (structure against
//   wrapping, signatures with the metadata keys, decryption, conditions, audience, destination,
//   recipient, InResponseTo). Lasso no longer checks it a second time in the service: it cost
//   two thirds of a login's CPU and an extra CA-bundle load per thread, and its verdicts are
//   kept as a test oracle instead (tests/saml/lasso_oracle_test.cpp).
//
// The IdP metadata, its keys and the SP key are parsed once here, not per login; the object is
// immutable and shared by every thread.
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
  // Checks the settings and parses the IdP metadata and keys. InvalidSetting naming the setting
  // at fault (idp_metadata_file, sp_entity_id, keystore_file).
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

 private:
  ServiceProvider() = default;

  SpSettings settings_;
  ossl::Pkey key_;
  std::string metadata_xml_;
  IdpMetadata idp_;
  ResponseExpectations expected_;
  std::shared_ptr<const SignatureKeys> keys_;
  std::shared_ptr<const DecryptionKey> decryption_;
};

// The SP metadata document for these settings.
std::string sp_metadata_xml(const SpSettings& settings);

}  // namespace ssoc::saml
