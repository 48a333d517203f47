// DER encoding and decoding of the OpenSSL objects the keystore part handles.
#pragma once

#include <openssl/x509.h>

#include <climits>

#include "common/openssl.hpp"
#include "common/secret.hpp"

namespace ssoc::keystore {

// The DER encoding of `object` by an i2d_* function; empty if OpenSSL cannot encode it.
template <class T, class Encoder>
Bytes to_der(const T* object, Encoder encode) {
  if (object == nullptr) return {};
  int size = encode(object, nullptr);
  if (size <= 0) return {};
  Bytes out(static_cast<std::size_t>(size));
  unsigned char* cursor = out.data();
  if (encode(object, &cursor) != size) return {};
  return out;
}

// Parses exactly one DER certificate: null if `der` is not one, or has bytes after it.
inline ossl::X509Ptr parse_certificate(ByteView der) {
  if (der.empty() || der.size() > static_cast<std::size_t>(LONG_MAX)) return nullptr;
  const unsigned char* cursor = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (cert == nullptr || cursor != der.data() + der.size()) return nullptr;
  return cert;
}

}  // namespace ssoc::keystore
