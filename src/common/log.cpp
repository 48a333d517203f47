#include "common/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>

namespace ssoc::log {
namespace {

struct State {
  std::mutex mutex;
  Level threshold = Level::Info;
  int file_fd = -1;
  std::function<void(Level, std::string_view)> console;
};

State& state() {
  static State s;
  return s;
}

std::string timestamp() {
  std::timespec ts{};
  std::timespec_get(&ts, TIME_UTC);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char buffer[80];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
  return buffer;
}

}  // namespace

std::string_view level_name(Level level) {
  switch (level) {
    case Level::Debug: return "DEBUG";
    case Level::Info: return "INFO";
    case Level::Warn: return "WARN";
    case Level::Error: return "ERROR";
  }
  return "INFO";
}

void write(Level level, std::string_view message) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (level < s.threshold) return;
  std::string line = timestamp();
  line += ' ';
  line += level_name(level);
  line += ' ';
  line += message;
  if (s.console) {
    s.console(level, line);
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  if (s.file_fd >= 0) {
    line += '\n';
    // A failed log write must not stop the service; there is nowhere better to report it.
    [[maybe_unused]] auto written = ::write(s.file_fd, line.data(), line.size());
  }
}

void set_threshold(Level level) {
  std::lock_guard lock(state().mutex);
  state().threshold = level;
}

void set_file(const std::filesystem::path& path) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.file_fd >= 0) ::close(s.file_fd);
  s.file_fd = -1;
  if (!path.empty())
    s.file_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

void set_console(std::function<void(Level, std::string_view)> sink) {
  std::lock_guard lock(state().mutex);
  state().console = std::move(sink);
}

}  // namespace ssoc::log
