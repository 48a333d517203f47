// Informational checks: the operating system (the guide's "verify that the server is
// appropriate"), whether a service runs on the folder, and the last Secure Key Storage error in
// the log (the guide's "check the log file for errors").
#include <sys/utsname.h>

#include <algorithm>
#include <fstream>
#include <string>

#include "datadir/file_io.hpp"
#include "datadir/folder_lock.hpp"
#include "doctor/checks.hpp"

namespace ssoc::doctor::detail {
namespace {

constexpr std::string_view kSksErrorMark = "Unable to use Secure Key Storage";
constexpr std::streamoff kLogTail = 1 << 20;  // the part of the log that is searched
constexpr std::size_t kMaxShownLine = 400;

// PRETTY_NAME from /etc/os-release (else NAME VERSION), without its quotes.
std::string os_release_name() {
  std::ifstream in("/etc/os-release");
  std::string line, pretty, name, version;
  const auto value = [](std::string text) {
    if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
        text.back() == text.front())
      text = text.substr(1, text.size() - 2);
    return text;
  };
  while (std::getline(in, line)) {
    if (line.starts_with("PRETTY_NAME=")) pretty = value(line.substr(12));
    if (line.starts_with("NAME=")) name = value(line.substr(5));
    if (line.starts_with("VERSION=")) version = value(line.substr(8));
  }
  if (!pretty.empty()) return pretty;
  if (!name.empty()) return version.empty() ? name : name + " " + version;
  return "unknown distribution (no /etc/os-release)";
}

// The pid a running service wrote into its lock file, if it is readable.
std::string service_pid(const fs::path& folder) {
  auto text = datadir::read_file(folder / "service.lock", 64);
  if (!text) return {};
  std::string pid(as_text(*text));
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) return {};
  return pid;
}

// DESIGN.md: the log goes to logs/ssoconnect.log beside the data folder.
fs::path log_file(const fs::path& folder) {
  fs::path normal = folder.lexically_normal();
  if (!normal.has_filename()) normal = normal.parent_path();  // "data/" -> "data"
  return normal.parent_path() / "logs" / "ssoconnect.log";
}

// The last line of the file's tail holding `mark`, or "" if none.
std::string last_line_with(const fs::path& file, std::string_view mark) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size > kLogTail)
    in.seekg(size - kLogTail);
  else
    in.seekg(0);
  std::string line, found;
  while (std::getline(in, line)) {
    if (line.find(mark) != std::string::npos) found = line;
  }
  if (!found.empty() && found.back() == '\r') found.pop_back();
  if (found.size() > kMaxShownLine) found = found.substr(0, kMaxShownLine) + "...";
  return found;
}

}  // namespace

Check check_os() {
  std::string detail = os_release_name();
  struct utsname system {};
  if (::uname(&system) == 0)
    detail += ", " + std::string(system.sysname) + " " + system.release + " " + system.machine;
  return ok(kOs, detail);
}

Check check_service(Context& context) {
  auto held = datadir::FolderLock::is_held(context.folder, datadir::FolderLock::Kind::Service);
  if (!held) return ok(kService, "could not tell whether a service runs: " + held.error().message);
  context.service_running = *held;
  if (!*held) return ok(kService, "no SSO Connect service is running on this data folder");
  std::string pid = service_pid(context.folder);
  return ok(kService, "an SSO Connect service is running on this data folder" +
                          (pid.empty() ? std::string() : " (pid " + pid + ")"));
}

Check check_log(const Context& context) {
  const fs::path file = log_file(context.folder);
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return ok(kLog, "no log file at " + file.string() + " yet");
  std::ifstream probe(file);
  if (!probe) return ok(kLog, "the log file " + file.string() + " cannot be read");
  std::string line = last_line_with(file, kSksErrorMark);
  if (line.empty())
    return ok(kLog, "no \"" + std::string(kSksErrorMark) + "\" error in " + file.string());
  return ok(kLog, "the last Secure Key Storage error in " + file.string() + ": " + line);
}

}  // namespace ssoc::doctor::detail
