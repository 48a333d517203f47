// `ssoconnect start`: take the service lock, open the data folder (one HSM session), say ready,
// and run until SIGTERM or SIGINT; SIGHUP re-reads the folder and keeps the old settings if
// that fails. (The SSO issue adds the listeners.)
#include <signal.h>

#include <optional>

#include "cli/invocation.hpp"
#include "common/log.hpp"
#include "datadir/folder_check.hpp"
#include "datadir/folder_lock.hpp"
#include "settings/folder_settings.hpp"

namespace ssoc::cli {
namespace {

void log_warnings(const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) log::warn(warning);
}

}  // namespace

int cmd_start(const Invocation& inv) {
  if (!inv.args.empty()) return usage("start takes no arguments");
  // Signals are taken synchronously with sigwait, so block them before anything else runs.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (auto checked = datadir::check_folder(inv.data_dir); !checked) return report(checked.error());
  auto lock = datadir::FolderLock::acquire(inv.data_dir, datadir::FolderLock::Kind::Service);
  if (!lock) return report(lock.error());

  auto opened = settings::open_folder(inv.data_dir);
  if (!opened) return report(opened.error());
  log_warnings(opened->warnings);
  std::optional<settings::FolderSettings> current(std::move(opened).value());
  log::info(std::string("SSO Connect ") + SSOC_VERSION + " ready (data folder " +
            inv.data_dir.string() + (current->sks ? ", Secure Key Storage on" : "") + ")");

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      auto reloaded = settings::open_folder(inv.data_dir);
      if (!reloaded) {
        report(reloaded.error());
        log::warn("the settings were not reloaded; the service keeps running with the old ones");
        continue;
      }
      log_warnings(reloaded->warnings);
      current.emplace(std::move(reloaded).value());
      log::info("settings reloaded");
      continue;
    }
    log::info(std::string("SSO Connect stopping (") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
              ")");
    return 0;
  }
}

}  // namespace ssoc::cli
