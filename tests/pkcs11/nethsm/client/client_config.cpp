#include "client_config.hpp"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace ssoc::nethsm {
namespace {

constexpr int kMaxTimeoutMs = 3'600'000;

bool parse_timeout(std::string_view text, int& out) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > kMaxTimeoutMs) {
    return false;
  }
  out = value;
  return true;
}

bool parse_init_string(std::string_view text, ClientConfig& config, std::string& error) {
  while (!text.empty()) {
    const std::size_t start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const std::size_t end = text.find(' ');
    const std::string_view item = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end);
    const std::size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    if (key == "socket" && !value.empty()) {
      config.socket_path = value;
    } else if (key == "timeout_ms" && parse_timeout(value, config.timeout_ms)) {
      // parsed
    } else {
      error = "bad item in the init string (expected socket=PATH [timeout_ms=1..3600000]): " +
              std::string(item);
      return false;
    }
  }
  return true;
}

}  // namespace

bool load_client_config(const char* init_string, ClientConfig& config, std::string& error) {
  ClientConfig result;
  const char* debug = std::getenv("SSOC_NETHSM_DEBUG");
  result.debug = debug != nullptr && std::string_view(debug) == "1";
  if (init_string != nullptr) {
    if (!parse_init_string(init_string, result, error)) return false;
  } else {
    if (const char* path = std::getenv("SSOC_NETHSM_SOCKET")) result.socket_path = path;
    if (const char* timeout = std::getenv("SSOC_NETHSM_TIMEOUT_MS")) {
      if (!parse_timeout(timeout, result.timeout_ms)) {
        error = "SSOC_NETHSM_TIMEOUT_MS must be a number of milliseconds in 1..3600000";
        return false;
      }
    }
  }
  if (result.socket_path.empty()) {
    error =
        "no server socket: set SSOC_NETHSM_SOCKET or pass \"socket=PATH\" in "
        "CK_C_INITIALIZE_ARGS.pReserved";
    return false;
  }
  config = std::move(result);
  return true;
}

}  // namespace ssoc::nethsm
