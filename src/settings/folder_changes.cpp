#include "settings/folder_changes.hpp"

#include "datadir/folder_lock.hpp"
#include "keystore/cert_chain.hpp"
#include "settings/change_engine.hpp"
#include "settings/folder_settings.hpp"
#include "settings/layout.hpp"
#include "sks/folder_cipher.hpp"

namespace ssoc::settings {
namespace {

using datadir::FolderLock;

Result<FolderLock> lock_for_change(const fs::path& folder) {
  return FolderLock::acquire(folder, FolderLock::Kind::Change);
}

Result<std::vector<StagedFile>> seal_settings(const sks::FolderCipher& cipher,
                                              const datadir::Properties& instance,
                                              const datadir::Properties& shared) {
  Bytes instance_encp = TRY(cipher.seal(sks::kRoleInstance, instance.serialize()));
  Bytes shared_encp = TRY(cipher.seal(sks::kRoleShared, shared.serialize()));
  std::vector<StagedFile> files;
  files.push_back({std::string(kInstanceEncp), secret_from(ByteView(instance_encp))});
  files.push_back({std::string(kSharedEncp), secret_from(ByteView(shared_encp))});
  return files;
}

std::vector<StagedFile> plain_settings(const datadir::Properties& instance,
                                       const datadir::Properties& shared) {
  std::vector<StagedFile> files;
  files.push_back(
      {std::string(kInstanceProperties), instance.serialize("SSO Connect instance settings")});
  files.push_back(
      {std::string(kSharedProperties), shared.serialize("SSO Connect shared settings")});
  return files;
}

Result<std::vector<std::string>> append_warnings(std::vector<std::string> first,
                                                 Result<std::vector<std::string>> more) {
  std::vector<std::string> rest = TRY(std::move(more));
  first.insert(first.end(), rest.begin(), rest.end());
  return first;
}

Result<keystore::CertificateChain> read_chain(const fs::path& folder, const sks::SksConfig& config,
                                              const datadir::Properties& instance) {
  return keystore::read_certificate_chain(chain_file(folder, config),
                                          chain_password(folder, config, instance));
}

}  // namespace

fs::path chain_file(const fs::path& folder, const sks::SksConfig& config) {
  if (config.cert_chain_file.empty()) return folder / kDefaultKeystore;
  fs::path file = config.cert_chain_file;
  return file.is_absolute() ? file : folder / file;
}

SecretBytes chain_password(const fs::path& folder, const sks::SksConfig& config,
                           const datadir::Properties& instance) {
  if (!config.cert_chain_password.empty()) return config.cert_chain_password;
  fs::path keystore(instance.get("keystore_file").value_or(std::string(kDefaultKeystore)));
  if (!keystore.is_absolute()) keystore = folder / keystore;
  if (keystore.lexically_normal() != chain_file(folder, config).lexically_normal()) return {};
  return secret_from(instance.get("keystore_password").value_or(""));
}

Result<std::vector<std::string>> save_settings(const fs::path& folder,
                                               const datadir::Properties& instance,
                                               const datadir::Properties& shared) {
  FolderLock lock = TRY(lock_for_change(folder));
  std::optional<sks::HsmConnection> hsm;
  auto current = open_folder_locked(folder, &hsm);
  if (!current && current.error().cause != Cause::NotConfigured) return std::move(current).error();

  Journal journal;
  journal.op = Journal::Op::Update;
  if (current && current->sks) {
    const sks::SksConfig& config = *current->sks;
    CK_OBJECT_HANDLE key = TRY(sks::find_instance_key(hsm->session(), config.key));
    sks::FolderCipher cipher(hsm->session(), key, config.key, *config.iv_mode, config.instance_id);
    journal.sks_after = true;
    journal.sks = config;
    return run_change(
        folder, journal, [&] { return seal_settings(cipher, instance, shared); }, &*hsm);
  }
  return run_change(
      folder, journal,
      [&]() -> Result<std::vector<StagedFile>> { return plain_settings(instance, shared); },
      nullptr);
}

Result<sks::SksConfig> enable_sks(const fs::path& folder, sks::SksConfig config) {
  FolderLock lock = TRY(lock_for_change(folder));
  FolderSettings current = TRY(open_folder_locked(folder, nullptr));
  if (current.sks)
    return fail(Cause::InvalidSetting, "Secure Key Storage is already on for " + folder.string() +
                                           "; use `ssoconnect sks rotate` for a new key");
  std::string folder_id(current.instance.get("instance_id").value_or(""));
  if (config.instance_id.empty()) config.instance_id = folder_id;
  if (!sks::valid_instance_id(config.instance_id))
    return fail(Cause::InvalidSetting, "instance_id must be 12 digits; run `ssoconnect config`");
  if (!folder_id.empty() && folder_id != config.instance_id)
    return fail(Cause::InvalidSetting, "sks instance_id " + config.instance_id +
                                           " differs from the folder's instance_id " + folder_id);

  // No chain, no key: read it before the HSM is touched.
  keystore::CertificateChain chain = TRY(read_chain(folder, config, current.instance));
  sks::HsmConnection hsm = TRY(sks::HsmConnection::open(config, true));
  if (!config.iv_mode)
    config.iv_mode = TRY(sks::probe_iv_mode(hsm.module(), hsm.session()));
  else
    TRY(sks::require_gcm(hsm.module(), hsm.session()));
  config.key = TRY(sks::next_free_key(hsm.session(), config.instance_id, chain));
  config.enabled = true;

  Journal journal;
  journal.op = Journal::Op::Enable;
  journal.sks_after = true;
  journal.sks = config;
  journal.created_key = config.key;
  auto stage = [&]() -> Result<std::vector<StagedFile>> {
    CK_OBJECT_HANDLE key =
        TRY(sks::create_instance_key(hsm.module(), hsm.session(), config.key, chain));
    sks::FolderCipher cipher(hsm.session(), key, config.key, *config.iv_mode, config.instance_id);
    return seal_settings(cipher, current.instance, current.shared);
  };
  TRY(run_change(folder, journal, stage, &hsm));
  return config;
}

Result<std::vector<std::string>> disable_sks(const fs::path& folder, bool delete_key) {
  FolderLock lock = TRY(lock_for_change(folder));
  std::optional<sks::HsmConnection> hsm;
  FolderSettings current = TRY(open_folder_locked(folder, &hsm));
  if (!current.sks)
    return fail(Cause::InvalidSetting, "Secure Key Storage is not on for " + folder.string());

  Journal journal;
  journal.op = Journal::Op::Disable;
  journal.sks_after = false;
  journal.sks = *current.sks;
  if (delete_key) journal.retired_key = current.sks->key;
  auto stage = [&]() -> Result<std::vector<StagedFile>> {
    return plain_settings(current.instance, current.shared);
  };
  return append_warnings(current.warnings, run_change(folder, journal, stage, &*hsm));
}

Result<sks::KeyRef> rotate_key(const fs::path& folder) {
  FolderLock lock = TRY(lock_for_change(folder));
  std::optional<sks::HsmConnection> hsm;
  FolderSettings current = TRY(open_folder_locked(folder, &hsm));
  if (!current.sks)
    return fail(Cause::InvalidSetting, "Secure Key Storage is not on for " + folder.string() +
                                           "; there is no key to rotate");
  keystore::CertificateChain chain = TRY(read_chain(folder, *current.sks, current.instance));
  sks::SksConfig next = *current.sks;
  next.key = TRY(sks::next_free_key(hsm->session(), next.instance_id, chain));

  Journal journal;
  journal.op = Journal::Op::Rotate;
  journal.sks_after = true;
  journal.sks = next;
  journal.created_key = next.key;
  journal.retired_key = current.sks->key;
  auto stage = [&]() -> Result<std::vector<StagedFile>> {
    CK_OBJECT_HANDLE key =
        TRY(sks::create_instance_key(hsm->module(), hsm->session(), next.key, chain));
    sks::FolderCipher cipher(hsm->session(), key, next.key, *next.iv_mode, next.instance_id);
    return seal_settings(cipher, current.instance, current.shared);
  };
  TRY(run_change(folder, journal, stage, &*hsm));
  return next.key;
}

}  // namespace ssoc::settings
