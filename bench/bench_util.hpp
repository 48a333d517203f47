// Small helpers shared by the benchmarks: timing and order statistics.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace ssoc::bench {

using Clock = std::chrono::steady_clock;

inline double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Summary {
  double median, p10, p90, min, max;
};

inline Summary summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) { return samples[static_cast<std::size_t>(q * (samples.size() - 1))]; };
  return {at(0.5), at(0.1), at(0.9), samples.front(), samples.back()};
}

inline bool quick(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::strcmp(argv[i], "--quick") == 0) return true;
  return false;
}

inline void print_row(const std::string& name, const Summary& s, const char* unit) {
  std::printf("  %-44s median %8.3f %s   p10 %8.3f   p90 %8.3f   (min %.3f, max %.3f)\n",
              name.c_str(), s.median, unit, s.p10, s.p90, s.min, s.max);
}

}  // namespace ssoc::bench
