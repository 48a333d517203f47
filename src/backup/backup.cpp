// ssoconnect backup: a consistent archive of the data folder (archive_format.hpp).
#include "backup/backup.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "backup/archive_format.hpp"
#include "backup/database_copy.hpp"
#include "datadir/file_io.hpp"
#include "datadir/folder_check.hpp"
#include "datadir/folder_lock.hpp"
#include "datadir/properties.hpp"
#include "settings/layout.hpp"
#include "sks/hsm_connection.hpp"
#include "sks/instance_key.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::backup {
namespace {

constexpr std::string_view kDatabase = "ssoconnect.db";

bool present(const fs::path& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

// Usage error when `out` would land in the folder (or below it): the next backup would take
// the previous one, and a restore would replace it.
Result<void> refuse_output_inside(const fs::path& folder, const fs::path& out) {
  std::error_code ec;
  const fs::path real_folder = fs::weakly_canonical(folder, ec);
  if (ec) return datadir::errno_error(ec.value(), "resolve the path of", folder);
  const fs::path absolute_out = fs::absolute(out, ec);
  if (ec) return datadir::errno_error(ec.value(), "resolve the path of", out);
  const fs::path real_out = fs::weakly_canonical(absolute_out, ec);
  if (ec) return datadir::errno_error(ec.value(), "resolve the path of", out);
  for (fs::path p = real_out; p.has_relative_path(); p = p.parent_path()) {
    if (p == real_folder)
      return fail(Cause::Usage, "the backup " + out.string() +
                                    " would be written inside the data folder " + folder.string() +
                                    "; choose a file outside it");
  }
  return success();
}

struct FolderIdentity {
  std::string instance_id;
  std::string key_label;  // empty when SKS is off
};

Result<datadir::Properties> read_properties(const fs::path& folder, std::string_view name) {
  SecretBytes text = TRY(datadir::read_file(folder / name));
  return datadir::Properties::parse(text, name);
}

// What settings::open_folder would learn first: is SKS on, and with which key. With SKS on the
// key must be on the token (KeyMissing otherwise): a backup that no HSM can open is useless.
Result<FolderIdentity> read_identity(const fs::path& folder) {
  FolderIdentity identity;
  if (present(folder / settings::kSksProperties)) {
    datadir::Properties properties = TRY(read_properties(folder, settings::kSksProperties));
    sks::SksConfig config = TRY(sks::SksConfig::from_properties(properties));
    if (config.enabled) {
      sks::HsmConnection hsm = TRY(sks::HsmConnection::open(config, false));
      TRY(sks::find_instance_key(hsm.session(), config.key));
      identity.instance_id = config.instance_id;
      identity.key_label = config.key.label;
      return identity;
    }
  }
  // SKS off: the instance id is only informative; a folder without settings is backed up too.
  if (present(folder / settings::kInstanceProperties)) {
    Result<datadir::Properties> instance = read_properties(folder, settings::kInstanceProperties);
    if (instance) identity.instance_id = std::string(instance->get("instance_id").value_or(""));
    if (!sks::valid_instance_id(identity.instance_id)) identity.instance_id.clear();
  }
  return identity;
}

bool is_temp_name(std::string_view name) {
  return name.starts_with(".") && name.find(".tmp-", 1) != std::string_view::npos;
}

struct FolderFile {
  std::string name;
  std::uint32_t mode;
};

// The regular files directly in the folder that a backup takes, sorted by name. Lock files,
// temporaries, staged files and SQLite's side files are left out silently; anything else that
// cannot be archived (a subfolder, a link, a hidden file) is left out with a warning.
Result<std::vector<FolderFile>> list_files(const fs::path& folder,
                                           std::vector<std::string>& warnings) {
  std::vector<FolderFile> files;
  std::error_code ec;
  fs::directory_iterator it(folder, ec);
  if (ec) return datadir::errno_error(ec.value(), "list the folder", folder);
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (is_temp_name(name) || is_reserved_name(name)) continue;
    if (std::string reason = refused_name_reason(name); !reason.empty()) {
      warnings.push_back("left out of the backup: " + it->path().string() + " (" + reason + ")");
      continue;
    }
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) {
      if (errno == ENOENT) continue;
      return datadir::errno_error(errno, "inspect", it->path());
    }
    if (!S_ISREG(st.st_mode)) {
      warnings.push_back("left out of the backup: " + it->path().string() +
                         " (not a regular file)");
      continue;
    }
    files.push_back({name, static_cast<std::uint32_t>(st.st_mode & 0777)});
  }
  if (ec) return datadir::errno_error(ec.value(), "list the folder", folder);
  std::sort(files.begin(), files.end(),
            [](const FolderFile& a, const FolderFile& b) { return a.name < b.name; });
  return files;
}

std::uint64_t now_seconds() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count());
}

}  // namespace

Result<BackupSummary> create(const fs::path& folder, const fs::path& out) {
  BackupSummary summary;
  summary.warnings = TRY(datadir::check_folder(folder));
  TRY(refuse_output_inside(folder, out));
  // The change lock, not the service lock: a running service may be backed up.
  datadir::FolderLock lock =
      TRY(datadir::FolderLock::acquire(folder, datadir::FolderLock::Kind::Change));
  if (present(folder / settings::kJournal))
    return fail(Cause::FolderBusy,
                "a change is in progress; run ssoconnect start once to "
                "complete it, then take the backup");

  FolderIdentity identity = TRY(read_identity(folder));
  std::vector<FolderFile> files = TRY(list_files(folder, summary.warnings));

  std::optional<ScratchFolder> scratch;
  std::vector<SecretBytes> contents;
  contents.reserve(files.size());
  for (const FolderFile& file : files) {
    if (file.name == kDatabase) {
      fs::path out_folder = out.parent_path().empty() ? fs::path(".") : out.parent_path();
      scratch.emplace(TRY(ScratchFolder::create(out_folder)));
      contents.push_back(TRY(copy_database(folder / file.name, scratch->path(), kMaxEntrySize)));
    } else {
      contents.push_back(TRY(datadir::read_file(folder / file.name, kMaxEntrySize)));
    }
  }

  Archive archive;
  archive.created = now_seconds();
  archive.instance_id = identity.instance_id;
  archive.key_label = identity.key_label;
  for (std::size_t i = 0; i < files.size(); ++i) {
    archive.entries.push_back({files[i].name, files[i].mode, contents[i]});
    summary.files.push_back(files[i].name);
  }
  SecretBytes bytes = TRY(encode(archive));
  TRY(datadir::write_file_atomic(out, bytes, 0600));
  if (!identity.key_label.empty())
    summary.warnings.push_back(
        "Secure Key Storage is on: this backup can only be restored where the HSM key '" +
        identity.key_label + "' is available");
  return summary;
}

}  // namespace ssoc::backup
