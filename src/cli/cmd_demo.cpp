// `ssoconnect demo [--dir DIR] [--port N] [--idp-port N] [--keep]`: a complete, throw-away SSO
// Connect on this machine, ready to log in:
//
//   1. a folder (DIR, else a new one under $TMPDIR) with data/ (0700), softhsm/, idp/, logs/;
//   2. a SoftHSM2 token of its own (SOFTHSM2_CONF points into the folder; its PIN in hsm.pin);
//   3. a self-signed keystore for 127.0.0.1 and an IdP signing key;
//   4. the settings through `config --answers`, Secure Key Storage on (the key on the token);
//   5. the local third-party test IdP (npm saml-idp, demo/start-idp.sh) and `ssoconnect start`,
//      both on loopback, as child processes with their logs in logs/;
//   6. the one command to log in with, and the demo user's credentials.
//
// Ctrl-C (or SIGTERM) stops both and removes the folder, which the demo made (--dir must not
// exist yet); --keep keeps it. A service stopped
// by someone else (a test restarting it) is not restarted; the IdP goes on.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "cli/demo_identity.hpp"
#include "cli/invocation.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "common/unique_fd.hpp"
#include "config/wizard.hpp"
#include "datadir/file_io.hpp"
#include "datadir/folder_check.hpp"

extern char** environ;

