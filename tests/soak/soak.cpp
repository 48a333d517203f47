// Soak test: the real service (`ssoconnect start`, its own process, on a temporary data folder)
// under 16 parallel clients logging in for a fixed time over HTTPS, with a mix of good responses
// and bad ones made by the test IdP (tests/support/saml). It fails (exit status 1) when:
//
//  - a good login does not deliver its user's one master password (status, token, seal, or a
//    password other than the one that user got before);
//  - a bad response is not refused: tampered after signing, signed by another key, replayed,
//    expired, for another audience, unsolicited, garbage must get 400, an oversized one 413, and
//    none of them a page with a token field;
//  - the service's RSS (VmRSS) grew after the warm-up by more than --rss-growth-mb (5 MiB) plus
//    what SQLite's page cache may take for the database's own growth (the store keeps up to
//    8 MiB of pages, cache_size = -8192, and the transactions and replay cache grow until
//    their rows expire after 5 minutes), counting at most 8 MiB for it;
//  - its open file descriptors, once every client has hung up, exceed their count after the
//    warm-up by more than --fd-slack (4);
//  - the service exits, or its log holds an ERROR line.
//
//   ssoc_soak [--seconds N] [--warmup N] [--clients N] [--users N] [--rss-growth-mb N]
//             [--fd-slack N]
//
// Exit status 77 (ctest's skip) when /proc/PID/fd of the service cannot be read: the service is
// not dumpable, so only root may count its descriptors.
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <regex>
#include <thread>

#include "client/token.hpp"
#include "common/encoding.hpp"
#include "common/openssl.hpp"
#include "http/message.hpp"
#include "http/tls.hpp"
#include "http_fixture.hpp"
#include "support/saml/saml_forge.hpp"
#include "support/test_env.hpp"
#include "vault/client_key.hpp"

namespace ssoc::soak {
namespace {

namespace fs = std::filesystem;
namespace forge = ssoc::test::saml;
using http::test::get_request;
using http::test::post_request;
using http::test::TestClient;
using Clock = std::chrono::steady_clock;

constexpr const char* kIdp = "https://idp.test/metadata";
constexpr const char* kSp = "https://sso.test/saml/metadata";
constexpr const char* kRedirect = "http://127.0.0.1:9/callback";
constexpr std::size_t kMiB = 1024 * 1024;
constexpr std::size_t kSqliteCacheBytes = 8 * kMiB;  // store.cpp: PRAGMA cache_size = -8192

struct Options {
  int seconds = 600, warmup = 0, clients = 16, users = 64;
  std::size_t rss_growth_mb = 5;
  int fd_slack = 4;
};

// What a client sends; every kind but Good must be refused.
enum class Kind {
  Good,
  Tampered,
  WrongSigner,
  Replayed,
  Expired,
  OtherAudience,
  Unsolicited,
  Garbage,
  Oversized,
  kCount
};
constexpr const char* kKindNames[] = {"good",        "tampered", "wrong signer",
                                      "replayed",    "expired",  "other audience",
                                      "unsolicited", "garbage",  "oversized"};
constexpr int kKinds = static_cast<int>(Kind::kCount);

struct Tally {
  std::array<std::atomic<long>, kKinds> sent{}, passed{}, failed{};
};

// ---- The service process and what /proc says about it. ----

struct ServiceProcess {
  pid_t pid = -1;
  std::uint16_t port = 0;
  ~ServiceProcess() { stop(); }
  void stop() {
    if (pid > 0) {
      ::kill(pid, SIGTERM);
      ::waitpid(pid, nullptr, 0);
      pid = -1;
    }
  }
  bool alive() const { return pid > 0 && ::waitpid(pid, nullptr, WNOHANG) == 0; }
};

std::size_t rss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoul(line.substr(6)) * 1024;
  return 0;
}

// Open descriptors of `pid`, or -1 when /proc/PID/fd cannot be read.
int fd_count(pid_t pid) {
  std::error_code error;
  fs::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", error);
  if (error) return -1;
  int count = 0;
  for (; it != fs::directory_iterator(); it.increment(error)) ++count;
  return error ? -1 : count;
}

// The database's logical size (page_count x page_size, the WAL's pages included): what the
// service's SQLite page cache could hold at most. 0 if it cannot be read.
std::uintmax_t database_bytes(const fs::path& file) {
  sqlite3* db = nullptr;
  std::uintmax_t bytes = 0;
  if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    std::int64_t pages = 0, page_size = 0;
    for (auto [pragma, out] :
         {std::pair{"PRAGMA page_count", &pages}, std::pair{"PRAGMA page_size", &page_size}}) {
      sqlite3_stmt* statement = nullptr;
      if (sqlite3_prepare_v2(db, pragma, -1, &statement, nullptr) == SQLITE_OK &&
          sqlite3_step(statement) == SQLITE_ROW)
        *out = sqlite3_column_int64(statement, 0);
      sqlite3_finalize(statement);
    }
    bytes = static_cast<std::uintmax_t>(pages * page_size);
  }
  sqlite3_close(db);
  return bytes;
}

