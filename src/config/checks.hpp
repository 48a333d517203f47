// The checks an answer must pass at once, shared by the wizard and the answers file. Each
// failure is InvalidSetting naming the setting and saying what is expected.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::config {

namespace fs = std::filesystem;

// 1..65535, decimal digits only.
Result<std::uint16_t> parse_port(std::string_view key, std::string_view text);

// A DNS host name (RFC 1123 labels, at most 253 characters) or an IPv4 address.
Result<void> check_host_name(std::string_view key, std::string_view text);

// An IPv4 or IPv6 address literal (what a socket binds to).
Result<void> check_ip_address(std::string_view key, std::string_view text);

// y/yes/true or n/no/false, any case.
std::optional<bool> parse_yes_no(std::string_view text);

// Binds a socket to address:port (SO_REUSEADDR set, as the service does) and closes it again:
// InvalidSetting naming `key` when the port is taken, needs privileges, or the address is not
// one of this machine's.
Result<void> check_port_free(std::string_view key, std::string_view address, std::uint16_t port);

// True when a service on address_a:port_a and one on address_b:port_b cannot both listen (same
// port, and the same address or either one the wildcard address).
bool ports_conflict(std::string_view address_a, std::uint16_t port_a, std::string_view address_b,
                    std::uint16_t port_b);

// `text` as an absolute path; relative to the data folder when it is relative.
fs::path resolve_path(const fs::path& folder, std::string_view text);

// The keystore opens with the password and holds a usable key and certificate (read_keystore).
Result<void> check_keystore(const fs::path& file, const SecretBytes& password);

// The IdP metadata parses and has a signing certificate (read_idp_metadata).
Result<void> check_idp_metadata(const fs::path& file);

}  // namespace ssoc::config
