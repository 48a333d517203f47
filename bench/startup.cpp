// Start-up of the real service: wall time from the fork of `ssoconnect start` to the first
// `GET /ping` over HTTPS that answers 200 with "status":"Ready", on a data folder configured by
// `ssoconnect config --answers` with Secure Key Storage on a fresh SoftHSM2 token, a real keystore
// and IdP metadata (so the SSO service really starts, not NotConfigured). Peers in the same run:
// the same settings from plaintext files (what the HSM costs) and the process floor, fork+exec of
// `ssoconnect --version` to its exit (loading the binary and its libraries), beside /bin/true.
// The two kinds of start alternate so that outside load falls on both alike; each folder is
// started once untimed first (page cache, SoftHSM2's token files). With --trace, one start of
// each folder also runs under strace and its milestones are printed (strace slows every traced
// call, so they show proportions, not the figures above).
//
//   bench_startup [--quick] [--runs N] [--trace]
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench_util.hpp"
#include "cli/cli_support.hpp"
#include "common/openssl.hpp"
#include "http/tls.hpp"
#include "http_fixture.hpp"
#include "support/saml/saml_forge.hpp"
#include "support/test_env.hpp"

namespace ssoc::bench {
namespace {

namespace fs = std::filesystem;
namespace forge = ssoc::test::saml;
using ssoc::http::test::TestClient;

constexpr const char* kIdp = "https://idp.test/metadata";

struct Folder {
  std::string name;
  fs::path data, log;
  std::uint16_t port = 0;
};

// A data folder made by `ssoconnect config --answers`, as an administrator would make it.
Folder configure(const test::TempDir& dir, const std::string& name, const std::string& extra,
                 const test::TestChain& chain, const fs::path& metadata) {
  Folder f{name, dir / name, dir / (name + ".log"),
           static_cast<std::uint16_t>(std::stoi(test::free_port()))};
  fs::path answers = dir / (name + ".answers");
  test::write_all(answers,
                  as_bytes("external_host=sso.test\nexternal_port=" + std::to_string(f.port) +
                           "\nbind_address=127.0.0.1\nbind_port=" + std::to_string(f.port) +
                           "\nadmin_port=" + test::free_port() + "\nkeystore_file=" +
                           chain.p12.string() + "\nkeystore_password=" + chain.password +
                           "\nidp_metadata_file=" + metadata.string() + "\n" + extra));
  fs::permissions(answers, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  test::CliResult r = test::run_cli({"--data-dir", f.data.string(), "--log-file",
                                     (dir / (name + "-config.log")).string(), "config", "--answers",
                                     answers.string()});
  if (r.status != 0) throw std::runtime_error("config --answers failed for " + name + ": " + r.err);
  return f;
}

pid_t spawn(const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string status_field(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + ":", 0) == 0)
      return line.substr(line.find_first_not_of(" \t", name.size() + 1));
  return "?";
}

pid_t child_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  pid_t child = -1;
  in >> child;
  if (child <= 0) throw std::runtime_error("no child of " + std::to_string(pid));
  return child;
}

bool ping_ready(std::uint16_t port, SSL_CTX* tls) {
  auto client = TestClient::connect(port, tls);
  if (!client || !client->send(http::test::get_request("/ping"))) return false;
  auto r = client->read_response(std::chrono::seconds(5));
  return r && r->status == 200 && r->body.find("\"status\":\"Ready\"") != std::string::npos;
}

struct Start {
  double ms = 0;
  std::string rss;  // of the service once it answered Ready
};

// Fork of `ssoconnect start` (optionally under `prefix`, e.g. strace) to its first Ready answer;
// then SIGTERM, which must end it with status 0. The poll sleeps 0.2 ms between attempts: a
// refused connect costs microseconds, and the service needs the machine's cores meanwhile.
Start start_until_ready(const Folder& f, SSL_CTX* tls,
                        const std::vector<std::string>& prefix = {}) {
  std::vector<std::string> args = prefix;
  for (std::string a : {std::string(SSOC_BINARY), std::string("--data-dir"), f.data.string(),
                        std::string("--log-file"), f.log.string(), std::string("start")})
    args.push_back(a);
  auto t0 = Clock::now();
  pid_t pid = spawn(args);
  Start out;
  for (;;) {
    if (ping_ready(f.port, tls)) {
      out.ms = ms_since(t0);
      break;
    }
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      throw std::runtime_error(f.name + ": start ended before Ready; see " + f.log.string());
    if (ms_since(t0) > 30000) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      throw std::runtime_error(f.name + ": not Ready within 30 s; see " + f.log.string());
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  // Under strace the service is strace's child, and strace itself ignores SIGTERM meanwhile.
  pid_t service = prefix.empty() ? pid : child_of(pid);
  out.rss = status_field(service, "VmRSS");
  ::kill(service, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(f.name + ": start did not stop cleanly on SIGTERM");
  return out;
}

double run_to_exit(const std::vector<std::string>& args) {
  auto t0 = Clock::now();
  pid_t pid = spawn(args);
  int status = 0;
  ::waitpid(pid, &status, 0);
  double ms = ms_since(t0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error(args[0] + " failed");
  return ms;
}

// The last step of every start above, alone: a new HTTPS connection (TLS handshake) and one
// GET /ping to a service that is up already.
std::vector<double> ping_floor(const Folder& f, SSL_CTX* tls, int runs) {
  pid_t pid =
      spawn({SSOC_BINARY, "--data-dir", f.data.string(), "--log-file", f.log.string(), "start"});
  auto t0 = Clock::now();
  while (!ping_ready(f.port, tls)) {
    if (ms_since(t0) > 30000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    auto t1 = Clock::now();
    bool ready = ping_ready(f.port, tls);
    samples.push_back(ms_since(t1));
    if (!ready) samples.back() = -1;
  }
  ::kill(pid, SIGTERM);
  ::waitpid(pid, nullptr, 0);
  if (std::find(samples.begin(), samples.end(), -1.0) != samples.end())
    throw std::runtime_error(f.name + ": /ping did not answer Ready");
  return samples;
}

// Milestones of one traced start, relative to its execve: the first open of each file that marks
// a step of the start-up, the listen() of the service, and the moment the benchmark saw Ready.
void trace_once(const test::TempDir& dir, const Folder& f, SSL_CTX* tls) {
  fs::path out = dir / (f.name + ".strace");
  Start s = start_until_ready(f, tls,
                              {"/usr/bin/strace", "-f", "--seccomp-bpf", "-ttt", "-e",
                               "trace=execve,openat,listen", "-o", out.string()});
  std::ifstream in(out);
  struct Mark {
    const char* what;
    const char* needle;
    double at = -1;
  };
  std::vector<Mark> marks = {{"execve", "execve("},
                             {"libc loaded", "libc.so.6"},
                             {"last shared library opened", nullptr},
                             {"data folder: sks.properties", "sks.properties\""},
                             {"SoftHSM2 module opened", "libsofthsm2.so"},
                             {"SoftHSM2 token folder read", "/tokens/"},
                             {"instance.encp", "instance.encp\""},
                             {"shared.encp", "shared.encp\""},
                             {"instance.properties", "instance.properties\""},
                             {"keystore (.p12)", ".p12\""},
                             {"IdP metadata", "idp-metadata.xml\""},
                             {"store: ssoconnect.db", "ssoconnect.db\""},
                             {"listen()", "listen("}};
  // The libraries the loader opens come before the first look at the data folder.
  double first = -1, last_lib = -1;
  bool in_folder = false;
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string pid, stamp;
    fields >> pid >> stamp;
    double t = std::atof(stamp.c_str()) * 1000.0;
    if (first < 0) first = t;
    in_folder = in_folder || (line.find(f.data.string()) != std::string::npos &&
                              line.find("execve(") == std::string::npos);
    if (!in_folder && line.find("openat(") != std::string::npos &&
        line.find(".so") != std::string::npos && line.find("= -1") == std::string::npos)
      last_lib = t;
    for (Mark& m : marks)
      if (m.needle && m.at < 0 && line.find(m.needle) != std::string::npos) m.at = t;
  }
  marks[2].at = last_lib;
  std::stable_sort(marks.begin(), marks.end(),
                   [](const Mark& a, const Mark& b) { return a.at < b.at; });
  std::printf(
      "\n  %s, one start under strace (milestones after execve; Ready seen at %.1f ms "
      "after fork, strace included):\n",
      f.name.c_str(), s.ms);
  for (const Mark& m : marks)
    if (m.at >= 0) std::printf("    %-32s %8.2f ms\n", m.what, m.at - first);
}

}  // namespace
}  // namespace ssoc::bench

int main(int argc, char** argv) {
  using namespace ssoc;
  using namespace ssoc::bench;
  const bool quick = bench::quick(argc, argv);
  int runs = quick ? 3 : 20;
  bool trace = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--runs" && i + 1 < argc) runs = std::stoi(argv[++i]);
    if (std::string(argv[i]) == "--trace") trace = true;
  }
  try {
    test::TempDir dir;
    // SOFTHSM2_CONF now points at the fresh token's folder, for this process and its children.
    test::TestToken token = test::make_softhsm_token(dir / "softhsm");
    fs::create_directories(dir / "certs");
    test::TestChain chain = test::make_test_chain(dir / "certs");
    forge::IdpKey idp = forge::make_idp_key(dir.path(), "idp.test");
    fs::path metadata = dir / "idp-metadata.xml";
    test::write_all(metadata, as_bytes(forge::idp_metadata_xml(kIdp, idp.cert_pem_file,
                                                               "https://idp.test/sso")));
    Folder sks = configure(dir, "sks",
                           "sks_enabled=true\nsks_module=" + token.module_path +
                               "\nsks_token_label=" + token.token_label +
                               "\nsks_password=" + token.pin + "\n",
                           chain, metadata);
    Folder plain = configure(dir, "plain", "", chain, metadata);
    if (!fs::exists(sks.data / "instance.encp") || fs::exists(plain.data / "sks.properties"))
      throw std::runtime_error("the folders are not what they should be");
    auto tls = *http::make_client_tls({test::chain_ca_der(chain.pem)});

    start_until_ready(sks, tls.get());
    start_until_ready(plain, tls.get());
    std::vector<double> with_sks, without, version, truth;
    std::string rss_sks, rss_plain;
    for (int i = 0; i < runs; ++i) {
      Start a = start_until_ready(sks, tls.get());
      with_sks.push_back(a.ms);
      rss_sks = a.rss;
      Start b = start_until_ready(plain, tls.get());
      without.push_back(b.ms);
      rss_plain = b.rss;
      version.push_back(run_to_exit({SSOC_BINARY, "--version"}));
      truth.push_back(run_to_exit({"/bin/true"}));
    }
    std::printf(
        "Start-up: fork of `ssoconnect start` to GET /ping Ready over HTTPS, %d runs each "
        "(%u cores)\n",
        runs, std::thread::hardware_concurrency());
    print_row("SKS on, SoftHSM2 (the product)", summarize(with_sks), "ms");
    print_row("peer: the same settings from .properties", summarize(without), "ms");
    print_row("of which: HTTPS connect + /ping, service up",
              summarize(ping_floor(plain, tls.get(), runs)), "ms");
    print_row("floor: `ssoconnect --version` to exit", summarize(version), "ms");
    print_row("floor: /bin/true to exit", summarize(truth), "ms");
    std::printf("  service RSS when Ready: SKS on %s, plaintext %s\n", rss_sks.c_str(),
                rss_plain.c_str());
    std::printf("  target: SKS start under 50 ms (median)\n");
    if (trace && fs::exists("/usr/bin/strace")) {
      trace_once(dir, sks, tls.get());
      trace_once(dir, plain, tls.get());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_startup: %s\n", e.what());
    return 1;
  }
  return 0;
}
