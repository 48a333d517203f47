#include "settings/change_engine.hpp"

#include <optional>

#include "common/log.hpp"
#include "datadir/file_io.hpp"
#include "datadir/step_hook.hpp"
#include "settings/layout.hpp"

namespace ssoc::settings {
namespace {

const std::string_view kSettingsFiles[] = {kInstanceProperties, kSharedProperties, kInstanceEncp,
                                           kSharedEncp};

fs::path staged_path(const fs::path& folder, std::string_view name) {
  return folder / (std::string(name) + std::string(kStagedSuffix));
}

Result<void> write_journal(const fs::path& folder, const Journal& journal) {
  SecretBytes text = journal.to_properties().serialize(
      "SSO Connect: a change of this folder in progress; do not edit or delete");
  return datadir::write_file_atomic(folder / kJournal, text);
}

// Destroys `key` on the HSM, through `hsm` or else (or if that fails: its session may be left
// mid-operation by the failure being rolled back) through a new connection from `journal.sks`.
// If both fail the journal is rewritten as a pending clean-up and a warning is returned.
Result<std::optional<std::string>> destroy_key(const fs::path& folder, const Journal& journal,
                                               const sks::KeyRef& key,
                                               const sks::HsmConnection* hsm) {
  Result<void> done = fail(Cause::Internal, "no HSM settings recorded");
  if (hsm != nullptr) {
    auto deleted = sks::delete_instance_key(hsm->session(), key);
    if (deleted) return std::optional<std::string>{};
    done = std::move(deleted).error();
  }
  if (journal.sks) {
    auto fresh = sks::HsmConnection::open(*journal.sks, true);
    if (fresh) {
      auto deleted = sks::delete_instance_key(fresh->session(), key);
      if (deleted) return std::optional<std::string>{};
      done = std::move(deleted).error();
    } else {
      done = std::move(fresh).error();
    }
  }

  Journal pending;
  pending.op = Journal::Op::Cleanup;
  pending.phase = Journal::Phase::Commit;
  pending.sks = journal.sks;
  pending.retired_key = key;
  TRY(write_journal(folder, pending));
  return std::optional<std::string>("the HSM key '" + key.label + "' could not be destroyed yet (" +
                                    done.error().describe() +
                                    "); it is recorded and will be destroyed on a later start");
}

Result<std::vector<std::string>> roll_back(const fs::path& folder, const Journal& journal,
                                           const sks::HsmConnection* hsm) {
  std::vector<std::string> warnings;
  for (std::string_view name : kSettingsFiles)
    TRY(datadir::remove_durable(staged_path(folder, name)));
  TRY(datadir::remove_stale_temp_files(folder));
  if (journal.created_key) {
    auto warning = TRY(destroy_key(folder, journal, *journal.created_key, hsm));
    if (warning) {
      warnings.push_back(*warning);
      return warnings;  // the journal now records the pending clean-up
    }
  }
  TRY(datadir::remove_durable(folder / kJournal));
  return warnings;
}

Result<std::vector<std::string>> install(const fs::path& folder, const Journal& journal,
                                         const sks::HsmConnection* hsm) {
  std::vector<std::string> warnings;
  if (journal.op != Journal::Op::Cleanup) {
    const std::string_view on[] = {kInstanceEncp, kSharedEncp};
    const std::string_view off[] = {kInstanceProperties, kSharedProperties};
    const auto& targets = journal.sks_after ? on : off;
    const auto& others = journal.sks_after ? off : on;
    // The files of the old kind go first: once committed, no plaintext file should stay a
    // moment longer than needed beside encrypted ones.
    for (std::string_view name : others) TRY(datadir::remove_durable(folder / name));
    for (std::string_view name : targets) {
      fs::path staged = staged_path(folder, name);
      if (fs::exists(staged)) TRY(datadir::rename_durable(staged, folder / name));
    }
    if (journal.sks_after) {
      SecretBytes text = journal.sks->to_properties().serialize(
          "SSO Connect Secure Key Storage settings (no key is stored here)");
      TRY(datadir::write_file_atomic(folder / kSksProperties, text));
    } else {
      TRY(datadir::remove_durable(folder / kSksProperties));
    }
    TRY(datadir::remove_stale_temp_files(folder));
  }
  if (journal.retired_key) {
    auto warning = TRY(destroy_key(folder, journal, *journal.retired_key, hsm));
    if (warning) {
      warnings.push_back(*warning);
      return warnings;
    }
  }
  TRY(datadir::remove_durable(folder / kJournal));
  return warnings;
}

}  // namespace

Result<std::vector<std::string>> run_change(const fs::path& folder, const Journal& journal,
                                            const Stager& stage, const sks::HsmConnection* hsm) {
  Journal record = journal;
  record.phase = Journal::Phase::Prepare;
  TRY(write_journal(folder, record));

  auto staged = [&]() -> Result<void> {
    std::vector<StagedFile> files = TRY(stage());
    for (const StagedFile& file : files)
      TRY(datadir::write_file_atomic(staged_path(folder, file.name), file.content));
    return success();
  }();
  if (!staged) {
    auto rolled_back = roll_back(folder, record, hsm);
    if (!rolled_back)
      log::warn("rolling back the interrupted change failed (" + rolled_back.error().describe() +
                "); the next start completes it");
    return std::move(staged).error();
  }

  record.phase = Journal::Phase::Commit;
  TRY(write_journal(folder, record));
  datadir::step("change:committed");
  return install(folder, record, hsm);
}

Result<std::vector<std::string>> recover(const fs::path& folder) {
  fs::path path = folder / kJournal;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    TRY(datadir::remove_stale_temp_files(folder));
    return std::vector<std::string>{};
  }
  SecretBytes text = TRY(datadir::read_file(path));
  auto properties = datadir::Properties::parse(text, kJournal);
  if (!properties)
    return fail(Cause::IntegrityFailure,
                "transition.journal is damaged; restore the data folder from a backup");
  Journal journal = TRY(Journal::from_properties(*properties));
  log::info("completing an interrupted change of the data folder (" +
            std::string(op_name(journal.op)) + ", " +
            (journal.phase == Journal::Phase::Commit ? "committed" : "not committed") + ")");
  if (journal.phase == Journal::Phase::Prepare) return roll_back(folder, journal, nullptr);
  return install(folder, journal, nullptr);
}

}  // namespace ssoc::settings