namespace ssoc::cli {
namespace {

constexpr const char* kIdpEntityId = "urn:ssoconnect:demo:idp";
constexpr const char* kTokenLabel = "SSO Connect demo";
constexpr const char* kSoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

struct DemoOptions {
  fs::path dir;
  int port = 8443;
  int idp_port = 7000;
  bool keep = false;
};

// True if 127.0.0.1:port accepts a connection.
bool listening(int port) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return fd.get() >= 0 && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

// `wanted` if nothing listens there and it can be bound, else a port the kernel picks.
int usable_port(int wanted) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(wanted));
  if (wanted > 0 && ::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
    return wanted;
  UniqueFd other(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(other.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(other.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    return wanted;
  return ntohs(addr.sin_port);
}

bool wait_until_listening(int port, pid_t child, std::chrono::seconds limit) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (listening(port)) return true;
    int status = 0;
    if (child > 0 && ::waitpid(child, &status, WNOHANG) == child) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Starts `argv` with stdout and stderr appended to `log`; returns its pid or -1.
pid_t spawn_logged(std::vector<std::string> argv, const fs::path& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  // The children get the default signal mask, not this process's blocked one.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc == 0 ? pid : -1;
}

int run_quiet(std::vector<std::string> argv, const fs::path& log) {
  pid_t pid = spawn_logged(std::move(argv), log);
  if (pid < 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Random decimal digits for the throw-away token's PINs and the keystore password; a failing
// random source is an error, never a fixed fallback.
Result<SecretBytes> random_digits(std::size_t count) {
  SecretBytes digits = TRY(ossl::random_bytes(count));
  for (std::uint8_t& b : digits) b = static_cast<std::uint8_t>('0' + b % 10);
  return digits;
}

// The demo's own folder: --dir (which must not exist yet), else a new one under $TMPDIR.
fs::path demo_folder(const DemoOptions& options) {
  if (!options.dir.empty()) {
    fs::path dir = fs::absolute(options.dir);
    std::error_code ec;
    if (fs::exists(dir, ec) || !fs::create_directory(dir, ec)) return {};
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    return dir;
  }
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/ssoconnect-demo-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

fs::path demo_scripts_folder() {
  if (const char* env = std::getenv("SSOC_DEMO_DIR"); env != nullptr && *env != '\0') return env;
  return SSOC_DEMO_DIR;
}

std::string idp_metadata(const DemoIdentity& idp, int idp_port) {
  std::string pem = certificate_pem(idp);
  std::string body;
  for (std::size_t start = pem.find('\n') + 1; start < pem.size();) {
    std::size_t end = pem.find('\n', start);
    std::string line = pem.substr(start, end - start);
    if (line.rfind("-----", 0) == 0) break;
    body += line;
    start = end + 1;
  }
  std::string sso = "http://127.0.0.1:" + std::to_string(idp_port) + "/saml/sso";
  return "<?xml version=\"1.0\"?>\n"
         "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
         "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" +
         std::string(kIdpEntityId) +
         "\">\n  <md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:"
         "protocol\">\n    <md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data>"
         "<ds:X509Certificate>" +
         body +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n"
         "    <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-"
         "Redirect\" Location=\"" +
         sso + "\"/>\n  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n";
}

// Everything up to the running processes; returns the IdP and service pids.
Result<std::pair<pid_t, pid_t>> set_up(const fs::path& dir, const DemoOptions& options,
                                       const fs::path& self) {
  fs::path data = dir / "data", logs = dir / "logs", hsm = dir / "softhsm", idp_dir = dir / "idp";
  for (const fs::path& f : {data, logs, hsm, hsm / "tokens", idp_dir})
    if (!datadir::create_folder(f))
      return fail(Cause::Io, "cannot create " + f.string() + "; check the folder's permissions");

  // The SoftHSM2 token, in this folder only.
  fs::path conf = hsm / "softhsm2.conf";
  std::string conf_text = "directories.tokendir = " + (hsm / "tokens").string() +
                          "\nobjectstore.backend = file\nlog.level = ERROR\n";
  TRY(datadir::write_file_atomic(conf, as_bytes(conf_text)));
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  SecretBytes pin = TRY(random_digits(16));
  SecretBytes so_pin = TRY(random_digits(16));
  TRY(datadir::write_file_atomic(dir / "hsm.pin", pin));
  // softhsm2-util takes the PINs as arguments; they protect only this throw-away token.
  if (run_quiet({"softhsm2-util", "--init-token", "--free", "--label", kTokenLabel, "--pin",
                 std::string(as_text(pin)), "--so-pin", std::string(as_text(so_pin))},
                logs / "softhsm.log") != 0)
    return fail(Cause::HsmUnreachable, "softhsm2-util could not make the demo token (see " +
                                           (logs / "softhsm.log").string() +
                                           "); run scripts/install-deps");

  // Keystore for the service, signing key for the IdP.
  DemoIdentity service_id = TRY(make_demo_identity("localhost", 30));
  SecretBytes keystore_password = TRY(random_digits(24));
  TRY(write_demo_pkcs12(data / "sso_keystore.p12", service_id, keystore_password));
  DemoIdentity idp_id = TRY(make_demo_identity("SSO Connect demo IdP", 30));
  TRY(write_demo_pem(idp_dir / "idp-key.pem", idp_dir / "idp-cert.pem", idp_id));
  TRY(datadir::write_file_atomic(data / "idp-metadata.xml",
                                 as_bytes(idp_metadata(idp_id, options.idp_port))));

  // The settings, as an administrator's answers file would give them.
  std::string base = "https://127.0.0.1:" + std::to_string(options.port);
  std::string answers =
      "external_host=127.0.0.1\nexternal_port=" + std::to_string(options.port) +
      "\nbind_address=127.0.0.1\nbind_port=" + std::to_string(options.port) +
      "\nkeystore_file=" + (data / "sso_keystore.p12").string() +
      "\nkeystore_password=" + std::string(as_text(keystore_password)) + "\nsp_entity_id=" + base +
      "/saml/metadata" + "\nidp_metadata_file=" + (data / "idp-metadata.xml").string() +
      "\nsks_enabled=true\nsks_module=" + kSoftHsmModule + "\nsks_token_label=" + kTokenLabel +
      "\nsks_user_type=user\nsks_password_file=" + (dir / "hsm.pin").string() + "\n";
  fs::path answers_file = dir / "answers.properties";
  TRY(datadir::write_file_atomic(answers_file, as_bytes(answers)));
  wipe(answers.data(), answers.size());
  auto configured = config::apply_answers(data, answers_file);
  (void)datadir::remove_durable(answers_file);
  if (!configured) return std::move(configured).error();

  pid_t idp = spawn_logged(
      {(demo_scripts_folder() / "start-idp.sh").string(), "--port",
       std::to_string(options.idp_port), "--issuer", kIdpEntityId, "--acs", base + "/saml/acs",
       "--audience", base + "/saml/metadata", "--key", (idp_dir / "idp-key.pem").string(), "--cert",
       (idp_dir / "idp-cert.pem").string()},
      logs / "idp.log");
  if (idp < 0 || !wait_until_listening(options.idp_port, idp, std::chrono::seconds(30)))
    return fail(Cause::Io, "the demo IdP did not start (see " + (logs / "idp.log").string() +
                               "); run scripts/install-deps, which installs it with npm");
  pid_t service = spawn_logged({self.string(), "--data-dir", data.string(), "--log-file",
                                (logs / "ssoconnect.log").string(), "start"},
                               logs / "service.out");
  if (service < 0 || !wait_until_listening(options.port, service, std::chrono::seconds(30))) {
    ::kill(idp, SIGTERM);
    return fail(Cause::Io, "the SSO Connect service did not start (see " +
                               (logs / "ssoconnect.log").string() + ")");
  }
  return std::pair{idp, service};
}

void stop_child(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) != 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

int cmd_demo(const Invocation& inv) {
  DemoOptions options;
  for (std::size_t i = 0; i < inv.args.size(); ++i) {
    const std::string& arg = inv.args[i];
    bool has_value = i + 1 < inv.args.size();
    try {
      if (arg == "--dir" && has_value)
        options.dir = inv.args[++i];
      else if (arg == "--port" && has_value)
        options.port = std::stoi(inv.args[++i]);
      else if (arg == "--idp-port" && has_value)
        options.idp_port = std::stoi(inv.args[++i]);
      else if (arg == "--keep")
        options.keep = true;
      else
        return usage("demo takes [--dir DIR] [--port N] [--idp-port N] [--keep]");
    } catch (const std::exception&) {
      return usage("--port and --idp-port take port numbers");
    }
  }
  sigset_t signals;
  sigemptyset(&signals);
  for (int sig : {SIGTERM, SIGINT, SIGCHLD}) sigaddset(&signals, sig);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  options.port = usable_port(options.port);
  options.idp_port = usable_port(options.idp_port);
  if (options.idp_port == options.port) options.idp_port = usable_port(0);
  fs::path dir = demo_folder(options);
  if (dir.empty())
    return report(fail(Cause::Io,
                       "cannot make a folder for the demo (--dir must name a folder "
                       "that does not exist yet)"));
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) self = "ssoconnect";

  auto started = set_up(dir, options, self);
  if (!started) {
    int status = report(started.error());
    if (!options.keep) fs::remove_all(dir, ec);
    return status;
  }
  auto [idp, service] = *started;
  std::string server = "https://127.0.0.1:" + std::to_string(options.port);
  std::printf(
      "SSO Connect demo is running (Secure Key Storage on a SoftHSM2 token of its own).\n"
      "  service  %s  (self-signed certificate: the browser will warn once)\n"
      "  IdP      http://127.0.0.1:%d  (npm saml-idp, a local test IdP)\n"
      "  folder   %s  (data/, logs/, SOFTHSM2_CONF=%s)\n"
      "\nLog in with:\n  %s login --server %s\n"
      "\nCredentials: demo@example.test (Demo User). The IdP's page asks for no password; type\n"
      "another e-mail into its NameID and E-mail fields to log in as someone else.\n"
      "Press Ctrl-C to stop%s.\n",
      server.c_str(), options.idp_port, dir.c_str(), (dir / "softhsm" / "softhsm2.conf").c_str(),
      self.c_str(), server.c_str(),
      options.keep ? "" : "; the demo folder is removed then (--keep keeps it)");
  std::fflush(stdout);

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGCHLD) {
      int status = 0;
      pid_t pid = 0;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (pid == service) {
          log::warn("the demo's SSO Connect service stopped; the IdP keeps running");
          service = -1;
        } else if (pid == idp) {
          log::warn("the demo IdP stopped (see its log in " + (dir / "logs").string() + ")");
          idp = -1;
        }
      }
      continue;
    }
    break;
  }
  stop_child(service);
  stop_child(idp);
  if (!options.keep) fs::remove_all(dir, ec);
  std::printf("SSO Connect demo stopped.\n");
  return 0;
}

}  // namespace ssoc::cli
