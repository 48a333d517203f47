#include "common/openssl.hpp"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace ssoc::ossl {

std::string last_error() {
  std::string out;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!out.empty()) out += "; ";
    out += buffer;
  }
  return out.empty() ? "no detail" : out;
}

Result<SecretBytes> random_bytes(std::size_t count) {
  SecretBytes out(count);
  if (count > 0 && RAND_bytes(out.data(), static_cast<int>(count)) != 1)
    return fail(Cause::Internal, "the random generator failed (" + last_error() + ")");
  return out;
}

Bytes sha1(ByteView data) {
  Bytes out(SHA_DIGEST_LENGTH);
  SHA1(data.data(), data.size(), out.data());
  return out;
}

Bytes sha256(ByteView data) {
  Bytes out(SHA256_DIGEST_LENGTH);
  SHA256(data.data(), data.size(), out.data());
  return out;
}

}  // namespace ssoc::ossl
