// What every command gets: the data folder, its remaining arguments, and the shared way to turn
// an Error into the one log line and exit status of DESIGN.md.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace ssoc::cli {

namespace fs = std::filesystem;

struct Invocation {
  fs::path data_dir;
  std::vector<std::string> args;  // after the command name
};

// Logs `error` as one ERROR line (DESIGN.md's SKS form for SKS causes) and returns its exit status.
int report(const Error& error);

// Usage text on stderr; returns 2.
int usage(const std::string& problem);

// The pid written in the folder's service lock, or 0.
int service_pid(const fs::path& data_dir);

// After a change of the folder: SIGHUP to a running service, which re-reads the folder.
void ask_service_to_reload(const fs::path& data_dir);

int cmd_start(const Invocation& inv);
int cmd_status(const Invocation& inv);
int cmd_config(const Invocation& inv);
int cmd_doctor(const Invocation& inv);
int cmd_backup(const Invocation& inv);
int cmd_restore(const Invocation& inv);
int cmd_sks(const Invocation& inv);
int cmd_users(const Invocation& inv);
int cmd_login(const Invocation& inv);
int cmd_demo(const Invocation& inv);

}  // namespace ssoc::cli
