// terminal_console() on a real pseudo-terminal: a secret is not echoed, echo comes back after
// it, and an ordinary answer is echoed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "config/wizard.hpp"

namespace ssoc::config {
namespace {

// Reads from `fd` until `text` has been seen (or 10 s pass); returns everything read.
std::string read_until(int fd, std::string& seen, std::string_view text) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (seen.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    seen.append(buffer, static_cast<std::size_t>(n));
  }
  return seen;
}

// In the child: stdin and stdout are the pty's slave; the answers and whether echo was on
// again after the secret go to `report`.
[[noreturn]] void child(const char* slave_name, int report) {
  ::setsid();
  int slave = ::open(slave_name, O_RDWR);
  if (slave < 0) ::_exit(10);
  ::dup2(slave, STDIN_FILENO);
  ::dup2(slave, STDOUT_FILENO);
  if (slave > STDOUT_FILENO) ::close(slave);
  auto console = terminal_console();
  auto pin = console->ask("PIN: ", true);
  termios after{};
  ::tcgetattr(STDIN_FILENO, &after);
  auto name = console->ask("Name: ", false);
  std::string out = std::string(pin ? as_text(*pin) : "<none>") + "|" +
                    ((after.c_lflag & ECHO) ? "echo" : "silent") + "|" +
                    std::string(name ? as_text(*name) : "<none>");
  [[maybe_unused]] auto n = ::write(report, out.data(), out.size());
  std::cout.flush();
  ::_exit(0);
}

TEST(WizardTerminal, SecretIsNotEchoedOnAPtyAndEchoIsRestored) {
  int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  ASSERT_GE(master, 0);
  ASSERT_EQ(::grantpt(master), 0);
  ASSERT_EQ(::unlockpt(master), 0);
  std::string slave_name = ::ptsname(master);
  int report[2];
  ASSERT_EQ(::pipe(report), 0);

  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(master);
    ::close(report[0]);
    child(slave_name.c_str(), report[1]);
  }
  ::close(report[1]);

  std::string screen;
  read_until(master, screen, "PIN: ");
  ASSERT_NE(screen.find("PIN: "), std::string::npos) << screen;
  ASSERT_EQ(::write(master, "s3cret-pin\n", 11), 11);
  read_until(master, screen, "Name: ");
  ASSERT_EQ(::write(master, "alice\n", 6), 6);
  read_until(master, screen, "alice");

  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  char buffer[256] = {};
  ssize_t n = ::read(report[0], buffer, sizeof buffer - 1);
  ::close(report[0]);
  ::close(master);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(n)), "s3cret-pin|echo|alice");
  EXPECT_EQ(screen.find("s3cret-pin"), std::string::npos) << "the secret was echoed: " << screen;
  EXPECT_NE(screen.find("alice"), std::string::npos) << "an ordinary answer is echoed: " << screen;
  // The newline after the hidden answer keeps the next prompt on its own line.
  EXPECT_NE(screen.find("PIN: \r\nName: "), std::string::npos) << screen;
}

}  // namespace
}  // namespace ssoc::config
