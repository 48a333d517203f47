// Running the real ssoconnect binary in tests: arguments, extra environment, output, status.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/test_env.hpp"

namespace ssoc::test {

struct CliResult {
  int status = -1;  // exit status, or -1 if killed
  std::string out;
  std::string err;
};

// Runs `ssoconnect args...` with `env` added to this process's environment; stdin is empty.
inline CliResult run_cli(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {}) {
  TempDir io;
  fs::path out = io / "out", err = io / "err";
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const auto& [key, value] : env) ::setenv(key.c_str(), value.c_str(), 1);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 1);
    ::dup2(::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600), 2);
    std::vector<char*> argv{const_cast<char*>(SSOC_BINARY)};
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(SSOC_BINARY, argv.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  CliResult result;
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  Bytes o = read_all(out), e = read_all(err);
  result.out.assign(o.begin(), o.end());
  result.err.assign(e.begin(), e.end());
  return result;
}

// A `ssoconnect start` running in the background until stop().
class RunningService {
 public:
  RunningService(const fs::path& data_dir, const fs::path& log_file) : log_(log_file) {
    pid_ = ::fork();
    if (pid_ == 0) {
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(SSOC_BINARY, SSOC_BINARY, "--data-dir", data_dir.c_str(), "--log-file",
              log_file.c_str(), "start", static_cast<char*>(nullptr));
      ::_exit(127);
    }
  }
  ~RunningService() {
    if (pid_ > 0) stop();
  }
  // Waits until the log contains `text` (or the process ended); true if it appeared.
  bool wait_for_log(const std::string& text, int seconds = 20) {
    for (int i = 0; i < seconds * 20; ++i) {
      Bytes log = read_all(log_);
      if (std::string(log.begin(), log.end()).find(text) != std::string::npos) return true;
      if (::waitpid(pid_, &status_, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  void signal(int sig) const { ::kill(pid_, sig); }
  // SIGTERM and wait; returns the exit status (-1 if killed by a signal).
  int stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, &status_, 0);
      pid_ = -1;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  int status_ = 0;
};

inline std::string text_of(const fs::path& file) {
  Bytes bytes = read_all(file);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace ssoc::test
