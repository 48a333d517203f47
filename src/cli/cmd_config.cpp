// `ssoconnect config` (and -config, -disableSKS): the wizard, its answers file, and turning SKS
// off. A running service is asked to reload (SIGHUP) after a change. A change that cannot reach
// the HSM fails with hsm-unreachable before anything is written, and the running service keeps
// its settings; the same change works once the HSM is back.
#include <signal.h>
#include <unistd.h>

#include <cstdio>

#include "cli/invocation.hpp"
#include "common/log.hpp"
#include "config/wizard.hpp"
#include "datadir/file_io.hpp"
#include "settings/folder_changes.hpp"
#include "sks/hsm_deadline.hpp"

namespace ssoc::cli {

void ask_service_to_reload(const fs::path& data_dir) {
  int pid = service_pid(data_dir);
  if (pid > 0 && ::kill(pid, SIGHUP) == 0)
    log::info("asked the running service (pid " + std::to_string(pid) + ") to reload");
}

int service_pid(const fs::path& data_dir) {
  auto text = datadir::read_file(data_dir / "service.lock", 64);
  if (!text) return 0;
  try {
    return std::stoi(std::string(as_text(*text)));
  } catch (...) {
    return 0;
  }
}

namespace {

int change(const Invocation& inv) {
  bool disable = false, delete_key = false;
  std::optional<fs::path> answers;
  for (std::size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& arg = inv.args[i];
    if (arg == "--disable-sks")
      disable = true;
    else if (arg == "--delete-key")
      delete_key = true;
    else if (arg == "--answers" && i + 1 < inv.args.size())
      answers = inv.args[++i];
    else
      return usage("config: unknown argument '" + arg + "'");
  }
  if (delete_key && !disable) return usage("config: --delete-key goes with --disable-sks");
  if (disable && answers) return usage("config: --disable-sks and --answers do not go together");

  if (disable) {
    auto done = settings::disable_sks(inv.data_dir, delete_key);
    if (!done) return report(done.error());
    for (const std::string& warning : *done) log::warn(warning);
    log::info(std::string("Secure Key Storage is off: the settings are back in .properties files") +
              (delete_key ? " and the HSM key was destroyed" : "; the HSM key was kept"));
    ask_service_to_reload(inv.data_dir);
    return 0;
  }
  Result<config::Outcome> outcome = answers ? config::apply_answers(inv.data_dir, *answers) : [&] {
    auto console = config::terminal_console();
    return config::run_wizard(inv.data_dir, *console);
  }();
  if (!outcome) return report(outcome.error());
  for (const std::string& message : outcome->messages) log::info(message);
  if (outcome->changed) {
    log::info("configuration saved");
    ask_service_to_reload(inv.data_dir);
  } else {
    log::info("nothing changed");
  }
  return 0;
}

}  // namespace

int cmd_config(const Invocation& inv) {
  int status = change(inv);
  // A connection attempt abandoned at its deadline may still be inside the PKCS#11 module: end
  // without running static destructors under it (see sks/hsm_deadline.hpp).
  if (sks::hsm_attempt_abandoned()) ::_exit(status);
  return status;
}

}  // namespace ssoc::cli
