// The main of the replay programs (the ordinary builds): runs the fuzz target once over every
// file under the folders given (its seed corpus and its regressions), in name order, so that an
// input that once crashed or hung is a test in the normal suite. Names starting with '.' are
// skipped (".keep" holds an empty folder in git). A crash aborts the program, which fails the
// test; finding no input at all fails too, since a replay of nothing proves nothing.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

#include "fuzz_target.hpp"

namespace fs = std::filesystem;

// Targets without their own LLVMFuzzerInitialize get this one.
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int*, char***) {
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: " << argv[0] << " DIR|FILE...\n";
    return 2;
  }
  LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    fs::path given = argv[i];
    std::error_code error;
    if (fs::is_regular_file(given, error)) {
      inputs.push_back(given);
      continue;
    }
    if (!fs::is_directory(given, error)) continue;  // e.g. no regressions yet
    for (const auto& entry : fs::recursive_directory_iterator(given)) {
      if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
        inputs.push_back(entry.path());
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::cerr << "replay: no input found under the folders given\n";
    return 1;
  }
  for (const auto& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::cerr << "replay: cannot read " << path << "\n";
      return 1;
    }
    // Printed before the run, so that a crash names its input.
    std::cerr << "replay: " << path.string() << " (" << bytes.size() << " bytes)\n";
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << "replay: " << inputs.size() << " inputs ran without a crash\n";
  return 0;
}
