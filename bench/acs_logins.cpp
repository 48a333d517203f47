// Logins per second through /saml/acs of the real service (`ssoconnect start`, its own process)
// over HTTPS keep-alive on loopback, at 1, 4 and 16 connections, with p50/p99 latency, and the
// service's peak memory after them. Each login is SP-initiated: its transaction is made first
// (GET /sso/login, outside the timing), then its own pre-made response is posted once: distinct
// responses, RSA-SHA256, Response and Assertion signed, users cycling over a fixed set (the
// first pass creates them). Peers in the same run: GET /ping over the same connections (the
// transport floor) and the crypto floor of one login measured in this process (one RSA-2048
// verify per signature, one X25519, AES-GCM).
//
//   bench_acs_logins [--quick] [--logins N per run] [--connections 1,4,16] [--memory N]
//                    [--summary FILE]
//
// A run during which other processes used more than 0.15 cores (from /proc/stat, less the
// service's and this program's CPU) is repeated with fresh responses, up to 3 times, and
// flagged DISTURBED if every attempt was. --memory N: N more logins after the runs, in batches,
// reporting the service's peak RSS after 10,000 and after N.
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "bench_util.hpp"
#include "common/encoding.hpp"
#include "common/openssl.hpp"
#include "http/message.hpp"
#include "http/tls.hpp"
#include "http_fixture.hpp"
#include "store/store.hpp"
#include "support/saml/saml_forge.hpp"
#include "support/test_env.hpp"
#include "vault/client_key.hpp"

namespace ssoc::bench {
namespace {

namespace fs = std::filesystem;
namespace forge = ssoc::test::saml;
using ssoc::http::test::TestClient;

constexpr const char* kIdp = "https://idp.test/metadata";
constexpr const char* kSp = "https://sso.test/saml/metadata";

struct ServiceProcess {
  pid_t pid = -1;
  std::uint16_t port = 0;
  ~ServiceProcess() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
    }
  }
};

// Clock ticks of CPU the process has used (user + system), from /proc/PID/stat.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string f;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> f; ++i) {
    if (i == 14) utime = std::stoull(f);
    if (i == 15) stime = std::stoull(f);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double self_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

std::string status_field(pid_t pid, const std::string& name) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + ":", 0) == 0) return line.substr(name.size() + 1);
  return "?";
}

