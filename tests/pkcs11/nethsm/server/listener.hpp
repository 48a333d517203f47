// The server's accept loop: a Unix socket (mode 0600) and one thread per client connection,
// until SIGTERM or SIGINT arrives.
#pragma once

#include <string>

#include "pkcs11/cryptoki.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

// Blocks SIGTERM/SIGINT (to be read with signalfd) and ignores SIGPIPE. Call before any thread
// starts, so that every thread inherits the mask.
bool prepare_signals(std::string& error);

// Listens on `socket_path` (replacing a file there), prints "ready" on stdout, serves clients
// until SIGTERM/SIGINT, then shuts the connections down, waits for them (their sessions are
// closed) and removes the socket file. False with `error` set if it cannot listen.
bool run_listener(CK_FUNCTION_LIST& module, const std::string& socket_path, std::string& error);

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
