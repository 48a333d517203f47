// ssoc_nethsm_server: a test-only "network HSM". It loads a real PKCS#11 module (SoftHSM2, NSS
// softokn, or the test shim wrapping one) and serves it to libssoc_nethsm_client.so over a Unix
// socket, so that a test can cut the HSM off (SIGTERM or SIGKILL the server) or make it hang
// (SIGSTOP; SIGCONT to resume). The wire protocol is in ../common/protocol.hpp.
//
//   ssoc_nethsm_server --socket PATH --module PATH [--init-args STRING]
//
// The module is initialised once (CKF_OS_LOCKING_OK; --init-args goes to pReserved) and shared by
// all clients, each served in its own thread. The socket file is replaced if it exists and made
// mode 0600. When listening, the server prints "ready" on stdout. A client that breaks the
// protocol is disconnected (the reason goes to stderr); the sessions of a connection are closed
// when it ends, and a new connection is served only after the connections whose clients had
// already hung up have closed theirs (so a client that reconnects starts logged out).
// SIGTERM/SIGINT: stop accepting, remove the socket file, shut every connection down, finalise the
// module, exit 0.
//
// Exit status: 0 after SIGTERM/SIGINT; 1 if the module cannot be loaded or the socket cannot be
// listened on; 2 for a usage error.
#include <cstdio>
#include <exception>
#include <string>

#include "listener.hpp"
#include "real_module.hpp"

namespace {

constexpr const char* kUsage =
    "usage: ssoc_nethsm_server --socket PATH --module PATH [--init-args STRING]\n";

struct Options {
  std::string socket_path;
  std::string module_path;
  std::string init_args;
};

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) return false;
    const std::string name = argv[i];
    if (name == "--socket") {
      options.socket_path = argv[i + 1];
    } else if (name == "--module") {
      options.module_path = argv[i + 1];
    } else if (name == "--init-args") {
      options.init_args = argv[i + 1];
    } else {
      return false;
    }
  }
  return !options.socket_path.empty() && !options.module_path.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  try {
    std::string error;
    if (!ssoc::nethsm::prepare_signals(error)) {
      std::fprintf(stderr, "ssoc_nethsm_server: %s\n", error.c_str());
      return 1;
    }
    auto module = ssoc::nethsm::RealModule::load(options.module_path, options.init_args, error);
    if (module == nullptr ||
        !ssoc::nethsm::run_listener(module->functions(), options.socket_path, error)) {
      std::fprintf(stderr, "ssoc_nethsm_server: %s\n", error.c_str());
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ssoc_nethsm_server: %s\n", e.what());
    return 1;
  }
}
