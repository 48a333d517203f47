// OpenSSL objects held by unique_ptr with their matching free function, plus the few primitives
// the lower layers share (random bytes, digests, error text).
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::ossl {

template <auto FreeFn>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept {
    FreeFn(p);
  }
};

using Bio = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using Pkcs12 = std::unique_ptr<PKCS12, Deleter<PKCS12_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using Md = std::unique_ptr<EVP_MD, Deleter<EVP_MD_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;

struct X509StackDeleter {
  void operator()(STACK_OF(X509) * stack) const noexcept { sk_X509_pop_free(stack, X509_free); }
};
using X509Stack = std::unique_ptr<STACK_OF(X509), X509StackDeleter>;

// The queued OpenSSL errors as one line (and clears the queue); "no detail" when empty.
std::string last_error();

// Cryptographically strong random bytes from OpenSSL's DRBG.
Result<SecretBytes> random_bytes(std::size_t count);

Bytes sha1(ByteView data);
Bytes sha256(ByteView data);

}  // namespace ssoc::ossl
