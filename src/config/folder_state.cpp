#include "config/folder_state.hpp"

#include <algorithm>

#include "common/encoding.hpp"
#include "common/openssl.hpp"
#include "config/setting_keys.hpp"
#include "datadir/folder_check.hpp"
#include "settings/folder_changes.hpp"
#include "settings/folder_settings.hpp"
#include "settings/layout.hpp"

namespace ssoc::config {
namespace {

// 12 decimal digits, each uniform (bytes of 250 and above are drawn again).
Result<std::string> new_instance_id() {
  std::string id;
  while (id.size() < 12) {
    SecretBytes bytes = TRY(ossl::random_bytes(16));
    for (std::uint8_t b : bytes) {
      if (b < 250 && id.size() < 12) id.push_back(static_cast<char>('0' + b % 10));
    }
  }
  return id;
}

// base64 of 32 random bytes, set as `key` with the text wiped afterwards.
Result<void> set_new_key(datadir::Properties& properties, std::string_view key) {
  SecretBytes bytes = TRY(ossl::random_bytes(32));
  std::string text = base64_encode(bytes);
  auto set = properties.set(key, text);
  wipe(text.data(), text.size());
  return set;
}

Result<void> new_settings(FolderState& state) {
  for (const SettingKey& key : setting_keys()) {
    datadir::Properties& file = key.file == SettingsFile::Instance ? state.instance : state.shared;
    if (key.name == "instance_id") {
      TRY(file.set(key.name, TRY(new_instance_id())));
    } else if (key.name == "instance_secret_key" || key.name == "master_key") {
      TRY(set_new_key(file, key.name));
    } else if (key.name == "master_key_id") {
      TRY(file.set(key.name, "1"));
    } else {
      TRY(file.set(key.name, default_value(key, state.folder)));
    }
  }
  return success();
}

bool present(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// Appends the lines not already there (a change repeats the warnings of the open before it).
void add_messages(Outcome& outcome, const std::vector<std::string>& lines) {
  for (const std::string& line : lines) {
    if (std::find(outcome.messages.begin(), outcome.messages.end(), line) == outcome.messages.end())
      outcome.messages.push_back(line);
  }
}

bool differs(const datadir::Properties& a, const datadir::Properties& b) {
  SecretBytes x = a.serialize();
  SecretBytes y = b.serialize();
  return !equal_constant_time(x, y);
}

}  // namespace

Result<FolderState> load_folder_state(const fs::path& folder) {
  FolderState state;
  state.folder = fs::absolute(folder).lexically_normal();
  auto opened = settings::open_folder(state.folder);
  if (opened) {
    state.configured = true;
    state.instance = std::move(opened->instance);
    state.shared = std::move(opened->shared);
    state.sks = std::move(opened->sks);
    state.warnings = std::move(opened->warnings);
    return state;
  }
  const Cause cause = opened.error().cause;
  if (cause != Cause::NotConfigured && cause != Cause::DataFolderMissing)
    return std::move(opened).error();
  for (std::string_view name : {settings::kInstanceProperties, settings::kSharedProperties}) {
    if (present(state.folder / name))
      return fail(Cause::NotConfigured,
                  (state.folder / name).string() +
                      " exists but the other settings file does not: the folder holds a partial "
                      "configuration. Restore the folder from a backup, or move that file away "
                      "and run `ssoconnect config` again");
  }
  TRY(new_settings(state));
  return state;
}

bool keeps_current(const FolderState& state, std::string_view key, std::string_view value) {
  if (!state.configured) return false;
  auto current = state.instance.get(key);
  if (!current) current = state.shared.get(key);
  return current && *current == value;
}

Result<Plan> start_plan(const FolderState& state) {
  Plan plan;
  plan.instance = state.instance;
  plan.shared = state.shared;
  for (const SettingKey& key : setting_keys()) {
    datadir::Properties& file = key.file == SettingsFile::Instance ? plan.instance : plan.shared;
    if (key.kind != ValueKind::Generated && !file.get(key.name))
      TRY(file.set(key.name, default_value(key, state.folder)));
  }
  return plan;
}

Result<void> finish_plan(Plan& plan) {
  if (!plan.shared.get("sp_entity_id").value_or("").empty()) return success();
  std::string host(plan.instance.get("external_host").value_or(""));
  std::string port(plan.instance.get("external_port").value_or("8443"));
  return plan.shared.set("sp_entity_id", "https://" + host + ":" + port + "/saml/metadata");
}

Result<Outcome> commit_plan(const FolderState& state, Plan plan) {
  Outcome outcome;
  outcome.messages = state.warnings;
  outcome.messages.insert(outcome.messages.end(), plan.messages.begin(), plan.messages.end());
  const bool settings_changed = !state.configured || differs(plan.instance, state.instance) ||
                                differs(plan.shared, state.shared);
  if (!settings_changed && plan.sks == Plan::Sks::Keep) {
    outcome.messages.push_back("Nothing changed; " + state.folder.string() + " was not touched.");
    return outcome;
  }

  if (!state.configured) TRY(datadir::create_folder(state.folder));
  if (settings_changed) {
    std::vector<std::string> warnings =
        TRY(settings::save_settings(state.folder, plan.instance, plan.shared));
    outcome.changed = true;
    add_messages(outcome, warnings);
    outcome.messages.push_back(
        std::string("Settings saved in ") + state.folder.string() +
        (state.sks ? " (encrypted with the HSM key)." : " (plaintext .properties files)."));
  }

  if (plan.sks == Plan::Sks::Enable) {
    plan.sks_config.instance_id = std::string(plan.instance.get("instance_id").value_or(""));
    auto enabled = settings::enable_sks(state.folder, std::move(plan.sks_config));
    if (!enabled) {
      Error error = std::move(enabled).error();
      if (outcome.changed)
        error.message += ". The other settings were saved; Secure Key Storage is still off";
      return error;
    }
    outcome.changed = true;
    outcome.messages.push_back(
        "Secure Key Storage enabled: the settings are encrypted with the "
        "HSM key '" +
        enabled->key.label + "' (" + enabled->token.describe() + ", IV mode " +
        std::string(sks::iv_mode_name(*enabled->iv_mode)) + ").");
  } else if (plan.sks == Plan::Sks::Disable) {
    auto disabled = settings::disable_sks(state.folder, false);
    if (!disabled) {
      Error error = std::move(disabled).error();
      if (outcome.changed)
        error.message += ". The other settings were saved; Secure Key Storage is still on";
      return error;
    }
    outcome.changed = true;
    add_messages(outcome, *disabled);
    outcome.messages.push_back(
        "Secure Key Storage disabled: the settings are plaintext .properties files again. The "
        "HSM key '" +
        state.sks->key.label +
        "' was kept on the token; delete it once no backup needs it any more.");
  }
  return outcome;
}

}  // namespace ssoc::config
