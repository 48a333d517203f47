#include "http/tls.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <string>

namespace ssoc::http {
namespace {

constexpr const char* kTls12Suites =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kTls13Suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* kGroups = "X25519:P-256:P-384";

ossl::X509Ptr parse_certificate(const Bytes& der) {
  const unsigned char* cursor = der.data();
  ossl::X509Ptr certificate(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (certificate && cursor != der.data() + der.size()) certificate.reset();  // trailing bytes
  return certificate;
}

std::shared_ptr<SSL_CTX> share(SslCtxPtr context) {
  return std::shared_ptr<SSL_CTX>(context.release(), SSL_CTX_free);
}

Error openssl_refused(const std::string& what) {
  return fail(Cause::Internal, "OpenSSL refused " + what + " (" + ossl::last_error() + ")");
}

Result<void> restrict_protocols(SSL_CTX* context) {
  if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(context, TLS1_3_VERSION) != 1)
    return openssl_refused("the TLS versions");
  if (SSL_CTX_set_cipher_list(context, kTls12Suites) != 1 ||
      SSL_CTX_set_ciphersuites(context, kTls13Suites) != 1)
    return openssl_refused("the cipher suites");
  if (SSL_CTX_set1_groups_list(context, kGroups) != 1) return openssl_refused("the groups");
  SSL_CTX_set_security_level(context, 2);
  return success();
}

}  // namespace

Result<std::shared_ptr<SSL_CTX>> make_server_tls(EVP_PKEY* key,
                                                 const std::vector<Bytes>& chain_der) {
  if (key == nullptr)
    return fail(Cause::InvalidSetting, "no TLS private key was given; check the keystore file");
  if (chain_der.empty())
    return fail(Cause::InvalidSetting, "no TLS certificate was given; check the keystore file");
  std::vector<ossl::X509Ptr> chain;
  for (const Bytes& der : chain_der) {
    chain.push_back(parse_certificate(der));
    if (!chain.back()) {
      ERR_clear_error();
      return fail(Cause::InvalidSetting,
                  "TLS certificate " + std::to_string(chain.size()) +
                      " of the chain does not parse; check the keystore file");
    }
  }
  if (X509_check_private_key(chain.front().get(), key) != 1) {
    ERR_clear_error();
    return fail(Cause::InvalidSetting,
                "the TLS private key does not match the leaf certificate; put the key and the "
                "certificate issued for it in the keystore file");
  }

  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  if (!context) return openssl_refused("to make a TLS context");
  TRY(restrict_protocols(context.get()));
  SSL_CTX_set_options(context.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                         SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(context.get(),
                   SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (SSL_CTX_use_certificate(context.get(), chain.front().get()) != 1)
    return fail(Cause::InvalidSetting, "the TLS certificate is refused (" + ossl::last_error() +
                                           "); use an RSA key of at least 2048 bits or an EC key");
  for (std::size_t i = 1; i < chain.size(); ++i)
    if (SSL_CTX_add1_chain_cert(context.get(), chain[i].get()) != 1)
      return openssl_refused("a certificate of the chain");
  if (SSL_CTX_use_PrivateKey(context.get(), key) != 1 ||
      SSL_CTX_check_private_key(context.get()) != 1) {
    ERR_clear_error();
    return fail(Cause::InvalidSetting,
                "the TLS private key does not match the leaf certificate; put the key and the "
                "certificate issued for it in the keystore file");
  }
  return share(std::move(context));
}

Result<std::shared_ptr<SSL_CTX>> make_client_tls(const std::vector<Bytes>& trusted_der) {
  SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
  if (!context) return openssl_refused("to make a TLS context");
  TRY(restrict_protocols(context.get()));
  X509_STORE* store = SSL_CTX_get_cert_store(context.get());
  for (const Bytes& der : trusted_der) {
    ossl::X509Ptr certificate = parse_certificate(der);
    if (!certificate || X509_STORE_add_cert(store, certificate.get()) != 1) {
      ERR_clear_error();
      return fail(Cause::InvalidInput, "a trusted certificate does not parse");
    }
  }
  SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_mode(context.get(),
                   SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  return share(std::move(context));
}

}  // namespace ssoc::http
