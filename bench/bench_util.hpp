// Small helpers shared by the benchmarks: timing and order statistics.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
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

// The whole machine from the first line of /proc/stat, in seconds: what the load benchmarks
// subtract their own processes from to see CPU someone else used during a run.
struct MachineTimes {
  double busy = 0, steal = 0;
};

inline MachineTimes machine_times() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  return {static_cast<double>(user + nice + system + irq + softirq + steal) / hz,
          static_cast<double>(steal) / hz};
}

// Waits (up to 30 s) until the machine is quiet: less than `max_outside` cores busy while we are
// idle. Returns the busy cores last seen.
inline double wait_for_quiet(double max_outside) {
  double busy = 0;
  for (int i = 0; i < 30; ++i) {
    MachineTimes before = machine_times();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    busy = (machine_times().busy - before.busy) / 0.5;
    if (busy <= max_outside) return busy;
    if (i == 0) std::printf("  outside load %.2f cores: waiting for it to pass\n", busy);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return busy;
}

}  // namespace ssoc::bench
