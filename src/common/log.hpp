// Logging: one line per event, "<UTC time> <LEVEL> <message>", to stderr and optionally a file.
// Callers never pass secrets; messages are built from names, causes and CK_RV names only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string_view>

namespace ssoc::log {

enum class Level { Debug, Info, Warn, Error };

std::string_view level_name(Level level);

void write(Level level, std::string_view message);
inline void debug(std::string_view m) {
  write(Level::Debug, m);
}
inline void info(std::string_view m) {
  write(Level::Info, m);
}
inline void warn(std::string_view m) {
  write(Level::Warn, m);
}
inline void error(std::string_view m) {
  write(Level::Error, m);
}

// Lines below this level are dropped (default Info).
void set_threshold(Level level);
// Also append to this file (created 0600); an empty path turns the file off. When the file
// grows past `max_bytes` it is renamed to "<file>.1" (older ones shift up to "<file>.<keep>",
// the oldest is dropped) and a new one is started. Returns false if the file cannot be opened.
bool set_file(const std::filesystem::path& path, std::uintmax_t max_bytes = 10u << 20,
              int keep = 5);
// Replaces stderr as the console sink (tests capture lines with it); nullptr restores stderr.
void set_console(std::function<void(Level, std::string_view line)> sink);

}  // namespace ssoc::log
