// sks.properties (DESIGN.md "Properties files", sks keys): how to reach the HSM and which key
// protects the folder. Never holds a key; holds the PIN only if the administrator chose so.
//
// Keys beyond DESIGN.md's list (documented in docs/secure-key-storage.md):
//   key_id            hex CKA_ID of the key (with key_label it names the key exactly)
//   module_init_args  C_Initialize pReserved string, for modules that need one (NSS softokn)
//   hsm_timeout       seconds (1..300, default 10) that reaching the HSM may take: module
//                     initialisation, token, session and login, retries included
//                     (hsm_connection.hpp); past it the HSM counts as unreachable
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "common/secret.hpp"
#include "datadir/properties.hpp"
#include "pkcs11/session.hpp"
#include "pkcs11/token.hpp"
#include "sks/instance_key.hpp"
#include "sks/iv_mode.hpp"

namespace ssoc::sks {

struct SksConfig {
  enum class PinSource { Inline, File, Env };

  static constexpr std::chrono::seconds kDefaultHsmTimeout{10};
  static constexpr std::chrono::seconds kMaxHsmTimeout{300};

  bool enabled = false;
  std::string instance_id;
  std::string module;
  std::string module_init_args;
  pkcs11::TokenSelector token;
  pkcs11::UserType user_type = pkcs11::UserType::User;
  PinSource pin_source = PinSource::Inline;
  SecretBytes pin_inline;         // password=
  std::string pin_file;           // password_file=
  std::string pin_env;            // password_env=
  std::optional<IvMode> iv_mode;  // nullopt: auto (detected when the key is made)
  KeyRef key;                     // empty until a key exists
  std::string cert_chain_file;
  SecretBytes cert_chain_password;
  std::chrono::seconds hsm_timeout = kDefaultHsmTimeout;  // hsm_timeout=

  // InvalidSetting naming the key for anything missing or malformed.
  static Result<SksConfig> from_properties(const datadir::Properties& properties);
  datadir::Properties to_properties() const;

  // The PIN from where the settings say: inline, a file (must be 0600 or stricter and owned by
  // this user; one trailing newline is dropped) or an environment variable.
  Result<SecretBytes> pin() const;
};

// instance_id is 12 decimal digits (DESIGN.md).
bool valid_instance_id(std::string_view id);

}  // namespace ssoc::sks
