#include "common/secret.hpp"

#include <openssl/crypto.h>

namespace ssoc {

void wipe(void* data, std::size_t size) {
  if (data != nullptr && size > 0) OPENSSL_cleanse(data, size);
}

SecretBytes secret_from(std::string_view text) {
  return SecretBytes(text.begin(), text.end());
}

SecretBytes secret_from(ByteView bytes) {
  return SecretBytes(bytes.begin(), bytes.end());
}

std::string_view as_text(const SecretBytes& secret) {
  return {reinterpret_cast<const char*>(secret.data()), secret.size()};
}

ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

bool equal_constant_time(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace ssoc
