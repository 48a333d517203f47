// The fixed world of the SAML fuzz targets, so that a seed response made once keeps passing the
// checks it passed when it was made: the IdP and SP keys and the IdP metadata under fuzz/keys/
// (made once by fuzz_make_saml_seeds, committed), a fixed clock, a fixed request id, and the
// SP's entity id and ACS URL that the seeds name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "saml/service_provider.hpp"

namespace ssoc::fuzz {

inline constexpr const char* kIdpEntity = "https://idp.test/metadata";
inline constexpr const char* kIdpSsoUrl = "https://idp.test/sso";
inline constexpr const char* kSpEntity = "https://sso.test:8443/saml/metadata";
inline constexpr const char* kAcsUrl = "https://sso.test:8443/saml/acs";
inline constexpr const char* kRequestId = "_f0zz0000000000000000000000000000000000001";
inline constexpr const char* kRelayState = "fuzz-relay-state";
// 2026-12-01T00:00:00Z: the IssueInstant of every seed, and the targets' clock.
inline constexpr std::int64_t kNow = 1796083200;

// fuzz/keys/: idp.test.{key,cert}.pem (the IdP), sp.test.{key,cert}.pem (this service),
// attacker.test.* (another IdP, for hostile seeds), idp-metadata.xml.
std::filesystem::path keys_dir();

// The SP settings for the fixed keys, with `idp_metadata_xml` as the metadata (by default the
// one in fuzz/keys/). Aborts when the key files cannot be read: a broken fixture, not a finding.
saml::SpSettings sp_settings();
saml::SpSettings sp_settings(std::string idp_metadata_xml);

// The service provider made once from sp_settings(); aborts if it cannot be made.
const saml::ServiceProvider& service_provider();

// With SSOC_FUZZ_VERBOSE set, prints what check_response said (to see how deep a seed gets).
void report_verdict(const Result<saml::LoginAssertion>& verdict);

}  // namespace ssoc::fuzz
