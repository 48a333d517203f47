// The data folder and the configuration files in it (the guide's "verify that the app has
// read/write permissions to the data folder", "verify that you don't have a partial
// configuration", and errors b, c and e). Nothing here changes the folder.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "datadir/file_io.hpp"
#include "datadir/folder_check.hpp"
#include "datadir/properties.hpp"
#include "doctor/checks.hpp"
#include "settings/layout.hpp"
#include "sks/diagnosis.hpp"

namespace ssoc::doctor::detail {
namespace {

constexpr unsigned long long kMinFreeBytes = 10ull << 20;

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string size_text(unsigned long long bytes) {
  char text[32];
  if (bytes >= (1ull << 30))
    std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1ull << 30));
  else
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(bytes) / (1ull << 20));
  return text;
}

bool present(const fs::path& path) {
  std::error_code ec;
  return fs::exists(fs::symlink_status(path, ec));
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += separator;
    text += part;
  }
  return text;
}

// What the configuration check found wrong: what and what to do.
struct Problem {
  std::string what;
  std::string fix;
};

// Leftovers of an interrupted change: the journal, staged ".next" files, temporary files.
void find_interrupted_change(const fs::path& folder, std::vector<Problem>& problems) {
  const std::string recover =
      "`ssoconnect start` (or any command that opens the folder) completes or rolls back an "
      "interrupted change automatically; do not delete these files by hand";
  if (present(folder / settings::kJournal))
    problems.push_back(
        {"an interrupted configuration change is left (" + std::string(settings::kJournal) + ")",
         recover});
  std::vector<std::string> staged, temporary;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.ends_with(settings::kStagedSuffix)) staged.push_back(name);
    if (name.starts_with(".") && name.find(".tmp-") != std::string::npos) temporary.push_back(name);
  }
  if (!staged.empty())
    problems.push_back(
        {"files staged by an unfinished change are left (" + join(staged, ", ") + ")", recover});
  if (!temporary.empty())
    problems.push_back(
        {"temporary files of an interrupted write are left (" + join(temporary, ", ") + ")",
         recover});
}

// Reads sks.properties into the context: Off when absent or enabled=false, On, or Unknown.
void read_sks_properties(Context& context, std::vector<Problem>& problems) {
  const fs::path file = context.folder / settings::kSksProperties;
  if (!present(file)) {
    context.sks_state = Context::Sks::Off;
    return;
  }
  auto config = [&]() -> Result<sks::SksConfig> {
    SecretBytes text = TRY(datadir::read_file(file));
    datadir::Properties properties =
        TRY(datadir::Properties::parse(text, settings::kSksProperties));
    return sks::SksConfig::from_properties(properties);
  }();
  if (!config) {
    context.sks_state = Context::Sks::Unknown;
    problems.push_back(
        {std::string(settings::kSksProperties) + " cannot be used: " + config.error().describe(),
         "correct it, or run `ssoconnect config` again"});
    return;
  }
  if (!config->enabled) {
    context.sks_state = Context::Sks::Off;
    return;
  }
  context.sks_state = Context::Sks::On;
  context.sks = std::move(*config);
}

