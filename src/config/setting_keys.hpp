// The settings of instance.properties and shared.properties (DESIGN.md "Properties files"): in
// which file each lives, its default, whether an administrator may set it, and the syntax check
// its value must pass.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace ssoc::config {

namespace fs = std::filesystem;

enum class SettingsFile { Instance, Shared };

enum class ValueKind {
  Generated,  // instance_id, instance_secret_key, master_key, master_key_id: never set by hand
  HostName,
  IpAddress,
  Port,
  Path,      // stored absolute; a relative answer is taken relative to the data folder
  Password,  // any text, may be empty
  Text,      // non-empty, no surrounding blanks
  Url,       // an absolute URI without blanks
  UrlList,   // comma-separated absolute URIs, may be empty
  Boolean,   // true / false
  Seconds,   // 0..3600
};

struct SettingKey {
  std::string_view name;
  SettingsFile file;
  ValueKind kind;
};

// Every key, in DESIGN.md order (instance keys first).
const std::vector<SettingKey>& setting_keys();
const SettingKey* find_setting_key(std::string_view name);

// The default of a key for `folder` (the machine's host name for external_host, files inside
// the data folder for keystore_file and idp_metadata_file); empty when there is none.
std::string default_value(const SettingKey& key, const fs::path& folder);

// Checks the syntax of `value` for `key` and returns it as it is stored (a path made absolute,
// "yes"/"no" as "true"/"false"). InvalidSetting naming the key and what is expected.
Result<std::string> normalize_value(const SettingKey& key, std::string_view value,
                                    const fs::path& folder);

}  // namespace ssoc::config
