// How the HSM is reached (the sks.properties part of the configuration), as the wizard and the
// answers file enter it: the token, the password source, the certificate chain; and the checks
// that try them before anything is written.
#pragma once

#include <filesystem>
#include <string_view>

#include "common/result.hpp"
#include "common/secret.hpp"
#include "pkcs11/token.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::config {

namespace fs = std::filesystem;

// The PKCS#11 library the original product's question suggests.
inline constexpr std::string_view kLunaModule = "/usr/safenet/lunaclient/lib/libCryptoki2_64.so";

// "0" (a slot id), "label:NAME" or "serial:NUMBER". InvalidSetting naming `key` otherwise.
Result<pkcs11::TokenSelector> parse_token_selector(std::string_view key, std::string_view text);

// A password answer: "file:/path" (a file owned by this user, mode 0600 or stricter),
// "env:NAME" (an environment variable), or the password itself. Sets the PIN source of `config`.
Result<void> set_pin_answer(sks::SksConfig& config, const SecretBytes& answer);

// True when both reach the HSM the same way: module, its arguments, token, user type, PIN
// source, certificate chain file and password. (The key and the IV mode are not compared.)
bool same_hsm_access(const sks::SksConfig& a, const sks::SksConfig& b);

// Loads the module, finds the token and logs in once (HsmConnection::open), then lets go.
Result<void> try_hsm_login(const sks::SksConfig& config);

// Reads the certificate chain in `file` and returns how many certificates it holds.
Result<std::size_t> count_chain_certificates(const fs::path& file, const SecretBytes& password);

}  // namespace ssoc::config
