// The guide's "verify that the Luna client is correctly installed ... login as the Crypto
// Officer ... display the contents of the partition", the hsmusers group, the network path to
// the HSM (errors a, d and f), as five checks on one connection.
#include <grp.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "common/encoding.hpp"
#include "doctor/hsm_probe.hpp"
#include "pkcs11/token.hpp"
#include "sks/diagnosis.hpp"
#include "sks/instance_key.hpp"

namespace ssoc::doctor::detail {
namespace {

constexpr const char* kLunaGroup = "hsmusers";

std::string version_text(const CK_VERSION& version) {
  return std::to_string(version.major) + "." + std::to_string(version.minor);
}

template <std::size_t N>
std::string field(const unsigned char (&text)[N]) {
  return pkcs11::trim_field(text, N);
}

// " This user is not in the hsmusers group ..." when the Luna group exists on this machine and
// the process is not a member of it; "" otherwise.
std::string luna_group_note() {
  const struct group* luna = ::getgrnam(kLunaGroup);
  if (luna == nullptr) return {};
  const gid_t wanted = luna->gr_gid;
  if (::getegid() == wanted) return {};
  const int count = ::getgroups(0, nullptr);
  if (count > 0) {
    std::vector<gid_t> groups(static_cast<std::size_t>(count));
    if (::getgroups(count, groups.data()) == count &&
        std::find(groups.begin(), groups.end(), wanted) != groups.end())
      return {};
  }
  return std::string(" This user is not a member of the ") + kLunaGroup +
         " group, which the Luna client requires (`sudo gpasswd --add <user> " + kLunaGroup +
         "`, then log in again).";
}

std::string free_sessions(const CK_TOKEN_INFO& info) {
  if (info.ulMaxSessionCount == CK_EFFECTIVELY_INFINITE) return "sessions: no limit";
  if (info.ulMaxSessionCount == CK_UNAVAILABLE_INFORMATION ||
      info.ulSessionCount == CK_UNAVAILABLE_INFORMATION ||
      info.ulSessionCount > info.ulMaxSessionCount)
    return "free sessions: not reported";
  return "free sessions: " + std::to_string(info.ulMaxSessionCount - info.ulSessionCount) + " of " +
         std::to_string(info.ulMaxSessionCount);
}

std::string pin_source(const sks::SksConfig& config) {
  switch (config.pin_source) {
    case sks::SksConfig::PinSource::Inline: return "password in sks.properties";
    case sks::SksConfig::PinSource::File: return "password_file " + config.pin_file;
    case sks::SksConfig::PinSource::Env: return "password_env " + config.pin_env;
  }
  return "sks.properties";
}

std::string user_name(pkcs11::UserType type) {
  return type == pkcs11::UserType::CryptoUser ? "the Crypto User" : "the Crypto Officer (CKU_USER)";
}

const std::string kTokenFix =
    "check the network path to the HSM (Luna: TCP 1792 open in both directions), the HSM client "
    "configuration (Luna: `lunacm`, `slot list`) and that the partition exists and is assigned "
    "to this client; token_label, token_serial or slot in sks.properties must name it";

const std::string kPinFix =
    "check the partition password (password, password_file or password_env in sks.properties) "
    "with the HSM's own tool (Luna: lunacm `role login -n co`) and correct it before the next "
    "start: repeated failures lock the partition";

const std::string kLockedFix =
    "ask the HSM administrator to unlock the partition or reset its password";

}  // namespace

Check HsmProbe::fail(const CheckName& name, std::string detail, std::string fix) {
  if (first_failure_.empty()) first_failure_ = name.id;
  return failed(name, std::move(detail), std::move(fix));
}

Check HsmProbe::library() {
  auto loaded = pkcs11::Module::load(config_.module, config_.module_init_args);
  if (!loaded) {
    const Error& error = loaded.error();
    if (error.cause == Cause::HsmUnreachable) {
      // The library is there; it cannot reach its HSM. That is the next check's finding.
      unreachable_ = error;
      return ok(kLibrary, config_.module + " loads (C_Initialize cannot reach the HSM)");
    }
    std::string fix =
        "check `module` in sks.properties, that the HSM client software is installed (Luna: "
        "/usr/safenet/lunaclient/lib/libCryptoki2_64.so) and that this user may read it";
    if (!config_.module_init_args.empty() && error.cause != Cause::ModuleNotFound)
      fix += ", and module_init_args";
    return fail(kLibrary, error.describe() + "." + luna_group_note(), fix);
  }
  module_.emplace(std::move(*loaded));
  auto info = module_->info();
  if (!info)
    return ok(kLibrary, config_.module + " loads; its information is not available (" +
                            info.error().message + ")");
  return ok(kLibrary, config_.module + ": " + field(info->libraryDescription) + " by " +
                          field(info->manufacturerID) + ", version " +
                          version_text(info->libraryVersion) + ", PKCS#11 " +
                          version_text(info->cryptokiVersion));
}

Check HsmProbe::token() {
  if (unreachable_) return fail(kToken, unreachable_->describe(), kTokenFix);
  if (!module_) return skipped(kToken, first_failure_);
  auto slot = pkcs11::find_slot(*module_, config_.token);
  if (!slot) return fail(kToken, slot.error().describe(), kTokenFix);
  auto info = module_->token_info(*slot);
  if (!info) return fail(kToken, info.error().describe(), kTokenFix);
  token_info_ = *info;
  auto session = pkcs11::Session::open(*module_, *slot, false);
  if (!session) {
    const Error& error = session.error();
    return fail(kToken, "the token is present, but no session opens: " + error.describe(),
                error.ck_rv == CKR_SESSION_COUNT
                    ? "the token has no free session: close other applications' sessions or "
                      "raise the partition's session limit"
                    : kTokenFix);
  }
  session_.emplace(std::move(*session));
  return ok(kToken, "'" + field(info->label) + "' in slot " + std::to_string(*slot) + ": serial " +
                        field(info->serialNumber) + ", model " + field(info->model) + " by " +
                        field(info->manufacturerID) + ", firmware " +
                        version_text(info->firmwareVersion) + ", " + free_sessions(*info));
}

Check HsmProbe::login() {
  if (!session_) return skipped(kLogin, first_failure_);
  auto pin = config_.pin();
  if (!pin)
    return fail(kLogin, pin.error().describe() + "; no login was attempted",
                "set password, password_file or password_env in sks.properties (`ssoconnect "
                "config` does it)");
  // The token's own counters: never spend the last attempt, never try a locked partition.
  const CK_FLAGS flags = token_info_ ? token_info_->flags : 0;
  if (config_.user_type == pkcs11::UserType::User && (flags & CKF_USER_PIN_LOCKED) != 0)
    return fail(kLogin,
                std::string(cause_name(Cause::PinLocked)) +
                    ": the token reports the partition password as locked "
                    "(CKF_USER_PIN_LOCKED); no login was attempted",
                kLockedFix);
  if (config_.user_type == pkcs11::UserType::User && (flags & CKF_USER_PIN_FINAL_TRY) != 0)
    return fail(kLogin,
                "the token reports that one more wrong password locks the partition "
                "(CKF_USER_PIN_FINAL_TRY); no login was attempted",
                "verify the password with the HSM's own tool (Luna: lunacm `role login -n co`), "
                "which resets the count once it succeeds, then run `ssoconnect doctor` again");

  // One attempt, never a retry: a retry loop could lock the partition.
  auto login = session_->login(config_.user_type, *pin);
  if (!login) {
    const Error& error = login.error();
    switch (error.cause) {
      case Cause::PinIncorrect:
        return fail(kLogin,
                    error.describe() +
                        ": the password was refused; no further attempt was made (a retry "
                        "could lock the partition)",
                    kPinFix);
      case Cause::PinLocked: return fail(kLogin, error.describe(), kLockedFix);
      default: return fail(kLogin, error.describe(), fix_for(error));
    }
  }
  logged_in_ = true;
  std::string detail =
      "logged in as " + user_name(config_.user_type) + " with the " + pin_source(config_);
  if ((flags & CKF_USER_PIN_COUNT_LOW) != 0)
    detail += " (the token had counted wrong passwords before)";
  return ok(kLogin, detail);
}

Check HsmProbe::key() {
  if (!logged_in_) return skipped(kKey, first_failure_);
  const std::string name = "'" + config_.key.label + "' (id " + hex_encode(config_.key.id) + ")";
  auto found = sks::find_instance_key(*session_, config_.key);
  if (!found) {
    const Error& error = found.error();
    return fail(kKey, error.describe(),
                error.cause == Cause::KeyMissing
                    ? "was the partition cleared? Restore it from its backup, or re-configure "
                      "SSO Connect (`ssoconnect config`)"
                    : fix_for(error));
  }
  auto sensitive = session_->bool_attribute(*found, CKA_SENSITIVE);
  auto extractable = session_->bool_attribute(*found, CKA_EXTRACTABLE);
  for (const auto* attribute : {&sensitive, &extractable}) {
    if (!*attribute)
      return fail(kKey,
                  "the attributes of " + name + " cannot be read: " + attribute->error().describe(),
                  fix_for(attribute->error()));
  }
  const std::string rotate =
      "make a new key with `ssoconnect sks rotate` (it is created sensitive and never "
      "extractable) and find out who changed this one";
  if (!*sensitive)
    return fail(kKey,
                name +
                    " is not sensitive (CKA_SENSITIVE false): its value can be read "
                    "out of the HSM",
                rotate);
  if (*extractable)
    return fail(kKey,
                name +
                    " is extractable (CKA_EXTRACTABLE true): it can be wrapped out of "
                    "the HSM",
                rotate);
  return ok(kKey, name + ": sensitive, not extractable");
}

Check HsmProbe::gcm() {
  if (!session_) return skipped(kGcm, first_failure_);
  auto mechanisms = module_->mechanisms(session_->slot());
  if (!mechanisms) return fail(kGcm, mechanisms.error().describe(), fix_for(mechanisms.error()));
  if (std::find(mechanisms->begin(), mechanisms->end(), CKM_AES_GCM) == mechanisms->end())
    return fail(kGcm,
                std::string(cause_name(Cause::AlgorithmUnsupported)) +
                    ": CKM_AES_GCM (AES/GCM/NoPadding) is not in the token's mechanism list",
                "check with the device provider (Luna: firmware 6.2 or higher) or use a "
                "partition that offers AES-GCM");
  return ok(kGcm, "CKM_AES_GCM is in the token's mechanism list");
}

}  // namespace ssoc::doctor::detail
