// The ssoconnect command line (DESIGN.md "Commands"): parses the arguments, sets up logging,
// runs one command and turns its Result into the exit status of DESIGN.md.
#pragma once

namespace ssoc::cli {

int run(int argc, char** argv);

}  // namespace ssoc::cli
