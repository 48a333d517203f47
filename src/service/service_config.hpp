// What the running service needs from the data folder's settings, read and checked once at
// start-up (and at each reload): the listener, the SAML service provider, the keystore, the
// master-password key and the login policy. Nothing here touches the HSM: the settings arrive
// already decrypted (settings::open_folder).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "keystore/keystore.hpp"
#include "saml/service_provider.hpp"
#include "settings/folder_settings.hpp"
#include "vault/master_password.hpp"

namespace ssoc::service {

namespace fs = std::filesystem;

struct ServiceConfig {
  std::string bind_address;
  std::uint16_t bind_port = 8443;
  std::string external_url;  // https://<external_host>:<external_port>
  std::shared_ptr<const keystore::Keystore> keystore;
  std::shared_ptr<const saml::ServiceProvider> sp;
  std::shared_ptr<const vault::MasterPasswordCipher> master_key;
  std::vector<std::string> redirect_allow;  // exact redirect URIs allowed besides loopback
  std::string attr_email, attr_first_name, attr_last_name;
  bool sks_enabled = false;
  std::string sks_key_label;
};

// Reads the keystore, the IdP metadata and every setting the service uses. InvalidSetting
// naming the setting and how to fix it; NotConfigured when the SAML settings are missing.
Result<ServiceConfig> read_service_config(const fs::path& folder,
                                          const settings::FolderSettings& settings,
                                          std::int64_t now);

}  // namespace ssoc::service
