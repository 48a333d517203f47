// Opening a data folder: checks, recovery of an interrupted change, then the settings, decrypted
// with the HSM when Secure Key Storage is on (one session, one key lookup, two decrypts).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "datadir/properties.hpp"
#include "sks/hsm_connection.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::settings {

namespace fs = std::filesystem;

struct FolderSettings {
  datadir::Properties instance;
  datadir::Properties shared;
  std::optional<sks::SksConfig> sks;  // set when SKS is on
  std::vector<std::string> warnings;  // readable by others, stray files, pending clean-up
};

// Opens the folder for use. Failures: DataFolderMissing, PermissionDenied, FolderBusy (another
// command is changing it), NotConfigured (no settings), EncryptedFilesMissing, the HSM causes,
// KeyMissing, IntegrityFailure, InvalidSetting.
Result<FolderSettings> open_folder(const fs::path& folder);

// The same for a caller that holds the change lock; keeps the HSM connection open in `hsm`
// (when SKS is on and `hsm` is not null) for a change that follows.
Result<FolderSettings> open_folder_locked(const fs::path& folder,
                                          std::optional<sks::HsmConnection>* hsm);

}  // namespace ssoc::settings