// The settings files must be of exactly one kind: both .encp with SKS on, both .properties
// with SKS off. Returns what is in use, for the detail.
std::string check_settings_kind(const Context& context, std::vector<Problem>& problems) {
  const fs::path& folder = context.folder;
  const bool sks_on = context.sks_state == Context::Sks::On;
  const std::string_view wanted[2] = {
      sks_on ? settings::kInstanceEncp : settings::kInstanceProperties,
      sks_on ? settings::kSharedEncp : settings::kSharedProperties};
  const std::string_view other[2] = {
      sks_on ? settings::kInstanceProperties : settings::kInstanceEncp,
      sks_on ? settings::kSharedProperties : settings::kSharedEncp};
  std::vector<std::string> missing, stray;
  for (std::string_view name : wanted) {
    if (!present(folder / name)) missing.emplace_back(name);
  }
  for (std::string_view name : other) {
    if (present(folder / name)) stray.emplace_back(name);
  }
  if (sks_on) {
    if (!missing.empty())
      problems.push_back(
          {std::string(cause_name(Cause::EncryptedFilesMissing)) +
               ": sks.properties says Secure Key Storage is on, but " + join(missing, " and ") +
               (missing.size() > 1 ? " are" : " is") + " missing",
           "restore " + join(missing, " and ") +
               " from a backup of this folder, or re-configure SSO Connect (`ssoconnect config`)"});
    if (!stray.empty())
      problems.push_back({"plaintext settings (" + join(stray, ", ") +
                              ") lie beside the encrypted ones, which are in use",
                          "delete " + join(stray, " and ") +
                              " once the encrypted settings are known to open: they hold "
                              "secrets in plaintext"});
    return "Secure Key Storage is on: sks.properties, instance.encp and shared.encp";
  }
  if (missing.size() == 2 && stray.empty()) {
    problems.push_back({"SSO Connect is not configured: neither settings file is present",
                        "run `ssoconnect config`, or restore the folder from a backup"});
  } else if (!missing.empty()) {
    problems.push_back(
        {join(missing, " and ") + (missing.size() > 1 ? " are" : " is") + " missing" +
             (stray.empty() ? ""
                            : ", and " + join(stray, " and ") +
                                  " lie there without sks.properties enabling SKS"),
         stray.empty()
             ? "restore " + join(missing, " and ") + " from a backup, or run `ssoconnect config`"
             : "restore sks.properties (it says how to reach the HSM) from a backup "
               "of this folder, or re-configure SSO Connect"});
  } else if (!stray.empty()) {
    problems.push_back({"encrypted settings (" + join(stray, ", ") +
                            ") lie beside the plaintext ones, which are in use",
                        "if Secure Key Storage should be on, restore sks.properties from a "
                        "backup of this folder; if it should be off, move " +
                            join(stray, " and ") + " away (they are not read)"});
  }
  return "Secure Key Storage is off: instance.properties and shared.properties";
}

}  // namespace

Check check_data_folder(Context& context) {
  const fs::path& folder = context.folder;
  auto warnings = datadir::check_folder(folder);
  std::error_code ec;
  context.folder_exists = fs::is_directory(folder, ec);
  if (!warnings) {
    const Error& error = warnings.error();
    if (error.cause == Cause::DataFolderMissing)
      return failed(kDataFolder, error.describe(),
                    "restore it from a backup or run `ssoconnect config`");
    return failed(kDataFolder, error.describe(), fix_for(error));
  }
  if (::faccessat(AT_FDCWD, folder.c_str(), W_OK, AT_EACCESS) != 0) {
    const int err = errno;
    return failed(kDataFolder,
                  std::string(cause_name(Cause::PermissionDenied)) + ": " + folder.string() +
                      " is not writable by this user: " + std::strerror(err),
                  std::string(sks::advice(Cause::PermissionDenied)));
  }
  struct statvfs space {};
  if (::statvfs(folder.c_str(), &space) != 0) {
    const int err = errno;
    return failed(kDataFolder,
                  "cannot find the free space of " + folder.string() + ": " + std::strerror(err),
                  "check the file system of the data folder");
  }
  const unsigned long long free_bytes =
      static_cast<unsigned long long>(space.f_bavail) * space.f_frsize;
  if (free_bytes < kMinFreeBytes)
    return failed(kDataFolder,
                  std::string(cause_name(Cause::DiskFull)) + ": only " + size_text(free_bytes) +
                      " free on the file system of " + folder.string() + " (at least " +
                      size_text(kMinFreeBytes) + " needed)",
                  "free some disk space");
  struct stat st {};
  ::stat(folder.c_str(), &st);
  std::string detail = folder.string() + ": owned by this user, mode " + octal(st.st_mode) +
                       ", no file writable by others, writable, " + size_text(free_bytes) + " free";
  if (!warnings->empty()) detail += "; warning: " + join(*warnings, "; warning: ");
  context.folder_ok = true;
  return ok(kDataFolder, detail);
}

Check check_configuration(Context& context) {
  std::vector<Problem> problems;
  find_interrupted_change(context.folder, problems);
  read_sks_properties(context, problems);
  std::string in_use;
  if (context.sks_state != Context::Sks::Unknown) in_use = check_settings_kind(context, problems);
  if (problems.empty()) {
    context.configuration_ok = true;
    return ok(kConfiguration, in_use + "; no interrupted change");
  }
  std::vector<std::string> what, fix;
  for (const Problem& problem : problems) {
    what.push_back(problem.what);
    if (std::find(fix.begin(), fix.end(), problem.fix) == fix.end()) fix.push_back(problem.fix);
  }
  return failed(kConfiguration, join(what, "; "), join(fix, "; "));
}

}  // namespace ssoc::doctor::detail
