// The maintenance commands: doctor, backup, restore, sks rotate.
#include <cstdio>

#include "backup/backup.hpp"
#include "cli/invocation.hpp"
#include "common/log.hpp"
#include "datadir/folder_lock.hpp"
#include "doctor/doctor.hpp"
#include "settings/folder_changes.hpp"

namespace ssoc::cli {

int cmd_doctor(const Invocation& inv) {
  bool json = inv.args.size() == 1 && inv.args[0] == "--json";
  if (!inv.args.empty() && !json) return usage("doctor: the only option is --json");
  doctor::Report report = doctor::run(inv.data_dir);
  std::fputs((json ? report.to_json() + "\n" : report.to_text()).c_str(), stdout);
  return report.all_ok() ? 0 : 1;
}

int cmd_backup(const Invocation& inv) {
  if (inv.args.size() != 2 || inv.args[0] != "--out") return usage("backup --out FILE");
  auto done = backup::create(inv.data_dir, inv.args[1]);
  if (!done) return report(done.error());
  for (const std::string& warning : done->warnings) log::warn(warning);
  log::info("backup written to " + inv.args[1] + " (" + std::to_string(done->files.size()) +
            " files)");
  return 0;
}

int cmd_restore(const Invocation& inv) {
  if (inv.args.size() != 1) return usage("restore FILE");
  auto done = backup::restore(inv.data_dir, inv.args[0]);
  if (!done) {
    // An archive that fails its checks is not an HSM problem: no "Secure Key Storage" prefix.
    if (done.error().cause == Cause::IntegrityFailure) {
      log::error("restore refused: " + done.error().describe());
      return exit_status(done.error().cause);
    }
    return report(done.error());
  }
  for (const std::string& message : *done) log::info(message);
  log::info("restored " + inv.data_dir.string() + " from " + inv.args[0] + "; it opens");
  return 0;
}

int cmd_sks(const Invocation& inv) {
  if (inv.args.size() != 1 || inv.args[0] != "rotate") return usage("sks rotate");
  auto rotated = settings::rotate_key(inv.data_dir);
  if (!rotated) return report(rotated.error());
  log::info("the settings are now sealed with the new HSM key '" + rotated->label +
            "'; the old key was destroyed");
  ask_service_to_reload(inv.data_dir);
  return 0;
}

}  // namespace ssoc::cli
