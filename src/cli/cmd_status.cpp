// `ssoconnect status`: DESIGN.md's /ping JSON for the folder. While the service runs (its lock
// is held) "sso" and "configuration" say Running; the other fields come from the folder.
#include <cstdio>

#include "cli/invocation.hpp"
#include "common/json.hpp"
#include "datadir/folder_lock.hpp"
#include "settings/folder_settings.hpp"

namespace ssoc::cli {

int cmd_status(const Invocation& inv) {
  if (!inv.args.empty()) return usage("status takes no arguments");
  auto held = datadir::FolderLock::is_held(inv.data_dir, datadir::FolderLock::Kind::Service);
  bool running = held && *held;
  auto opened = settings::open_folder(inv.data_dir);
  std::string status = "Ready";
  std::string cause;
  if (!opened) {
    status = opened.error().cause == Cause::NotConfigured ? "NotConfigured" : "Error";
    cause = cause_name(opened.error().cause);
  }
  bool sks_on = opened && opened->sks;
  std::string state = running ? "Running" : "Stopped";
  std::string json = "{\"status\":" + json_string(status) + ",\"sso\":" + json_string(state) +
                     ",\"configuration\":" + json_string(state) +
                     ",\"version\":" + json_string(SSOC_VERSION) +
                     ",\"sync_revision\":0,\"sync\":\"\",\"sks\":{" +
                     "\"enabled\":" + (sks_on ? "true" : "false") +
                     ",\"key_label\":" + json_string(sks_on ? opened->sks->key.label : "") + "}";
  if (!cause.empty()) json += ",\"error\":" + json_string(cause);
  json += "}";
  std::printf("%s\n", json.c_str());
  if (!opened && opened.error().cause != Cause::NotConfigured) return report(opened.error());
  return 0;
}

}  // namespace ssoc::cli
