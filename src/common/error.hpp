// Errors as values: what went wrong (a cause from DESIGN.md), what happened, what to do.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ssoc {

// The causes of DESIGN.md's "Failure diagnosis" table come first; each maps to the exit status
// and the wording that operators and monitoring rely on.
enum class Cause {
  // Secure Key Storage failures: exit status 3.
  ModuleNotFound,
  HsmUnreachable,
  PinIncorrect,
  PinLocked,
  DataFolderMissing,
  EncryptedFilesMissing,
  KeyMissing,
  DiskFull,
  AlgorithmUnsupported,
  CertificateChainMissing,
  IntegrityFailure,
  PermissionDenied,
  // Configuration failures: exit status 4.
  NotConfigured,
  InvalidSetting,
  // Usage errors: exit status 2.
  Usage,
  // Everything else: exit status 1.
  FolderBusy,
  HsmError,
  InvalidInput,
  Io,
  Internal,
};

// The lower-case, hyphenated name used in log lines, e.g. "key-missing".
std::string_view cause_name(Cause cause);

// True for the causes of DESIGN.md's SKS table.
bool is_sks_cause(Cause cause);

// The process exit status DESIGN.md assigns to a failure with this cause.
int exit_status(Cause cause);

struct Error {
  Cause cause = Cause::Internal;
  // What happened and what to do. Never holds a PIN, key, password or assertion.
  std::string message;
  // The PKCS#11 return value behind the error, when there is one.
  std::optional<unsigned long> ck_rv;

  // "<cause>: <message>", the form used in log lines.
  std::string describe() const;
};

// Builds an Error; keeps call sites short: `return fail(Cause::Io, "...")`.
Error fail(Cause cause, std::string message);

}  // namespace ssoc
