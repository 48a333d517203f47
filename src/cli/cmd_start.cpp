// `ssoconnect start`: take the service lock, open the data folder (one HSM session), start the
// SSO service on bind_address:bind_port, and run until SIGTERM or SIGINT, which stop it
// gracefully (logins in flight finish). SIGHUP re-reads the folder and swaps the new settings
// in, keeping the old ones if that fails. A folder whose SSO settings are not there yet (no
// keystore, no IdP metadata) still starts, says so, and begins serving at the SIGHUP that
// follows `ssoconnect config`.
//
// The HSM is used at start and at each SIGHUP only, never while serving a login: an HSM lost
// while the service runs stops no login; a reload that cannot reach it keeps the old settings,
// and the next SIGHUP (sent by a `config` that worked) tries again with a re-initialised module.
#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <optional>

#include "cli/invocation.hpp"
#include "common/log.hpp"
#include "datadir/folder_check.hpp"
#include "datadir/folder_lock.hpp"
#include "service/service.hpp"
#include "settings/folder_settings.hpp"
#include "sks/hsm_deadline.hpp"

namespace ssoc::cli {
namespace {

constexpr std::string_view kDatabase = "ssoconnect.db";

void log_warnings(const std::vector<std::string>& warnings) {
  for (const std::string& warning : warnings) log::warn(warning);
}

std::int64_t now() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

// The service of a running `start`: absent until the SSO settings are complete.
class Running {
 public:
  explicit Running(const fs::path& folder) : folder_(folder) {}

  // Applies freshly opened settings: starts the service, or swaps its configuration.
  // NotConfigured is not an error here: the service waits for the settings.
  Result<void> apply(const settings::FolderSettings& settings) {
    auto config = service::read_service_config(folder_, settings, now());
    if (!config) {
      if (config.error().cause != Cause::NotConfigured) return std::move(config).error();
      log::warn("the SSO service is not configured yet: " + config.error().message);
      return success();
    }
    auto shared = std::make_shared<const service::ServiceConfig>(std::move(config).value());
    if (service_) {
      service_->reload(shared);
      return success();
    }
    auto store = TRY(store::Store::open(folder_ / kDatabase));
    service_ = TRY(service::Service::start(shared, std::move(store)));
    log::info("SSO service listening on " + shared->bind_address + ":" +
              std::to_string(service_->port()) + " for " + shared->external_url);
    return success();
  }

  void stop() {
    if (service_) service_->stop(std::chrono::seconds(10));
  }

 private:
  fs::path folder_;
  std::unique_ptr<service::Service> service_;
};

// The exit of `start`. A connection attempt abandoned at its deadline (an HSM that never answers)
// may still be inside the PKCS#11 module: then the process ends at once, without running static
// destructors (the module's among them) under that thread.
int leave(int status) {
  if (sks::hsm_attempt_abandoned()) ::_exit(status);
  return status;
}

int serve(const Invocation& inv) {
  if (!inv.args.empty()) return usage("start takes no arguments");
  // Signals are taken synchronously with sigwait, so block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client that goes away mid-write must not kill the service.
  signal(SIGPIPE, SIG_IGN);

  if (auto checked = datadir::check_folder(inv.data_dir); !checked) return report(checked.error());
  auto lock = datadir::FolderLock::acquire(inv.data_dir, datadir::FolderLock::Kind::Service);
  if (!lock) return report(lock.error());

  auto opened = settings::open_folder(inv.data_dir);
  if (!opened) return report(opened.error());
  log_warnings(opened->warnings);
  Running running(inv.data_dir);
  if (auto applied = running.apply(*opened); !applied) return report(applied.error());
  bool sks_on = opened->sks.has_value();
  // The decrypted settings are not kept beyond what the service took from them.
  opened = Result<settings::FolderSettings>(fail(Cause::Internal, "released"));
  log::info(std::string("SSO Connect ") + SSOC_VERSION + " ready (data folder " +
            inv.data_dir.string() + (sks_on ? ", Secure Key Storage on" : "") + ")");

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      auto reloaded = settings::open_folder(inv.data_dir);
      Result<void> applied = reloaded ? running.apply(*reloaded) : Result<void>(reloaded.error());
      if (!applied) {
        report(applied.error());
        log::warn("the settings were not reloaded; the service keeps running with the old ones");
        continue;
      }
      log_warnings(reloaded->warnings);
      log::info("settings reloaded");
      continue;
    }
    log::info(std::string("SSO Connect stopping (") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") +
              ")");
    running.stop();
    return 0;
  }
}

}  // namespace

int cmd_start(const Invocation& inv) {
  return leave(serve(inv));
}

}  // namespace ssoc::cli
