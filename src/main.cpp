// ssoconnect: the command line. Everything lives in the cli part.
#include "cli/cli.hpp"

int main(int argc, char** argv) {
  return ssoc::cli::run(argc, argv);
}
