#include "cli/cli.hpp"

#include <sys/prctl.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <optional>

#include "cli/invocation.hpp"
#include "common/log.hpp"
#include "datadir/file_io.hpp"
#include "datadir/folder_check.hpp"
#include "sks/diagnosis.hpp"

namespace ssoc::cli {
namespace {

constexpr const char* kUsage =
    "usage: ssoconnect [--data-dir DIR] [--log-file FILE] COMMAND [ARGS]\n"
    "commands:\n"
    "  config [--answers FILE]          configuration wizard (or unattended from FILE)\n"
    "  config --disable-sks [--delete-key]   decrypt the settings and stop using the HSM\n"
    "  start                            run the service in the foreground\n"
    "  status                           the /ping JSON of the running service or the folder\n"
    "  doctor [--json]                  the troubleshooting checklist\n"
    "  backup --out FILE | restore FILE consistent backup / safe restore\n"
    "  sks rotate                       new HSM key, settings re-encrypted, old key destroyed\n"
    "  users list | show ID | delete ID the users known to this connector\n"
    "  login --server URL [--out FILE]  reference vault client: SSO login in a browser\n"
    "  demo                             a complete local setup on SoftHSM2 and a test IdP\n"
    "-config and -disableSKS are the original product's spellings of config and\n"
    "config --disable-sks. The data folder defaults to $SSOCONNECT_DATA, else\n"
    "$HOME/sso_connect/data; the log goes to <data>/../logs/ssoconnect.log.\n";

fs::path default_data_dir() {
  if (const char* env = std::getenv("SSOCONNECT_DATA"); env != nullptr && *env != '\0') return env;
  const char* home = std::getenv("HOME");
  return fs::path(home != nullptr ? home : ".") / "sso_connect" / "data";
}

// The log file beside the data folder (DESIGN.md), when its parent exists.
void open_log_file(const fs::path& data_dir, const std::optional<fs::path>& explicit_file) {
  fs::path file;
  if (explicit_file) {
    file = *explicit_file;
  } else {
    fs::path parent = fs::absolute(data_dir).lexically_normal().parent_path();
    std::error_code ec;
    if (!fs::is_directory(parent, ec)) return;
    if (!datadir::create_folder(parent / "logs")) return;
    file = parent / "logs" / "ssoconnect.log";
  }
  if (!log::set_file(file))
    log::warn("cannot open the log file " + file.string() + "; logging to stderr only");
}

using Command = int (*)(const Invocation&);

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table = {
      {"start", cmd_start},   {"status", cmd_status}, {"config", cmd_config},
      {"doctor", cmd_doctor}, {"backup", cmd_backup}, {"restore", cmd_restore},
      {"sks", cmd_sks},       {"users", cmd_users},   {"login", cmd_login},
      {"demo", cmd_demo},
  };
  return table;
}

int dispatch(int argc, char** argv) {
  Invocation inv;
  std::optional<fs::path> log_file;
  std::optional<fs::path> data_dir;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if ((arg == "--data-dir" || arg == "--log-file") && i + 1 < argc) {
      (arg == "--data-dir" ? data_dir : log_file) = argv[++i];
    } else if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (arg == "--version") {
      std::printf("SSO Connect %s\n", SSOC_VERSION);
      return 0;
    } else {
      break;
    }
  }
  if (i >= argc) return usage("no command given");
  std::string name = argv[i++];
  for (; i < argc; ++i) inv.args.emplace_back(argv[i]);
  // The original product's spellings.
  if (name == "-config") name = "config";
  if (name == "-disableSKS") {
    name = "config";
    inv.args.insert(inv.args.begin(), "--disable-sks");
  }
  auto command = commands().find(name);
  if (command == commands().end()) {
    return usage("unknown command '" + name + "'");
  }
  inv.data_dir = data_dir ? *data_dir : default_data_dir();
  open_log_file(inv.data_dir, log_file);
  return command->second(inv);
}

}  // namespace

int report(const Error& error) {
  if (is_sks_cause(error.cause))
    log::error(sks::failure_line(error));
  else
    log::error(std::string(cause_name(error.cause)) + ": " + error.message);
  return exit_status(error.cause);
}

int usage(const std::string& problem) {
  std::fprintf(stderr, "ssoconnect: %s\n%s", problem.c_str(), kUsage);
  return 2;
}

int run(int argc, char** argv) {
  // Settings, keys and master passwords live in this process's memory: no core dumps, no
  // ptrace by other processes of the same user.
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  try {
    return dispatch(argc, argv);
  } catch (const std::exception& e) {
    log::error(std::string("internal error: ") + e.what());
    return 1;
  }
}

}  // namespace ssoc::cli
