#include "settings/folder_settings.hpp"

#include "datadir/file_io.hpp"
#include "datadir/folder_check.hpp"
#include "datadir/folder_lock.hpp"
#include "settings/change_engine.hpp"
#include "settings/layout.hpp"
#include "sks/folder_cipher.hpp"

namespace ssoc::settings {
namespace {

bool present(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

Result<datadir::Properties> read_properties(const fs::path& folder, std::string_view name) {
  SecretBytes text = TRY(datadir::read_file(folder / name));
  return datadir::Properties::parse(text, name);
}

Result<void> check_instance_id(const FolderSettings& settings) {
  auto id = settings.instance.get("instance_id");
  if (settings.sks && id && *id != settings.sks->instance_id)
    return fail(Cause::IntegrityFailure, "instance.encp belongs to instance " + std::string(*id) +
                                             ", but sks.properties to instance " +
                                             settings.sks->instance_id +
                                             "; restore the folder from a backup");
  return success();
}

Result<FolderSettings> read_sks_folder(const fs::path& folder, sks::SksConfig config,
                                       std::optional<sks::HsmConnection>* keep) {
  for (std::string_view name : {kInstanceEncp, kSharedEncp}) {
    if (!present(folder / name))
      return fail(Cause::EncryptedFilesMissing,
                  "sks.properties says SKS is on, but " + (folder / name).string() + " is absent");
  }
  SecretBytes instance_encp = TRY(datadir::read_file(folder / kInstanceEncp));
  SecretBytes shared_encp = TRY(datadir::read_file(folder / kSharedEncp));

  sks::HsmConnection hsm = TRY(sks::HsmConnection::open(config, keep != nullptr));
  CK_OBJECT_HANDLE key = TRY(sks::find_instance_key(hsm.session(), config.key));
  sks::FolderCipher cipher(hsm.session(), key, config.key, *config.iv_mode, config.instance_id);
  SecretBytes instance_text = TRY(cipher.open(sks::kRoleInstance, instance_encp, kInstanceEncp));
  SecretBytes shared_text = TRY(cipher.open(sks::kRoleShared, shared_encp, kSharedEncp));

  FolderSettings settings;
  settings.instance = TRY(datadir::Properties::parse(instance_text, kInstanceEncp));
  settings.shared = TRY(datadir::Properties::parse(shared_text, kSharedEncp));
  settings.sks = std::move(config);
  TRY(check_instance_id(settings));
  if (present(folder / kInstanceProperties) || present(folder / kSharedProperties))
    settings.warnings.push_back(
        "a plaintext .properties file lies beside the encrypted settings and is ignored; "
        "delete it");
  if (keep != nullptr) keep->emplace(std::move(hsm));
  return settings;
}

Result<FolderSettings> read_plain_folder(const fs::path& folder) {
  for (std::string_view name : {kInstanceProperties, kSharedProperties}) {
    if (!present(folder / name))
      return fail(Cause::NotConfigured, (folder / name).string() +
                                            " is absent: SSO Connect is not configured; run "
                                            "`ssoconnect config`");
  }
  FolderSettings settings;
  settings.instance = TRY(read_properties(folder, kInstanceProperties));
  settings.shared = TRY(read_properties(folder, kSharedProperties));
  return settings;
}

// Reads the settings of a folder that has no change in progress.
Result<FolderSettings> read_settings(const fs::path& folder, std::vector<std::string> warnings,
                                     std::optional<sks::HsmConnection>* hsm) {
  FolderSettings settings;
  std::optional<sks::SksConfig> config;
  if (present(folder / kSksProperties)) {
    auto properties = TRY(read_properties(folder, kSksProperties));
    config = TRY(sks::SksConfig::from_properties(properties));
  }
  if (config && config->enabled)
    settings = TRY(read_sks_folder(folder, std::move(*config), hsm));
  else
    settings = TRY(read_plain_folder(folder));
  settings.warnings.insert(settings.warnings.begin(), warnings.begin(), warnings.end());
  return settings;
}

}  // namespace

Result<FolderSettings> open_folder_locked(const fs::path& folder,
                                          std::optional<sks::HsmConnection>* hsm) {
  std::vector<std::string> warnings = TRY(datadir::check_folder(folder));
  std::vector<std::string> recovered = TRY(recover(folder));
  warnings.insert(warnings.end(), recovered.begin(), recovered.end());
  return read_settings(folder, std::move(warnings), hsm);
}

// True when an interrupted change (a journal, or a temporary file of an atomic write) is left.
static bool needs_recovery(const fs::path& folder) {
  if (present(folder / kJournal)) return true;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(".") && name.find(".tmp-") != std::string::npos) return true;
  }
  return false;
}

Result<FolderSettings> open_folder(const fs::path& folder) {
  std::vector<std::string> warnings = TRY(datadir::check_folder(folder));
  if (!needs_recovery(folder)) return read_settings(folder, std::move(warnings), nullptr);
  // An interrupted change must be completed first, under the change lock.
  datadir::FolderLock lock =
      TRY(datadir::FolderLock::acquire(folder, datadir::FolderLock::Kind::Change));
  return open_folder_locked(folder, nullptr);
}

}  // namespace ssoc::settings