void write_text(const fs::path& file, const std::string& text) {
  test::write_all(file, as_bytes(text));
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

struct Setup {
  test::TempDir dir;
  test::TestChain chain = test::make_test_chain(dir.path());
  forge::IdpKey idp = forge::make_idp_key(dir.path(), "idp.test");
  forge::IdpKey attacker = forge::make_idp_key(dir.path(), "attacker.test");
  fs::path data = dir / "data";
  fs::path log = dir / "service.log";
  std::shared_ptr<SSL_CTX> client_tls;
  ServiceProcess service;
  std::string acs_url;
};

void start_service(Setup& s) {
  fs::create_directories(s.data);
  fs::permissions(s.data, fs::perms::owner_all, fs::perm_options::replace);
  s.service.port = static_cast<std::uint16_t>(std::stoi(test::free_port()));
  std::string port = std::to_string(s.service.port);
  s.acs_url = "https://sso.test:" + port + "/saml/acs";
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
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(SSOC_BINARY, SSOC_BINARY, "--data-dir", s.data.c_str(), "--log-file", s.log.c_str(),
            "start", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  s.client_tls = *http::make_client_tls({test::chain_ca_der(s.chain.pem)});
  for (int i = 0; i < 500; ++i) {
    if (TestClient::connect(s.service.port, s.client_tls.get())) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("the service did not start; see " + s.log.string());
}

// ---- One client: a vault client and the IdP's browser leg in one thread. ----

// The ID of the AuthnRequest in a redirect Location, as the IdP reads it: SAMLRequest is
// base64 of raw DEFLATE (HTTP-Redirect binding).
std::string request_id_of(const std::string& location) {
  std::size_t q = location.find('?');
  auto form = http::parse_form(q == std::string::npos ? "" : location.substr(q + 1));
  std::string encoded;
  if (form)
    for (const auto& [k, v] : *form)
      if (k == "SAMLRequest") encoded = v;
  auto deflated = base64_decode(encoded);
  if (!deflated) return {};
  std::string xml(64 * 1024, '\0');
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) return {};
  z.next_in = const_cast<unsigned char*>(deflated->data());
  z.avail_in = static_cast<uInt>(deflated->size());
  z.next_out = reinterpret_cast<unsigned char*>(xml.data());
  z.avail_out = static_cast<uInt>(xml.size());
  int status = inflate(&z, Z_FINISH);
  xml.resize(z.total_out);
  inflateEnd(&z);
  if (status != Z_STREAM_END) return {};
  std::smatch id;
  if (!std::regex_search(xml, id, std::regex(" ID=\"([^\"]+)\""))) return {};
  return id[1];
}

std::string token_field(const std::string& html) {
  const std::string marker = "name=\"token\" value=\"";
  std::size_t at = html.find(marker);
  if (at == std::string::npos) return {};
  at += marker.size();
  std::string text = html.substr(at, html.find('"', at) - at), out;
  static const std::map<std::string, char> entities = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::size_t semi = text[i] == '&' ? text.find(';', i) : std::string::npos;
    auto found =
        semi == std::string::npos ? entities.end() : entities.find(text.substr(i, semi - i + 1));
    if (found == entities.end()) {
      out += text[i];
    } else {
      out += found->second;
      i = semi;
    }
  }
  return out;
}

class Client {
 public:
  Client(Setup& s, const Options& o, Tally& tally, std::mutex& forge_mutex,
         std::map<std::string, std::string>& passwords, std::mutex& passwords_mutex, int index)
      : s_(s),
        o_(o),
        tally_(tally),
        forge_mutex_(forge_mutex),
        passwords_(passwords),
        passwords_mutex_(passwords_mutex),
        index_(index),
        random_(index * 7919 + 1) {}

  // Logs in until `stop`; kinds go round so that every kind is sent by every client.
  void run(const std::atomic<bool>& stop) {
    for (long n = 0; !stop; ++n) {
      // Three good logins in four; the bad kinds take turns in the fourth.
      Kind kind = n % 4 != 3 ? Kind::Good : static_cast<Kind>(1 + (n / 4 + index_) % (kKinds - 1));
      if (kind == Kind::Replayed && last_good_.empty()) kind = Kind::Good;
      if (n % 25 == 0)
        connection_.reset();  // a new connection (handshake, accept, close) now and then
      bool ok = attempt(kind);
      tally_.sent[static_cast<int>(kind)]++;
      (ok ? tally_.passed : tally_.failed)[static_cast<int>(kind)]++;
      if (!ok && failures_reported_++ < 5)
        std::fprintf(stderr, "client %d: %s login failed: %s\n", index_,
                     kKindNames[static_cast<int>(kind)], why_.c_str());
    }
  }

  // One good login of `user`, for the warm-up's first pass.
  bool good_login_of(const std::string& user) { return login(Kind::Good, user); }

 private:
  TestClient* connection() {
    if (!connection_) {
      std::string why;
      connection_ = TestClient::connect(s_.service.port, s_.client_tls.get(), &why);
      if (!connection_) why_ = "connect: " + why;
    }
    return connection_.get();
  }

  std::optional<http::test::ParsedResponse> exchange(const std::string& request) {
    TestClient* client = connection();
    if (!client) return std::nullopt;
    if (!client->send(request)) {
      why_ = "send failed";
      connection_.reset();
      return std::nullopt;
    }
    auto response = client->read_response(std::chrono::seconds(60));
    if (!response) {
      why_ = "no response";
      connection_.reset();
      return std::nullopt;
    }
    if (response->header("connection") == "close") connection_.reset();
    return response;
  }

  bool attempt(Kind kind) {
    std::uniform_int_distribution<int> pick(0, o_.users - 1);
    return login(kind, "user" + std::to_string(pick(random_)) + "@example.test");
  }

  bool login(Kind kind, const std::string& user) {
    if (kind == Kind::Oversized) return oversized();
    if (kind == Kind::Replayed) return expect_refused(exchange(last_good_), 400);
    auto keys = vault::ClientKeyPair::generate_x25519();
    if (!keys) return fail("key pair: " + keys.error().describe());
    auto redirect =
        exchange(get_request("/sso/login?key=" + keys->public_base64url() +
                             "&redirect_uri=" + http::percent_encode(kRedirect) + "&state=soak"));
    if (!redirect) return false;
    if (redirect->status != 302) return fail("GET /sso/login: " + std::to_string(redirect->status));
    std::string location = redirect->header("location").value_or("");
    std::string relay_state, request_id = request_id_of(location);
    auto form = http::parse_form(location.substr(location.find('?') + 1));
    if (form)
      for (const auto& [k, v] : *form)
        if (k == "RelayState") relay_state = v;
    if (relay_state.empty() || request_id.empty()) return fail("redirect without a request");

    std::string body;
    {
      std::lock_guard lock(forge_mutex_);  // one test IdP for all clients
      forge::ResponseSpec spec;
      spec.idp_entity_id = kIdp;
      spec.destination = spec.recipient = s_.acs_url;
      spec.audience = kSp;
      spec.in_response_to = request_id;
      spec.name_id = user;
      spec.attributes = {{"Email", user}, {"First", "Soak"}, {"Last", "Client"}};
      spec.signer = s_.idp;
      if (kind == Kind::WrongSigner) spec.signer = s_.attacker;
      if (kind == Kind::Expired) spec.now = std::time(nullptr) - 3600;
      if (kind == Kind::OtherAudience) spec.audience = "https://other.test/saml/metadata";
      if (kind == Kind::Unsolicited) spec.in_response_to.clear();
      if (kind == Kind::Garbage) {
        std::string junk(4000, '\0');
        for (char& c : junk) c = static_cast<char>(random_());
        body = "SAMLResponse=" + http::percent_encode(forge::base64(junk)) +
               "&RelayState=" + http::percent_encode(relay_state);
      } else {
        std::string xml = forge::make_response(spec);
        if (kind == Kind::Tampered) xml = forge::replace_after_signing(xml, ">Soak<", ">Evil<");
        body = forge::form_body(xml, kind == Kind::Unsolicited ? "" : relay_state);
      }
    }
    std::string request = post_request("/saml/acs", body);
    auto page = exchange(request);
    if (kind != Kind::Good) return expect_refused(page, 400);
    if (!page) return false;
    if (page->status != 200) return fail("POST /saml/acs: " + std::to_string(page->status));
    auto token = client::parse_token(token_field(page->body));
    if (!token) return fail("token: " + token.error().describe());
    if (token->user != user) return fail("token for " + token->user + ", not " + user);
    auto password = keys->open(token->password, token->session_id);
    if (!password) return fail("seal: " + password.error().describe());
    std::string text(as_text(*password));
    if (text.size() != 43) return fail("a password of " + std::to_string(text.size()) + " bytes");
    {
      std::lock_guard lock(passwords_mutex_);
      auto [known, fresh] = passwords_.emplace(user, text);
      if (!fresh && known->second != text) return fail("another password for " + user);
    }
    last_good_ = std::move(request);
    return true;
  }

  // A head announcing more than the service takes (1 MiB + 4 KiB): 413 from the head alone.
  bool oversized() {
    std::string head =
        "POST /saml/acs HTTP/1.1\r\nHost: sso.test\r\nContent-Type: "
        "application/x-www-form-urlencoded\r\nContent-Length: " +
        std::to_string(2 * kMiB) + "\r\n\r\n";
    return expect_refused(exchange(head), 413);
  }

  bool expect_refused(const std::optional<http::test::ParsedResponse>& page, int status) {
    if (!page) return false;
    if (page->status != status) return fail("status " + std::to_string(page->status));
    if (page->body.find("name=\"token\"") != std::string::npos) return fail("a token page");
    return true;
  }

  bool fail(const std::string& why) {
    why_ = why;
    return false;
  }

  Setup& s_;
  const Options& o_;
  Tally& tally_;
  std::mutex& forge_mutex_;
  std::map<std::string, std::string>& passwords_;
  std::mutex& passwords_mutex_;
  int index_;
  std::minstd_rand random_;
  std::unique_ptr<TestClient> connection_;
  std::string last_good_;  // the last accepted POST, to replay
  std::string why_;
  int failures_reported_ = 0;
};

// ---- The run. ----

struct Shared {
  Tally tally;
  std::mutex forge_mutex, passwords_mutex;
  std::map<std::string, std::string> passwords;
};

void drive(Setup& s, const Options& o, Shared& shared, int seconds) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c)
    threads.emplace_back([&, c] {
      Client client(s, o, shared.tally, shared.forge_mutex, shared.passwords,
                    shared.passwords_mutex, c);
      client.run(stop);
    });  // the client's connection closes when it ends
  auto end = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < end && s.service.alive())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop = true;
  for (auto& t : threads) t.join();
}

