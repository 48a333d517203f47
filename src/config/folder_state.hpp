// What the wizard and the answers file start from (the folder's current settings, or new ones)
// and what they end with (a Plan), written by commit_plan through settings/folder_changes.hpp.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "config/wizard.hpp"
#include "datadir/properties.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::config {

struct FolderState {
  fs::path folder;  // absolute
  bool configured = false;
  datadir::Properties instance;  // current settings, or the new folder's generated ones
  datadir::Properties shared;
  std::optional<sks::SksConfig> sks;  // set when SKS is on
  std::vector<std::string> warnings;
};

// Opens the folder (decrypting with the HSM when SKS is on). A folder that does not exist or has
// no settings yet gets new settings: generated instance_id, instance_secret_key, master_key and
// master_key_id, and the defaults of DESIGN.md (sp_entity_id is left empty: finish_plan
// derives it). Refuses a half-configured folder (one settings file without the other).
Result<FolderState> load_folder_state(const fs::path& folder);

// True when the configured folder already has `value` for `key` (never for a new folder).
bool keeps_current(const FolderState& state, std::string_view key, std::string_view value);

struct Plan;

// The plan that changes nothing yet: the current settings, plus the default of every settable key
// an older folder lacks.
Result<Plan> start_plan(const FolderState& state);

// Once the answers are in: sp_entity_id from external_host and external_port when it is not set
// (a new folder).
Result<void> finish_plan(Plan& plan);

struct Plan {
  datadir::Properties instance;
  datadir::Properties shared;
  enum class Sks { Keep, Enable, Disable } sks = Sks::Keep;
  sks::SksConfig sks_config;  // for Enable
  std::vector<std::string> messages;
};

// Writes what differs from `state`: the settings (save_settings), then SKS on (enable_sks) or off
// (disable_sks, keeping the key). Nothing is touched when nothing differs.
Result<Outcome> commit_plan(const FolderState& state, Plan plan);

}  // namespace ssoc::config
