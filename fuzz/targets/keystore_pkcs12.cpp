// Keystore files as PKCS12: keystore::read_pkcs12 on any bytes, then the chain
// (keystore_target.hpp).
#include "keystore_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return ssoc::fuzz::run_keystore_reader(ssoc::keystore::read_pkcs12,
                                         ssoc::fuzz::input_bytes(data, size), "sso_keystore.p12");
}