// Every client has hung up; the service's count settles once it has seen the last FINs.
int quiet_fd_count(pid_t pid, int at_most) {
  int count = fd_count(pid);
  for (int i = 0; i < 50 && count > at_most; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    count = fd_count(pid);
  }
  return count;
}

int parse_int(const char* text) {
  return std::stoi(text);
}

int run(const Options& o) {
  Setup s;
  start_service(s);
  if (fd_count(s.service.pid) < 0) {
    std::printf("SKIPPED: /proc/%d/fd is not readable (the service is not dumpable): run as root\n",
                s.service.pid);
    return 77;
  }
  Shared shared;
  auto started = Clock::now();
  // Warm-up: every user's first login (their rows), then the mixed load, so that the heap, TLS,
  // SQLite and the worker threads have reached their working size.
  {
    Client first(s, o, shared.tally, shared.forge_mutex, shared.passwords, shared.passwords_mutex,
                 -1);
    for (int u = 0; u < o.users; ++u)
      if (!first.good_login_of("user" + std::to_string(u) + "@example.test")) {
        std::printf("FAIL: the first login of user%d did not complete\n", u);
        return 1;
      }
  }
  drive(s, o, shared, o.warmup);
  const fs::path db = s.data / "ssoconnect.db";
  int fd_base = quiet_fd_count(s.service.pid, 0);
  std::size_t rss_base = rss_bytes(s.service.pid);
  std::uintmax_t db_base = database_bytes(db);
  long warm_logins = 0;
  for (auto& n : shared.tally.sent) warm_logins += n;
  for (auto& n : shared.tally.sent) n = 0;
  for (auto& n : shared.tally.passed) n = 0;
  std::printf("after %lld s of warm-up (%ld logins): RSS %.1f MiB, %d fds, database %.1f MiB\n",
              static_cast<long long>(
                  std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - started).count()),
              warm_logins, static_cast<double>(rss_base) / kMiB, fd_base,
              static_cast<double>(db_base) / kMiB);
  std::fflush(stdout);

  // The measured run; RSS sampled every few seconds so that a trend shows.
  std::atomic<bool> sampling{true};
  std::size_t rss_peak = rss_base;
  std::thread sampler([&] {
    auto last_print = Clock::now();
    while (sampling) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      std::size_t rss = rss_bytes(s.service.pid);
      rss_peak = std::max(rss_peak, rss);
      if (Clock::now() - last_print >= std::chrono::seconds(o.seconds >= 120 ? 60 : 5)) {
        last_print = Clock::now();
        std::printf("  %4.0f s: RSS %.1f MiB, %d fds (clients connected), database %.1f MiB\n",
                    std::chrono::duration<double>(Clock::now() - started).count(),
                    static_cast<double>(rss) / kMiB, fd_count(s.service.pid),
                    static_cast<double>(database_bytes(s.data / "ssoconnect.db")) / kMiB);
        std::fflush(stdout);
      }
    }
  });
  auto measured = Clock::now();
  drive(s, o, shared, o.seconds);
  double elapsed = std::chrono::duration<double>(Clock::now() - measured).count();
  sampling = false;
  sampler.join();

  bool ok = true;
  if (!s.service.alive()) {
    std::printf("FAIL: the service exited during the run; see its log\n");
    return 1;
  }
  int fd_end = quiet_fd_count(s.service.pid, fd_base + o.fd_slack);
  std::size_t rss_end = rss_bytes(s.service.pid);
  std::uintmax_t db_end = database_bytes(db);

  long total = 0;
  std::printf("%d clients for %.0f s: ", o.clients, elapsed);
  for (auto& n : shared.tally.sent) total += n;
  std::printf("%ld logins (%.0f/s)\n", total, static_cast<double>(total) / elapsed);
  for (int k = 0; k < kKinds; ++k) {
    long sent = shared.tally.sent[k], passed = shared.tally.passed[k];
    std::printf("  %-15s %7ld sent, %7ld %s%s\n", kKindNames[k], sent, passed,
                k == 0 ? "delivered their user's password" : "refused as they must be",
                sent == passed ? "" : "   <-- FAILURES");
    if (sent != passed || sent == 0) ok = false;
  }
  std::uintmax_t cache_allowance =
      std::min<std::uintmax_t>(kSqliteCacheBytes, db_end > db_base ? db_end - db_base : 0);
  std::size_t rss_bound = rss_base + o.rss_growth_mb * kMiB + cache_allowance;
  std::printf(
      "RSS: %.1f MiB after warm-up, %.1f MiB at the end (peak %.1f); bound %.1f MiB = +%zu MiB "
      "+ %.1f MiB of database growth (SQLite page cache, at most 8)\n",
      static_cast<double>(rss_base) / kMiB, static_cast<double>(rss_end) / kMiB,
      static_cast<double>(rss_peak) / kMiB, static_cast<double>(rss_bound) / kMiB, o.rss_growth_mb,
      static_cast<double>(cache_allowance) / kMiB);
  if (rss_end > rss_bound) {
    std::printf("FAIL: the service's memory grew beyond the bound\n");
    ok = false;
  }
  std::printf("fds with no client connected: %d after warm-up, %d at the end (bound +%d)\n",
              fd_base, fd_end, o.fd_slack);
  if (fd_end > fd_base + o.fd_slack) {
    std::printf("FAIL: the service holds more file descriptors than after the warm-up\n");
    ok = false;
  }
  Bytes log = test::read_all(s.log);
  std::string log_text(log.begin(), log.end());
  if (log_text.find(" ERROR ") != std::string::npos) {
    std::printf("FAIL: the service logged an ERROR line:\n%s\n", log_text.c_str());
    ok = false;
  }
  s.service.stop();
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace ssoc::soak

