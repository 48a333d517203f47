// Serving one client connection: the hello, then requests in order until the client goes away,
// the socket is shut down, or the client breaks the protocol (it is then disconnected; the
// reason goes to stderr). The connection's sessions are closed at the end.
#pragma once

#include "pkcs11/cryptoki.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

// Runs in the connection's thread; `fd` stays owned by the caller. Never throws.
void serve_connection(CK_FUNCTION_LIST& module, int fd, unsigned long id) noexcept;

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