void write_text(const fs::path& file, const std::string& text) {
  test::write_all(file, as_bytes(text));
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

struct Setup {
  test::TempDir dir;
  test::TestChain chain = test::make_test_chain(dir.path());
  forge::IdpKey idp = forge::make_idp_key(dir.path(), "idp.test");
  fs::path data = dir / "data";
  std::shared_ptr<SSL_CTX> client_tls;
  ServiceProcess service;
  std::unique_ptr<store::Store> store;  // read-only use: the transactions' request ids
};

void start_service(Setup& s) {
  fs::create_directories(s.data);
  fs::permissions(s.data, fs::perms::owner_all, fs::perm_options::replace);
  s.service.port = static_cast<std::uint16_t>(std::stoi(test::free_port()));
  std::string port = std::to_string(s.service.port);
  auto key = ossl::random_bytes(32);
  write_text(s.data / "idp-metadata.xml",
             forge::idp_metadata_xml(kIdp, s.idp.cert_pem_file, "https://idp.test/sso"));
  write_text(s.data / "instance.properties",
             "instance_id=123456789012\nexternal_host=sso.test\nexternal_port=" + port +
                 "\nbind_address=127.0.0.1\nbind_port=" + port + "\nkeystore_file=" +
                 s.chain.p12.string() + "\nkeystore_password=" + s.chain.password + "\n");
  write_text(s.data / "shared.properties", std::string("sp_entity_id=") + kSp +
                                               "\nidp_metadata_file=idp-metadata.xml\nmaster_key=" +
                                               base64_encode(*key) + "\nmaster_key_id=1\n");
  s.service.pid = ::fork();
  if (s.service.pid == 0) {
    std::string log = (s.dir / "service.log").string();
    int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(SSOC_BINARY, SSOC_BINARY, "--data-dir", s.data.c_str(), "--log-file", log.c_str(),
            "start", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  s.client_tls = *http::make_client_tls({test::chain_ca_der(s.chain.pem)});
  for (int i = 0; i < 300; ++i) {
    if (TestClient::connect(s.service.port, s.client_tls.get())) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  s.store = std::move(store::Store::open(s.data / "ssoconnect.db").value());
}

struct Prepared {
  std::vector<std::string> requests;  // whole POST requests, one per login
};

// Makes `count` logins ready to post: transaction first, then the IdP's signed response to it.
Prepared prepare(Setup& s, std::size_t count, std::size_t users, std::size_t offset) {
  auto keys = vault::ClientKeyPair::generate_x25519();
  std::string begin = "/sso/login?key=" + keys->public_base64url() +
                      "&redirect_uri=" + http::percent_encode("http://127.0.0.1:9/cb") + "&state=s";
  auto client = TestClient::connect(s.service.port, s.client_tls.get());
  Prepared out;
  for (std::size_t i = 0; i < count; ++i) {
    client->send(http::test::get_request(begin));
    auto r = client->read_response();
    if (!r || r->status != 302) throw std::runtime_error("GET /sso/login failed");
    std::string location = r->header("location").value_or("");
    std::string relay;
    auto form = http::parse_form(location.substr(location.find('?') + 1));
    for (const auto& [k, v] : *form)
      if (k == "RelayState") relay = v;
    auto t = s.store->find_transaction(relay, std::time(nullptr));
    if (!t || !*t) throw std::runtime_error("no transaction");
    forge::ResponseSpec spec;
    spec.idp_entity_id = kIdp;
    std::string acs = "https://sso.test:" + std::to_string(s.service.port) + "/saml/acs";
    spec.destination = spec.recipient = acs;
    spec.audience = kSp;
    spec.in_response_to = (*t)->request_id;
    std::string user = "user" + std::to_string((offset + i) % users) + "@example.test";
    spec.name_id = user;
    spec.attributes = {{"Email", user}, {"First", "Bench"}, {"Last", "User"}};
    spec.signer = s.idp;
    std::string body = forge::form_body(forge::make_response(spec), relay);
    out.requests.push_back(http::test::post_request(
        "/saml/acs", body, "Content-Type: application/x-www-form-urlencoded\r\n"));
  }
  return out;
}

struct Run {
  double seconds = 0, server_cpu = 0, client_cpu = 0, outside_cores = 0, steal_cores = 0;
  std::vector<double> latencies_ms;
  std::size_t failures = 0;
};

// Sends each request once, spread over `connections` keep-alive connections.
Run drive(Setup& s, const std::vector<std::string>& requests, int connections,
          const std::string& expect) {
  Run run;
  std::vector<std::vector<double>> lat(connections);
  std::atomic<std::size_t> next{0}, failures{0};
  double server_before = cpu_seconds(s.service.pid), client_before = self_cpu_seconds();
  MachineTimes machine_before = machine_times();
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < connections; ++c)
    threads.emplace_back([&, c] {
      auto client = TestClient::connect(s.service.port, s.client_tls.get());
      for (std::size_t i; (i = next.fetch_add(1)) < requests.size();) {
        auto t0 = Clock::now();
        bool ok = client && client->send(requests[i]);
        auto r = ok ? client->read_response(std::chrono::seconds(30)) : std::nullopt;
        lat[c].push_back(ms_since(t0));
        if (!r || r->status != 200 || r->body.find(expect) == std::string::npos) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  run.seconds = ms_since(start) / 1000.0;
  run.server_cpu = cpu_seconds(s.service.pid) - server_before;
  run.client_cpu = self_cpu_seconds() - client_before;
  MachineTimes machine_after = machine_times();
  run.outside_cores =
      std::max(0.0, machine_after.busy - machine_before.busy - run.server_cpu - run.client_cpu) /
      run.seconds;
  run.steal_cores = (machine_after.steal - machine_before.steal) / run.seconds;
  for (auto& l : lat) run.latencies_ms.insert(run.latencies_ms.end(), l.begin(), l.end());
  std::sort(run.latencies_ms.begin(), run.latencies_ms.end());
  run.failures = failures;
  return run;
}

double percentile(const std::vector<double>& sorted, double q) {
  return sorted.empty() ? 0 : sorted[static_cast<std::size_t>(q * (sorted.size() - 1))];
}

// More than this many cores used by other processes during a run disturbs it (2 cores here).
constexpr double kMaxOutsideCores = 0.15;

bool disturbed(const Run& r) {
  return r.outside_cores > kMaxOutsideCores || r.steal_cores > 0.05;
}

void print_run(const char* what, int connections, const Run& r) {
  double n = static_cast<double>(r.latencies_ms.size());
  std::printf(
      "  %-22s %3d conn  %8.0f /s   p50 %6.2f ms  p99 %6.2f ms   server CPU %5.0f us/req"
      "   client CPU %5.0f us/req   outside %.2f cores%s%s\n",
      what, connections, n / r.seconds, percentile(r.latencies_ms, 0.5),
      percentile(r.latencies_ms, 0.99), r.server_cpu / n * 1e6, r.client_cpu / n * 1e6,
      r.outside_cores, disturbed(r) ? "   DISTURBED" : "", r.failures ? "   FAILURES" : "");
  std::fflush(stdout);
}

// One TSV line per run, in the columns of bench_peer_acs's summary (bench/run joins them).
void append_summary(const std::string& file, int connections, const Run& r, int attempts) {
  if (file.empty()) return;
  bool fresh = !fs::exists(file) || fs::file_size(file) == 0;
  std::ofstream out(file, std::ios::app);
  if (fresh)
    out << "peer\tconnections\tlogins\taccepted\trefused\tseconds\tlogins_per_s\tp50_ms\tp99_ms"
           "\tserver_cpu_ms_per_login\tclient_cpu_us_per_login\toutside_cores\tattempts"
           "\tdisturbed\n";
  std::size_t n = r.latencies_ms.size();
  std::size_t accepted = n - r.failures;
  double per = static_cast<double>(std::max<std::size_t>(accepted, 1));
  char line[512];
  std::snprintf(line, sizeof line,
                "ssoconnect\t%d\t%zu\t%zu\t%zu\t%.3f\t%.1f\t%.3f\t%.3f\t%.3f\t%.1f\t%.3f\t%d\t%s\n",
                connections, n, accepted, r.failures, r.seconds,
                static_cast<double>(accepted) / r.seconds, percentile(r.latencies_ms, 0.5),
                percentile(r.latencies_ms, 0.99), r.server_cpu / per * 1e3,
                r.client_cpu / per * 1e6, r.outside_cores, attempts, disturbed(r) ? "yes" : "no");
  out << line;
}

// The crypto floor of one login in this process: two RSA-2048 signature checks (Response and
// Assertion), one X25519 + HKDF + AES-GCM seal, one AES-GCM open of the stored password.
double crypto_floor_us(const forge::IdpKey& idp) {
  ossl::Bio bio(BIO_new_file(idp.key_pem_file.c_str(), "r"));
  ossl::Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  Bytes data(4096, 7), sig(512);
  std::size_t sig_len = sig.size();
  ossl::MdCtx sign(EVP_MD_CTX_new());
  EVP_DigestSignInit(sign.get(), nullptr, EVP_sha256(), nullptr, key.get());
  EVP_DigestSign(sign.get(), sig.data(), &sig_len, data.data(), data.size());
  auto pair = vault::ClientKeyPair::generate_x25519();
  auto client = vault::ClientPublicKey::from_spki_der(pair->public_spki_der());
  SecretBytes password(43, 'p');
  const int rounds = 2000;
  auto start = Clock::now();
  for (int i = 0; i < rounds; ++i) {
    for (int s = 0; s < 2; ++s) {
      ossl::MdCtx verify(EVP_MD_CTX_new());
      EVP_DigestVerifyInit(verify.get(), nullptr, EVP_sha256(), nullptr, key.get());
      if (EVP_DigestVerify(verify.get(), sig.data(), sig_len, data.data(), data.size()) != 1)
        std::abort();
    }
    if (!client->seal(password, "session")) std::abort();
  }
  return ms_since(start) * 1000.0 / rounds;
}

}  // namespace
}  // namespace ssoc::bench

int main(int argc, char** argv) {
  using namespace ssoc::bench;
  bool quick = ssoc::bench::quick(argc, argv);
  std::size_t per_level = quick ? 30 : 3000, memory_logins = 0;
  std::string summary;
  std::vector<int> levels = quick ? std::vector<int>{1, 4} : std::vector<int>{1, 4, 16};
  for (int i = 1; i + 1 < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--logins") per_level = std::stoul(argv[i + 1]);
    if (arg == "--memory") memory_logins = std::stoul(argv[i + 1]);
    if (arg == "--summary") summary = argv[i + 1];
    if (arg == "--connections") {
      levels.clear();
      std::stringstream list(argv[i + 1]);
      for (std::string n; std::getline(list, n, ',');) levels.push_back(std::stoi(n));
    }
  }
  const std::size_t users = quick ? 20 : 1000;
  const int attempts = quick ? 1 : 3;

  Setup s;
  start_service(s);
  std::printf("ACS logins through the real service over HTTPS keep-alive (loopback, %u cores)\n",
              std::thread::hardware_concurrency());
  std::printf(
      "  %zu logins per run (transactions + signed responses made first, %zu users; the "
      "first run creates them)\n",
      per_level, users);
  std::printf("  service RSS after start-up: %s\n", status_field(s.service.pid, "VmRSS").c_str());
  std::fflush(stdout);
  std::vector<std::string> pings(quick ? 200 : 5000, ssoc::http::test::get_request("/ping"));
  std::size_t offset = 0, posted = 0;
  for (int connections : levels) {
    // A run disturbed by outside load is made again with fresh responses (each is posted once).
    Run acs;
    int attempt = 0;
    while (attempt++ < attempts) {
      Prepared batch = prepare(s, per_level, users, offset);
      offset += per_level;
      if (!quick) wait_for_quiet(kMaxOutsideCores);
      acs = drive(s, batch.requests, connections, "name=\"token\"");
      posted += per_level;
      if (!disturbed(acs)) break;
      if (attempt < attempts) print_run("(disturbed, again)", connections, acs);
    }
    print_run("POST /saml/acs", connections, acs);
    append_summary(summary, connections, acs, std::min(attempt, attempts));
    Run ping = drive(s, pings, connections, "\"status\":\"Ready\"");
    print_run("peer: GET /ping", connections, ping);
  }
  std::printf(
      "  crypto floor of one login (2 RSA-2048 verifies + X25519 seal), one core: %.1f us\n",
      crypto_floor_us(s.idp));
  std::printf("  service after %zu logins: peak RSS (VmHWM) %s, RSS %s, users %zu\n", posted,
              status_field(s.service.pid, "VmHWM").c_str(),
              status_field(s.service.pid, "VmRSS").c_str(), s.store->user_count());
  // Memory: logins in batches (a transaction lives 5 minutes, so they cannot all be made first),
  // at 16 connections, the peak resident size reported after 10k and at the end.
  if (memory_logins > 0) {
    const std::size_t batch_size = 10000;
    std::size_t done = 0, failures = 0;
    while (done < memory_logins) {
      std::size_t n = std::min(batch_size, memory_logins - done);
      Prepared batch = prepare(s, n, users, offset);
      offset += n;
      failures += drive(s, batch.requests, 16, "name=\"token\"").failures;
      done += n;
      if (done == batch_size || done == memory_logins)
        std::printf("  memory after %zu more logins%s: peak RSS (VmHWM) %s, RSS %s\n", done,
                    failures ? " (WITH FAILURES)" : "",
                    status_field(s.service.pid, "VmHWM").c_str(),
                    status_field(s.service.pid, "VmRSS").c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}
