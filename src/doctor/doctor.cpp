// The order of the checks and what each needs from the ones before it.
#include "doctor/doctor.hpp"

#include "doctor/checks.hpp"
#include "doctor/hsm_probe.hpp"

namespace ssoc::doctor {

using namespace detail;

namespace {

constexpr const CheckName* kSksChecks[] = {&kLibrary, &kToken, &kLogin, &kKey, &kGcm, &kChain};

// The HSM checks and the certificate chain; returns the id of the first HSM check that failed.
std::string run_sks_checks(Context& context, Report& report) {
  if (context.sks_state != Context::Sks::On) {
    for (const CheckName* name : kSksChecks) {
      report.checks.push_back(context.sks_state == Context::Sks::Off
                                  ? not_applicable(*name)
                                  : skipped(*name, kConfiguration.id));
    }
    return {};
  }
  // One connection for the five HSM checks, closed before the folder is opened for `decrypt`.
  HsmProbe probe(*context.sks);
  report.checks.push_back(probe.library());
  report.checks.push_back(probe.token());
  report.checks.push_back(probe.login());
  report.checks.push_back(probe.key());
  report.checks.push_back(probe.gcm());
  report.checks.push_back(check_certificate_chain(context));
  return probe.first_failure();
}

}  // namespace

Report run(const fs::path& folder) {
  Context context;
  context.folder = folder;
  Report report;
  report.checks.push_back(check_os());
  report.checks.push_back(check_data_folder(context));
  if (!context.folder_exists) {
    for (const CheckName* name : {&kConfiguration, &kLibrary, &kToken, &kLogin, &kKey, &kGcm,
                                  &kChain, &kDecrypt, &kPorts, &kService})
      report.checks.push_back(skipped(*name, kDataFolder.id));
    report.checks.push_back(check_log(context));
    return report;
  }
  report.checks.push_back(check_configuration(context));
  const std::string hsm_failure = run_sks_checks(context, report);

  // decrypt opens the folder as a start-up does; it needs a sound folder and, with SKS, the HSM.
  std::string_view blocked;
  if (!context.folder_ok)
    blocked = kDataFolder.id;
  else if (!context.configuration_ok)
    blocked = kConfiguration.id;
  else if (!hsm_failure.empty())
    blocked = hsm_failure;
  report.checks.push_back(blocked.empty() ? check_decrypt(context) : skipped(kDecrypt, blocked));
  if (blocked.empty() && !context.settings) blocked = kDecrypt.id;

  // ports needs the settings, and whether the service holds the folder.
  Check service = check_service(context);
  report.checks.push_back(blocked.empty() ? check_ports(context) : skipped(kPorts, blocked));
  report.checks.push_back(std::move(service));
  report.checks.push_back(check_log(context));
  return report;
}

}  // namespace ssoc::doctor
