// What every fuzz target shares: the libFuzzer entry points (the same functions run under
// libFuzzer in the fuzz preset and under replay_main.cpp in the ordinary builds) and the check
// that turns a broken invariant into a crash the fuzzer reports.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "common/secret.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace ssoc::fuzz {

inline ByteView input_bytes(const std::uint8_t* data, std::size_t size) {
  return {data, size};
}
inline std::string_view input_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A parser's own promise broken (e.g. what it accepted does not survive its own serializer):
// abort, so that libFuzzer keeps the input and the replay test fails on it.
[[noreturn]] inline void invariant_broken(const char* what, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, what);
  std::abort();
}

}  // namespace ssoc::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? (void)0 : ::ssoc::fuzz::invariant_broken(#condition, __FILE__, __LINE__))
