// The changes an administrator makes to a data folder, each crash-safe (change_engine.hpp) and
// serialised on the folder's change lock.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "datadir/properties.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::settings {

namespace fs = std::filesystem;

// Writes new settings: encrypted with the folder's key when SKS is on, else as .properties
// (also for a folder that has no settings yet). Returns warnings.
Result<std::vector<std::string>> save_settings(const fs::path& folder,
                                               const datadir::Properties& instance,
                                               const datadir::Properties& shared);

// Turns SKS on for a folder with plaintext settings: reads the certificate chain (refusing to
// make a key without one), finds the IV mode if `config.iv_mode` is unset (auto), creates the
// key and its certificates, encrypts both settings files and removes the plaintext ones.
// `config` says how to reach the HSM; its instance_id defaults to the folder's. Returns the
// sks.properties now in force.
Result<sks::SksConfig> enable_sks(const fs::path& folder, sks::SksConfig config);

// Decrypts the settings back to .properties and stops using the HSM; destroys the key only when
// `delete_key`. Returns warnings.
Result<std::vector<std::string>> disable_sks(const fs::path& folder, bool delete_key);

// New key, settings re-encrypted with it, commit, old key destroyed. Returns the new key.
Result<sks::KeyRef> rotate_key(const fs::path& folder);

// The certificate chain file of a configuration: cert_chain_file, relative to the folder, or
// the folder's sso_keystore.p12.
fs::path chain_file(const fs::path& folder, const sks::SksConfig& config);

// The password of the chain file: cert_chain_password; or, when that is empty and the chain
// file is the keystore (keystore_file of the instance settings), the keystore's password from
// the instance settings, which SKS keeps encrypted. So the keystore password is never copied
// into the plaintext sks.properties.
SecretBytes chain_password(const fs::path& folder, const sks::SksConfig& config,
                           const datadir::Properties& instance);

}  // namespace ssoc::settings
