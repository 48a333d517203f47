// Which setting a keystore file was read for. The readers are shared by two callers that refuse
// a bad file differently: Secure Key Storage reads its certificate chain (cert_chain_file,
// certificate-chain-missing), the service its TLS and SAML identity (keystore_file,
// invalid-setting). The readers build every refusal through a KeystoreSource, so each message
// names the caller's setting and the file, and carries the caller's cause.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/error.hpp"

namespace ssoc::keystore {

namespace fs = std::filesystem;

struct KeystoreSetting {
  Cause cause;                    // of every refusal of a bad file
  std::string_view file_key;      // the setting naming the file
  std::string_view password_key;  // the setting holding its password
};

inline constexpr KeystoreSetting kCertChainSetting{Cause::CertificateChainMissing,
                                                   "cert_chain_file", "cert_chain_password"};
inline constexpr KeystoreSetting kKeystoreSetting{Cause::InvalidSetting, "keystore_file",
                                                  "keystore_password"};

class KeystoreSource {
 public:
  KeystoreSource(const fs::path& file, const KeystoreSetting& setting)
      : file_(file),
        setting_(setting),
        what_("the keystore " + file.string() + " (" + std::string(setting.file_key) + ")") {}

  const fs::path& file() const { return file_; }
  // "the keystore /data/sso_keystore.jks (keystore_file)": the subject of every message.
  const std::string& what() const { return what_; }
  std::string_view file_key() const { return setting_.file_key; }
  std::string_view password_key() const { return setting_.password_key; }
  // A refusal of the file with the caller's cause; `message` says what happened and what to do.
  Error refuse(std::string message) const { return fail(setting_.cause, std::move(message)); }

 private:
  fs::path file_;
  KeystoreSetting setting_;
  std::string what_;
};

}  // namespace ssoc::keystore
