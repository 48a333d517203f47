// The process's terminal as a Console: std::cout for prompts, std::cin for answers, and the
// terminal's echo turned off (termios, fd 0) while a secret is typed.
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <iostream>

#include "config/wizard.hpp"

namespace ssoc::config {
namespace {

// The terminal settings to put back if a signal ends the process while echo is off.
termios saved_terminal{};
volatile sig_atomic_t echo_is_off = 0;

constexpr std::array<int, 4> kFatalSignals = {SIGINT, SIGTERM, SIGQUIT, SIGHUP};

extern "C" void restore_terminal_and_reraise(int signal_number) {
  if (echo_is_off != 0) ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_terminal);
  echo_is_off = 0;
  ::signal(signal_number, SIG_DFL);
  ::raise(signal_number);
}

// Echo off for its lifetime when stdin is a terminal; restored on every path, signals included.
class EchoOff {
 public:
  EchoOff() {
    if (::isatty(STDIN_FILENO) == 0 || ::tcgetattr(STDIN_FILENO, &saved_terminal) != 0) return;
    struct sigaction action {};
    action.sa_handler = restore_terminal_and_reraise;
    sigemptyset(&action.sa_mask);
    for (std::size_t i = 0; i < kFatalSignals.size(); ++i)
      ::sigaction(kFatalSignals[i], &action, &previous_[i]);
    termios quiet = saved_terminal;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK);
    echo_is_off = 1;
    if (::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
      echo_is_off = 0;
      restore_handlers();
      return;
    }
    active_ = true;
  }
  ~EchoOff() {
    if (!active_) return;
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved_terminal);
    echo_is_off = 0;
    restore_handlers();
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  void restore_handlers() {
    for (std::size_t i = 0; i < kFatalSignals.size(); ++i)
      ::sigaction(kFatalSignals[i], &previous_[i], nullptr);
  }

  bool active_ = false;
  std::array<struct sigaction, kFatalSignals.size()> previous_{};
};

class TerminalConsole final : public Console {
 public:
  void say(std::string_view line) override { std::cout << line << '\n' << std::flush; }

  std::optional<SecretBytes> ask(std::string_view prompt, bool secret) override {
    std::optional<SecretBytes> answer;
    if (secret) {
      // Echo goes off before the prompt shows: whatever is typed once it is visible stays
      // hidden.
      EchoOff quiet;
      std::cout << prompt << std::flush;
      answer = read_line();
    } else {
      std::cout << prompt << std::flush;
      answer = read_line();
    }
    // The Enter typed after a secret was not echoed.
    if (secret) std::cout << '\n' << std::flush;
    return answer;
  }

 private:
  // One line without its end; nullopt when the input ends before any character.
  static std::optional<SecretBytes> read_line() {
    SecretBytes line;
    bool any = false;
    for (;;) {
      const int c = std::cin.get();
      if (c == std::char_traits<char>::eof()) break;
      any = true;
      if (c == '\n') break;
      line.push_back(static_cast<std::uint8_t>(c));
    }
    if (!any) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
};

}  // namespace

std::unique_ptr<Console> terminal_console() {
  return std::make_unique<TerminalConsole>();
}

}  // namespace ssoc::config
