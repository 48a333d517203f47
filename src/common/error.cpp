#include "common/error.hpp"

namespace ssoc {

std::string_view cause_name(Cause cause) {
  switch (cause) {
    case Cause::ModuleNotFound: return "module-not-found";
    case Cause::HsmUnreachable: return "hsm-unreachable";
    case Cause::PinIncorrect: return "pin-incorrect";
    case Cause::PinLocked: return "pin-locked";
    case Cause::DataFolderMissing: return "data-folder-missing";
    case Cause::EncryptedFilesMissing: return "encrypted-files-missing";
    case Cause::KeyMissing: return "key-missing";
    case Cause::DiskFull: return "disk-full";
    case Cause::AlgorithmUnsupported: return "algorithm-unsupported";
    case Cause::CertificateChainMissing: return "certificate-chain-missing";
    case Cause::IntegrityFailure: return "integrity-failure";
    case Cause::PermissionDenied: return "permission-denied";
    case Cause::NotConfigured: return "not-configured";
    case Cause::InvalidSetting: return "invalid-setting";
    case Cause::Usage: return "usage";
    case Cause::FolderBusy: return "folder-busy";
    case Cause::HsmError: return "hsm-error";
    case Cause::InvalidInput: return "invalid-input";
    case Cause::Io: return "io-error";
    case Cause::Internal: return "internal-error";
  }
  return "internal-error";
}

bool is_sks_cause(Cause cause) {
  return cause <= Cause::PermissionDenied;
}

int exit_status(Cause cause) {
  if (is_sks_cause(cause)) return 3;
  if (cause == Cause::NotConfigured || cause == Cause::InvalidSetting) return 4;
  if (cause == Cause::Usage) return 2;
  return 1;
}

std::string Error::describe() const {
  std::string out(cause_name(cause));
  out += ": ";
  out += message;
  return out;
}

Error fail(Cause cause, std::string message) {
  return Error{cause, std::move(message), std::nullopt};
}

}  // namespace ssoc
