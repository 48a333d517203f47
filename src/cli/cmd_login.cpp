// `ssoconnect login --server URL [--out FILE] [--rsa] [--timeout SECONDS]`: the reference vault
// client. Prints the delivered master password on stdout (nothing else goes there), or writes
// it to FILE (created 0600, replaced atomically); says who logged in on stderr.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "cli/invocation.hpp"
#include "client/login_client.hpp"
#include "common/log.hpp"

namespace ssoc::cli {
namespace {

Result<void> write_secret_file(const fs::path& file, const SecretBytes& secret) {
  fs::path temp = file;
  temp += ".tmp";
  ::unlink(temp.c_str());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail(Cause::Io, "cannot create " + temp.string() + "; check the folder");
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size()) &&
            ::write(fd, "\n", 1) == 1 && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temp.c_str(), file.c_str()) != 0) {
    ::unlink(temp.c_str());
    return fail(Cause::Io, "cannot write " + file.string() + "; check the folder and free space");
  }
  return success();
}

}  // namespace

int cmd_login(const Invocation& inv) {
  client::LoginOptions options;
  std::optional<fs::path> out;
  for (std::size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& arg = inv.args[i];
    bool has_value = i + 1 < inv.args.size();
    if (arg == "--server" && has_value) {
      options.server = inv.args[++i];
    } else if (arg == "--out" && has_value) {
      out = inv.args[++i];
    } else if (arg == "--timeout" && has_value) {
      try {
        options.timeout = std::chrono::seconds(std::stoi(inv.args[++i]));
      } catch (const std::exception&) {
        return usage("--timeout takes a number of seconds");
      }
    } else if (arg == "--rsa") {
      options.rsa = true;
    } else {
      return usage("login takes --server URL [--out FILE] [--rsa] [--timeout SECONDS]");
    }
  }
  if (options.server.empty()) return usage("login needs --server URL");
  auto result = client::login(options);
  if (!result) return report(result.error());
  const client::Token& token = result->token;
  std::fprintf(stderr, "Signed in as %s%s\n", token.user.c_str(),
               token.new_user ? " (new user: a master password was made)" : "");
  if (out) {
    if (auto written = write_secret_file(*out, result->master_password); !written)
      return report(written.error());
    std::fprintf(stderr, "The master password is in %s\n", out->c_str());
    return 0;
  }
  std::fwrite(result->master_password.data(), 1, result->master_password.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  return 0;
}

}  // namespace ssoc::cli
