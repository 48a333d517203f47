#include "saml_fixture.hpp"

#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "common/openssl.hpp"

namespace ssoc::fuzz {
namespace {

[[noreturn]] void broken_fixture(const std::string& what) {
  std::fprintf(stderr, "fuzz SAML fixture: %s\n", what.c_str());
  std::abort();
}

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) broken_fixture("cannot read " + file.string() + " (run fuzz_make_saml_seeds)");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The SP key and certificate, read once and kept for the life of the process.
struct SpIdentity {
  ossl::Pkey key;
  Bytes certificate_der;
};

const SpIdentity& sp_identity() {
  static const SpIdentity identity = [] {
    SpIdentity out;
    std::string key_pem = read_text(keys_dir() / "sp.test.key.pem");
    ossl::Bio key_bio(BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())));
    out.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
    std::string cert_pem = read_text(keys_dir() / "sp.test.cert.pem");
    ossl::Bio cert_bio(BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())));
    ossl::X509Ptr cert(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
    if (!out.key || !cert) broken_fixture("the SP key or certificate does not parse");
    int length = i2d_X509(cert.get(), nullptr);
    if (length <= 0) broken_fixture("the SP certificate does not encode");
    out.certificate_der.resize(static_cast<std::size_t>(length));
    unsigned char* cursor = out.certificate_der.data();
    i2d_X509(cert.get(), &cursor);
    return out;
  }();
  return identity;
}

}  // namespace

std::filesystem::path keys_dir() {
  return SSOC_FUZZ_KEYS_DIR;
}

saml::SpSettings sp_settings(std::string idp_metadata_xml) {
  const SpIdentity& identity = sp_identity();
  saml::SpSettings settings;
  settings.entity_id = kSpEntity;
  settings.acs_url = kAcsUrl;
  settings.sign_requests = true;
  settings.allow_sha1 = false;
  settings.clock_skew = 180;
  settings.idp_metadata_xml = std::move(idp_metadata_xml);
  settings.key = identity.key.get();
  settings.certificate_der = identity.certificate_der;
  return settings;
}

saml::SpSettings sp_settings() {
  return sp_settings(read_text(keys_dir() / "idp-metadata.xml"));
}

const saml::ServiceProvider& service_provider() {
  static const std::shared_ptr<const saml::ServiceProvider> sp = [] {
    auto made = saml::ServiceProvider::create(sp_settings());
    if (!made) broken_fixture("ServiceProvider::create: " + made.error().describe());
    return std::move(made).value();
  }();
  return *sp;
}

void report_verdict(const Result<saml::LoginAssertion>& verdict) {
  static const bool verbose = std::getenv("SSOC_FUZZ_VERBOSE") != nullptr;
  if (!verbose) return;
  if (verdict)
    std::fprintf(stderr, "accepted: %s\n", verdict->name_id.c_str());
  else
    std::fprintf(stderr, "refused: %s\n", verdict.error().message.c_str());
}

}  // namespace ssoc::fuzz
