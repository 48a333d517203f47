// The three keystore targets share this: read the bytes with one reader (the password of every
// seed is kPassword), then do what read_keystore and read_certificate_chain do with what it
// found: put the chain in order, build a CertificateChain and take each certificate's fields.
// A refusal must carry the caller's cause and a message.
#pragma once

#include "fuzz_target.hpp"
#include "keystore/cert_chain.hpp"
#include "keystore/keystore_contents.hpp"

namespace ssoc::fuzz {

inline constexpr std::string_view kKeystorePassword = "fuzz-password";

template <class Reader>
int run_keystore_reader(Reader reader, ByteView content, const char* file_name) {
  static const SecretBytes password = secret_from(kKeystorePassword);
  const keystore::KeystoreSource source(file_name, keystore::kKeystoreSetting);
  auto contents = reader(content, password, source);
  if (!contents) {
    FUZZ_CHECK(contents.error().cause == Cause::InvalidSetting ||
               contents.error().cause == Cause::Internal);
    FUZZ_CHECK(!contents.error().message.empty());
    return 0;
  }
  auto ordered = keystore::order_chain(*contents, source);
  if (!ordered) {
    FUZZ_CHECK(!ordered.error().message.empty());
    return 0;
  }
  FUZZ_CHECK(!ordered->empty());
  auto chain = keystore::CertificateChain::from_der(std::move(*ordered));
  FUZZ_CHECK(chain.ok());  // order_chain hands out only certificates that parsed
  FUZZ_CHECK(chain->leaf_key_id().size() == 20);
  for (std::size_t i = 0; i < chain->certificates().size(); ++i) (void)chain->fields(i);
  return 0;
}

}  // namespace ssoc::fuzz