int main(int argc, char** argv) {
  using namespace ssoc::soak;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    bool has_value = i + 1 < argc;
    if (arg == "--seconds" && has_value) {
      o.seconds = parse_int(argv[++i]);
    } else if (arg == "--warmup" && has_value) {
      o.warmup = parse_int(argv[++i]);
    } else if (arg == "--clients" && has_value) {
      o.clients = parse_int(argv[++i]);
    } else if (arg == "--users" && has_value) {
      o.users = parse_int(argv[++i]);
    } else if (arg == "--rss-growth-mb" && has_value) {
      o.rss_growth_mb = static_cast<std::size_t>(parse_int(argv[++i]));
    } else if (arg == "--fd-slack" && has_value) {
      o.fd_slack = parse_int(argv[++i]);
    } else {
      std::fprintf(stderr,
                   "usage: ssoc_soak [--seconds N] [--warmup N] [--clients N] [--users N] "
                   "[--rss-growth-mb N] [--fd-slack N]\n");
      return 2;
    }
  }
  // The warm-up: a tenth of the run, between 5 s and 60 s, unless given.
  if (o.warmup == 0) o.warmup = std::clamp(o.seconds / 10, 5, 60);
  ::signal(SIGPIPE, SIG_IGN);
  try {
    return run(o);
  } catch (const std::exception& e) {
    std::printf("FAIL: %s\n", e.what());
    return 1;
  }
}
