// Keystore files as Java KeyStore: keystore::read_jks on any bytes, then the chain
// (keystore_target.hpp). A mutated file almost never keeps a valid integrity check (a SHA-1
// over the password and the whole file), which read_jks verifies before it decodes anything;
// so each input also runs with its last 20 bytes replaced by the right check, which lets the
// fuzzer reach the entry decoding behind it.
#include "common/openssl.hpp"
#include "keystore/jks_protection.hpp"
#include "keystore_target.hpp"

namespace {

void run(ssoc::ByteView content) {
  ssoc::fuzz::run_keystore_reader(ssoc::keystore::read_jks, content, "sso_keystore.jks");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ssoc::keystore::jks::kDigestSize;
  ssoc::ByteView input = ssoc::fuzz::input_bytes(data, size);
  run(input);
  if (size < kDigestSize) return 0;

  static const ssoc::SecretBytes java_password =
      *ssoc::keystore::jks::java_password(ssoc::as_bytes(ssoc::fuzz::kKeystorePassword));
  constexpr std::string_view kWhitener = "Mighty Aphrodite";
  ssoc::Bytes checked(java_password.begin(), java_password.end());
  checked.insert(checked.end(), kWhitener.begin(), kWhitener.end());
  checked.insert(checked.end(), data, data + size - kDigestSize);
  ssoc::Bytes digest = ssoc::ossl::sha1(checked);
  ssoc::Bytes fixed(data, data + size - kDigestSize);
  fixed.insert(fixed.end(), digest.begin(), digest.end());
  run(fixed);
  return 0;
}
