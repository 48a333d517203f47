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
  std::filesystem::path file_path;
  std::uintmax_t file_size = 0;
  std::uintmax_t max_bytes = 0;
  int keep = 0;
  std::function<void(Level, std::string_view)> console;
};

int open_log(const std::filesystem::path& path) {
  return ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
}

// Shifts <file>.N up by one, <file> to <file>.1, and starts a new file. Called with the lock held.
void rotate(State& s) {
  std::error_code ec;
  std::string base = s.file_path.string();
  std::filesystem::remove(base + "." + std::to_string(s.keep), ec);
  for (int i = s.keep - 1; i >= 1; --i)
    std::filesystem::rename(base + "." + std::to_string(i), base + "." + std::to_string(i + 1), ec);
  std::filesystem::rename(s.file_path, base + ".1", ec);
  ::close(s.file_fd);
  s.file_fd = open_log(s.file_path);
  s.file_size = 0;
}

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
    if (s.max_bytes > 0 && s.keep > 0 && s.file_size + line.size() > s.max_bytes) rotate(s);
    // A failed log write must not stop the service; there is nowhere better to report it.
    auto written = ::write(s.file_fd, line.data(), line.size());
    if (written > 0) s.file_size += static_cast<std::uintmax_t>(written);
  }
}

void set_threshold(Level level) {
  std::lock_guard lock(state().mutex);
  state().threshold = level;
}

bool set_file(const std::filesystem::path& path, std::uintmax_t max_bytes, int keep) {
  State& s = state();
  std::lock_guard lock(s.mutex);
  if (s.file_fd >= 0) ::close(s.file_fd);
  s.file_fd = -1;
  s.file_path = path;
  s.max_bytes = max_bytes;
  s.keep = keep;
  s.file_size = 0;
  if (path.empty()) return true;
  s.file_fd = open_log(path);
  if (s.file_fd < 0) return false;
  std::error_code ec;
  s.file_size = std::filesystem::file_size(path, ec);
  return true;
}

void set_console(std::function<void(Level, std::string_view)> sink) {
  std::lock_guard lock(state().mutex);
  state().console = std::move(sink);
}

}  // namespace ssoc::log
