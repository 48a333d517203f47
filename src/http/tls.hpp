// TLS contexts for the server (and for the tests' and the benchmark's clients).
//
// The server context allows TLS 1.2 and 1.3 only. TLS 1.3 suites: AES-128-GCM, AES-256-GCM,
// ChaCha20-Poly1305. TLS 1.2 suites: ECDHE (ECDSA or RSA certificates) with AES-GCM or
// ChaCha20-Poly1305 only: no CBC, no RSA key exchange, no finite-field DH, no SHA-1 MACs. Key
// exchange groups X25519, P-256, P-384. Security level 2 (RSA keys of at least 2048 bits, no SHA-1
// signatures). The server's suite order wins. No compression, no renegotiation. Session tickets
// stay on, encrypted with the random key OpenSSL makes for each context (never a configured one).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <vector>

#include "common/openssl.hpp"
#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::http {

using SslPtr = std::unique_ptr<SSL, ossl::Deleter<SSL_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, ossl::Deleter<SSL_CTX_free>>;

// A server context with `key` and its certificate chain (DER, leaf first, then its issuers).
// InvalidSetting when the key is missing, the chain is empty or a certificate does not parse,
// or the key does not match the leaf certificate; Internal when OpenSSL refuses the settings.
// The context holds its own reference to the key.
Result<std::shared_ptr<SSL_CTX>> make_server_tls(EVP_PKEY* key,
                                                 const std::vector<Bytes>& chain_der);

// A client context, TLS 1.2 or 1.3, that trusts exactly the given CA certificates (DER) and
// verifies the peer's chain (the caller names the host to check on each SSL, with
// SSL_set1_host). For the tests and the benchmark. InvalidInput when a certificate does not parse.
Result<std::shared_ptr<SSL_CTX>> make_client_tls(const std::vector<Bytes>& trusted_der);

}  // namespace ssoc::http
