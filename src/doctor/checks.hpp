// The doctor's checks (private to src/doctor/). run() in doctor.cpp calls them in order; each
// returns one Check and records in the Context what later checks need. A check whose
// precondition failed is Skipped (naming the check that failed); an SKS check on a folder
// without SKS is Ok with "not applicable".
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "doctor/doctor.hpp"
#include "settings/folder_settings.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::doctor::detail {

// Ids and titles, in the order the checks run.
struct CheckName {
  std::string_view id;
  std::string_view title;
};
inline constexpr CheckName kOs{"os", "Operating system"};
inline constexpr CheckName kDataFolder{"data-folder", "Data folder"};
inline constexpr CheckName kConfiguration{"configuration", "Configuration files"};
inline constexpr CheckName kLibrary{"pkcs11-library", "PKCS#11 library"};
inline constexpr CheckName kToken{"token-present", "HSM token present"};
inline constexpr CheckName kLogin{"login", "Login to the token"};
inline constexpr CheckName kKey{"key", "Instance key on the token"};
inline constexpr CheckName kGcm{"gcm", "AES-GCM offered by the token"};
inline constexpr CheckName kChain{"certificate-chain", "Certificate chain"};
inline constexpr CheckName kDecrypt{"decrypt", "Settings files decrypt"};
inline constexpr CheckName kPorts{"ports", "Listening ports"};
inline constexpr CheckName kService{"service", "SSO Connect service"};
inline constexpr CheckName kLog{"log", "Log file"};

Check ok(const CheckName& name, std::string detail);
Check failed(const CheckName& name, std::string detail, std::string fix);
// Not checked because `cause` (the id of an earlier check) failed.
Check skipped(const CheckName& name, std::string_view cause);
// An SKS check on a folder where SKS is off.
Check not_applicable(const CheckName& name);
// What to do about an error: DESIGN.md's advice for its cause, else a pointer to the setting.
std::string fix_for(const Error& error);

// What the checks learn, for the checks after them.
struct Context {
  fs::path folder;
  bool folder_exists = false;     // a directory is there (it may still have failed data-folder)
  bool folder_ok = false;         // data-folder passed
  bool configuration_ok = false;  // configuration passed
  // SKS: Off (no sks.properties, or enabled=false), On (sks is set), or Unknown (sks.properties
  // unreadable or invalid).
  enum class Sks { Off, On, Unknown } sks_state = Sks::Unknown;
  std::optional<sks::SksConfig> sks;
  std::optional<settings::FolderSettings> settings;  // once decrypt passed
  bool service_running = false;
};

// checks_system.cpp
Check check_os();
Check check_service(Context& context);
Check check_log(const Context& context);

// checks_folder.cpp
Check check_data_folder(Context& context);
Check check_configuration(Context& context);

// checks_settings.cpp
Check check_certificate_chain(const Context& context);
Check check_decrypt(Context& context);

// checks_ports.cpp
Check check_ports(const Context& context);

}  // namespace ssoc::doctor::detail
