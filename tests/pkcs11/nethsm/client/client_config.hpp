// Where the nethsm client connects, and how long a call may take.
//
// From CK_C_INITIALIZE_ARGS.pReserved, if it is not NULL: "socket=/path/to/sock[ timeout_ms=N]"
// (space-separated key=value pairs). Otherwise from the environment: SSOC_NETHSM_SOCKET and
// SSOC_NETHSM_TIMEOUT_MS. The timeout defaults to 5000 ms and must be 1..3600000.
#pragma once

#include <string>

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

struct ClientConfig {
  std::string socket_path;
  int timeout_ms = 5000;
  bool debug = false;  // SSOC_NETHSM_DEBUG=1: one stderr line per lost connection
};

// Fills `config` from `init_string` (may be NULL: use the environment). False with `error` set
// if the string or a variable is malformed or no socket is named.
bool load_client_config(const char* init_string, ClientConfig& config, std::string& error);

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
