#include "sks/diagnosis.hpp"

namespace ssoc::sks {

std::string_view advice(Cause cause) {
  switch (cause) {
    case Cause::ModuleNotFound:
      return "Check the module path in sks.properties, that the HSM client software is "
             "installed, and that this user may read it (Luna: member of the hsmusers group).";
    case Cause::HsmUnreachable:
      return "Check the network path to the HSM (Luna: TCP 1792), the HSM client configuration "
             "and that the token or partition is present; `ssoconnect doctor` checks each step.";
    case Cause::PinIncorrect:
      return "Check the partition password (password, password_file or password_env in "
             "sks.properties); fix it before retrying, as repeated failures lock the partition.";
    case Cause::PinLocked:
      return "Ask the HSM administrator to unlock the partition or reset its password.";
    case Cause::DataFolderMissing:
      return "Restore the data folder from a backup, or re-configure SSO Connect with "
             "`ssoconnect config`.";
    case Cause::EncryptedFilesMissing:
      return "Check for instance.encp and shared.encp in the data folder; restore them from a "
             "backup, or re-configure SSO Connect.";
    case Cause::KeyMissing:
      return "Did somebody clear the HSM partition? Restore the partition from its backup, or "
             "re-configure SSO Connect.";
    case Cause::DiskFull:
      return "Free some disk space and try again; nothing already on disk was changed.";
    case Cause::AlgorithmUnsupported:
      return "The algorithm is AES/GCM/NoPadding (CKM_AES_GCM); check with the device provider.";
    case Cause::CertificateChainMissing:
      return "A key cannot be stored without the certificate chain: put the keystore (e.g. "
             "sso_keystore.p12) in the data folder or set cert_chain_file, with its password.";
    case Cause::IntegrityFailure:
      return "Restore the file from a backup of this folder made with the same HSM key, or "
             "re-configure SSO Connect.";
    case Cause::PermissionDenied:
      return "Give the service's user ownership of the data folder (mode 0700, files 0600).";
    default: return "Run `ssoconnect doctor` for a step-by-step check.";
  }
}

std::string failure_line(const Error& error) {
  std::string line = "Unable to use Secure Key Storage: ";
  line += cause_name(error.cause);
  line += ": ";
  std::string_view message = error.message;
  while (!message.empty() && (message.back() == '.' || message.back() == ' '))
    message.remove_suffix(1);
  line += message;
  line += ". ";
  line += advice(error.cause);
  return line;
}

}  // namespace ssoc::sks
