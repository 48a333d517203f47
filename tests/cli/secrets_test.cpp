// Secrets stay secret, through the real binary on SoftHSM2: `config --answers` (Secure Key
// Storage on, the PIN in a file outside the data folder), `start`, logins of new and returning
// users over HTTPS (test IdP, tests/support/saml), `sks rotate`, `backup --out`. Then:
//
//  - no secret it used (the PIN, the SO PIN, the keystore password, the delivered master
//    passwords, the master-password key and the instance secret key) appears, as text, base64,
//    base64url, hex or raw bytes, in the logs, any file of the data folder (the database with
//    its WAL included), the backup archive or the service's command line;
//  - the service is not dumpable (another process of its user, without capabilities, cannot open
//    its memory, while it can open that of an ordinary program);
//  - once the responses are sent, the service's writable memory holds none of the master
//    passwords it delivered (read as root through /proc/PID/mem, the service stopped meanwhile).
#include <grp.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "cli/cli_support.hpp"
#include "client/token.hpp"
#include "common/encoding.hpp"
#include "common/unique_fd.hpp"
#include "http_fixture.hpp"
#include "service/service_fixture.hpp"
#include "settings/folder_settings.hpp"
#include "store/store.hpp"
#include "support/hsm_fixture.hpp"
#include "vault/client_key.hpp"

namespace ssoc::test {
namespace {

using http::test::get_request;
using http::test::post_request;
using http::test::TestClient;

std::string text_of_bytes(ByteView bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// A secret and the spellings it could leak in, each with a name for the failure message.
struct Secret {
  std::string name;
  std::vector<std::pair<std::string, std::string>> forms;  // (spelling, bytes)
};

Secret text_secret(const std::string& name, const std::string& text) {
  ByteView bytes = as_bytes(text);
  return {name, {{"text", text}, {"base64", base64_encode(bytes)}, {"hex", hex_encode(bytes)}}};
}

// A binary secret given in one encoding (`decoded` from it): raw, base64, base64url, hex.
Secret binary_secret(const std::string& name, const std::string& as_given, ByteView raw) {
  std::string hex = hex_encode(raw), upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return {name,
          {{"as given", as_given},
           {"raw", text_of_bytes(raw)},
           {"base64", base64_encode(raw)},
           {"base64url", base64url_encode(raw)},
           {"hex", hex},
           {"HEX", upper}}};
}

// Where a secret was found: "<place>: <secret> (<spelling>)".
std::vector<std::string> find_secrets(const std::string& place, const std::string& haystack,
                                      const std::vector<Secret>& secrets) {
  std::vector<std::string> found;
  for (const Secret& secret : secrets)
    for (const auto& [spelling, bytes] : secret.forms)
      if (!bytes.empty() && haystack.find(bytes) != std::string::npos)
        found.push_back(place + ": " + secret.name + " (" + spelling + ")");
  return found;
}

std::string file_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// A writable mapping of another process: its line of /proc/PID/maps and its bytes.
struct Region {
  std::string line;
  std::uintptr_t start = 0;
  std::string bytes;
};

// Every writable mapping of `pid` (heap, stacks, anonymous maps, data segments), read through
// /proc/PID/mem while the process is stopped.
std::vector<Region> writable_memory(pid_t pid) {
  std::string base = "/proc/" + std::to_string(pid);
  UniqueFd mem(::open((base + "/mem").c_str(), O_RDONLY));
  if (!mem.valid()) throw std::runtime_error("cannot open " + base + "/mem: run as root");
  std::vector<Region> regions;
  std::ifstream maps(base + "/maps");
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    if (perms.size() < 2 || perms[1] != 'w') continue;
    std::uintptr_t start = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
    std::uintptr_t end = std::stoull(range.substr(range.find('-') + 1), nullptr, 16);
    if (line.find("[vvar]") != std::string::npos) continue;
    Region region{line, start, std::string(end - start, '\0')};
    std::size_t got = 0;
    while (got < region.bytes.size()) {
      ssize_t n = ::pread(mem.get(), region.bytes.data() + got, region.bytes.size() - got,
                          static_cast<off_t>(start + got));
      if (n <= 0) break;  // a guard page or an unreadable tail
      got += static_cast<std::size_t>(n);
    }
    region.bytes.resize(got);
    regions.push_back(std::move(region));
  }
  return regions;
}

// Printable context around a hit, to tell which buffer holds it.
std::string context_at(const std::string& bytes, std::size_t at, std::size_t length) {
  std::size_t from = at >= 96 ? at - 96 : 0;
  std::size_t to = std::min(bytes.size(), at + length + 96);
  std::string out;
  for (std::size_t i = from; i < to; ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    out += (c >= 32 && c < 127) ? static_cast<char>(c) : '.';
  }
  return out;
}

class WholeFlow : public ::testing::Test {
 protected:
  FolderFixture fx;
  forge::IdpKey idp = forge::make_idp_key(fx.dir.path(), "idp.test");
  std::string port = free_port();
  fs::path logs = fx.dir / "logs";
  fs::path pin_file = fx.dir / "hsm.pin";
  std::shared_ptr<SSL_CTX> tls;

  void SetUp() override {
    fs::remove_all(fx.data);  // `config` makes the folder, as for a new installation
    fs::create_directories(logs);
    write_all(pin_file, as_bytes(fx.token.pin + "\n"));
    ::chmod(pin_file.c_str(), 0600);
    fs::path metadata = fx.dir / "idp-metadata.xml";
    write_all(metadata, as_bytes(forge::idp_metadata_xml(kIdpEntity, idp.cert_pem_file,
                                                         "https://idp.test/sso")));
    fs::path answers = fx.dir / "answers.properties";
    write_all(
        answers,
        as_bytes("external_host=sso.test\nexternal_port=8443\nbind_address=127.0.0.1\n"
                 "bind_port=" +
                 port + "\nadmin_port=" + free_port() + "\nkeystore_file=" + fx.chain.p12.string() +
                 "\nkeystore_password=" + fx.chain.password + "\nidp_metadata_file=" +
                 metadata.string() + "\nsks_enabled=true\nsks_module=" + fx.token.module_path +
                 "\nsks_token_label=" + fx.token.token_label +
                 "\nsks_password_file=" + pin_file.string() + "\n"));
    ::chmod(answers.c_str(), 0600);
    CliResult configured = cli("config.log", {"config", "--answers", answers.string()});
    ASSERT_EQ(configured.status, 0) << configured.err;
    ASSERT_TRUE(fs::exists(fx.data / "instance.encp"));
    tls = *http::make_client_tls({test::chain_ca_der(fx.chain.pem)});
  }

  CliResult cli(const std::string& log, std::vector<std::string> args) const {
    args.insert(args.begin(),
                {"--data-dir", fx.data.string(), "--log-file", (logs / log).string()});
    return run_cli(args);
  }

  std::unique_ptr<TestClient> connect() const {
    std::string why;
    auto client = TestClient::connect(static_cast<std::uint16_t>(std::stoi(port)), tls.get(), &why);
    if (!client) throw std::runtime_error(why);
    return client;
  }

  // A whole login of `user` over HTTPS; the master password delivered (empty, with a test
  // failure, if the login does not complete).
  std::string login(const std::string& user) const {
    auto keys = vault::ClientKeyPair::generate_x25519();
    if (!keys) throw std::runtime_error(keys.error().describe());
    auto client = connect();
    client->send(get_request("/sso/login?key=" + keys->public_base64url() +
                             "&redirect_uri=" + http::percent_encode(kRedirect) + "&state=s1"));
    auto redirect = client->read_response();
    if (!redirect || redirect->status != 302) {
      ADD_FAILURE() << "GET /sso/login: " << (redirect ? redirect->status : 0);
      return {};
    }
    std::string relay_state = query_value(redirect->header("location").value_or(""), "RelayState");
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    std::string request_id;
    {
      auto store = store::Store::open(fx.data / "ssoconnect.db");
      if (!store) throw std::runtime_error(store.error().describe());
      auto pending = (*store)->find_transaction(relay_state, now);
      if (!pending || !*pending) throw std::runtime_error("no login transaction");
      request_id = (*pending)->request_id;
    }
    forge::ResponseSpec spec;
    spec.idp_entity_id = kIdpEntity;
    spec.destination = spec.recipient = kAcsUrl;
    spec.audience = kSpEntity;
    spec.in_response_to = request_id;
    spec.name_id = user;
    spec.attributes = {{"Email", user}, {"First", "Secret"}, {"Last", "Keeper"}};
    spec.now = static_cast<std::time_t>(now);
    spec.signer = idp;
    client->send(
        post_request("/saml/acs", forge::form_body(forge::make_response(spec), relay_state)));
    auto page = client->read_response(std::chrono::seconds(30));
    if (!page || page->status != 200) {
      ADD_FAILURE() << "POST /saml/acs: " << (page ? page->status : 0);
      return {};
    }
    auto token = client::parse_token(token_field(page->body));
    if (!token) throw std::runtime_error(token.error().describe());
    auto password = keys->open(token->password, token->session_id);
    if (!password) throw std::runtime_error(password.error().describe());
    last_sealed = token->password;
    return std::string(as_text(*password));
  }
  // The sealed password of the last login: sent in a response and not secret, so left in the
  // service's memory unwiped; the memory search must find it.
  mutable std::string last_sealed;

  // The running service's pid, from its lock file.
  pid_t service_pid() const {
    std::string text = text_of(fx.data / "service.lock");
    if (text.empty() || text == "unknown") throw std::runtime_error("no pid in service.lock");
    return static_cast<pid_t>(std::stoi(text));
  }

  // Logins of three users, the first two twice (new, then returning); their passwords.
  std::map<std::string, std::string> log_in_users() const {
    std::map<std::string, std::string> passwords;
    for (const char* user : {"alice@example.test", "bob@example.test", "alice@example.test",
                             "carol@example.test", "bob@example.test"}) {
      std::string password = login(user);
      EXPECT_EQ(password.size(), 43u) << user;
      auto [known, fresh] = passwords.emplace(user, password);
      EXPECT_TRUE(fresh || known->second == password) << user << " got another password";
    }
    return passwords;
  }

  // The settings' binary secrets, read back through the HSM as the service does.
  std::vector<Secret> folder_keys() const {
    auto opened = settings::open_folder(fx.data);
    if (!opened) throw std::runtime_error(opened.error().describe());
    std::vector<Secret> keys;
    for (auto [props, key] : {std::pair{&opened->shared, "master_key"},
                              std::pair{&opened->instance, "instance_secret_key"}}) {
      auto value = props->get(key);
      if (!value) throw std::runtime_error(std::string("no ") + key + " in the settings");
      auto raw = base64_decode(*value);
      if (!raw || raw->size() != 32) throw std::runtime_error(std::string("bad ") + key);
      keys.push_back(binary_secret(key, std::string(*value), ByteView(raw->data(), raw->size())));
    }
    return keys;
  }

  static std::vector<Secret> password_secrets(const std::map<std::string, std::string>& passwords) {
    std::vector<Secret> secrets;
    for (const auto& [user, password] : passwords) {
      auto raw = base64url_decode(password);
      if (!raw) throw std::runtime_error("a master password that is not base64url");
      secrets.push_back(binary_secret("master password of " + user, password,
                                      ByteView(raw->data(), raw->size())));
    }
    return secrets;
  }
};

TEST_F(WholeFlow, NoSecretInTheLogsTheDatabaseTheBackupOrTheCommandLine) {
  RunningService service(fx.data, logs / "service.log");
  ASSERT_TRUE(service.wait_for_log(" ready")) << text_of(logs / "service.log");
  std::string command_line = file_text("/proc/" + std::to_string(service_pid()) + "/cmdline");
  ASSERT_NE(command_line.find("start"), std::string::npos);

  std::map<std::string, std::string> passwords = log_in_users();
  CliResult rotated = cli("rotate.log", {"sks", "rotate"});
  ASSERT_EQ(rotated.status, 0) << rotated.err;
  ASSERT_TRUE(service.wait_for_log("settings reloaded")) << text_of(logs / "service.log");
  EXPECT_EQ(login("alice@example.test"), passwords["alice@example.test"]);
  std::string dave = login("dave@example.test");  // a first login under the rotated key
  EXPECT_EQ(dave.size(), 43u);
  passwords["dave@example.test"] = dave;
  fs::path archive = fx.dir / "backup.ssocbak";
  CliResult backed_up = cli("backup.log", {"backup", "--out", archive.string()});
  ASSERT_EQ(backed_up.status, 0) << backed_up.err;
  EXPECT_EQ(service.stop(), 0);

  std::vector<Secret> secrets = password_secrets(passwords);
  for (Secret& key : folder_keys()) secrets.push_back(std::move(key));
  secrets.push_back(text_secret("HSM PIN", fx.token.pin));
  secrets.push_back(text_secret("HSM SO PIN", fx.token.so_pin));
  secrets.push_back(text_secret("keystore password", fx.chain.password));

  // Each place has something in it, so that the search could find a secret.
  std::vector<std::pair<std::string, std::string>> places = {
      {"command line", command_line}, {"backup archive", file_text(archive)}};
  for (const auto& entry : fs::directory_iterator(logs))
    places.emplace_back("log " + entry.path().filename().string(), file_text(entry.path()));
  for (const auto& entry : fs::directory_iterator(fx.data))
    places.emplace_back("data folder " + entry.path().filename().string(), file_text(entry.path()));
  std::set<std::string> names;
  for (const auto& [place, text] : places) names.insert(place);
  EXPECT_TRUE(names.count("data folder ssoconnect.db"));
  EXPECT_TRUE(names.count("log service.log"));
  EXPECT_GT(file_text(archive).size(), 4096u);

  // The search finds a secret where one is: the answers file holds the keystore password.
  EXPECT_FALSE(find_secrets("answers", file_text(fx.dir / "answers.properties"), secrets).empty());

  std::vector<std::string> found;
  for (const auto& [place, text] : places)
    for (std::string& hit : find_secrets(place, text, secrets)) found.push_back(std::move(hit));
  for (const std::string& hit : found) ADD_FAILURE() << "secret found in " << hit;
}

// The process makes itself non-dumpable first thing (cli::run). The check runs as `nobody`,
// a user without capabilities: a `ssoconnect start` of that user (on a folder without keystore,
// so it waits for a configuration) cannot have its memory opened by another process of the same
// user, while an ordinary program of that user (sleep) can: the contrast shows the check tells.
TEST(NotDumpable, AnotherProcessOfTheSameUserCannotOpenTheServicesMemory) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root, to run the check as another user";
  constexpr uid_t kNobody = 65534;
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::others_exec,
                  fs::perm_options::replace);
  fs::path home = dir / "nobody", data = home / "data", log = home / "service.log";
  fs::create_directories(data);
  FolderFixture::write_file(
      data / "instance.properties",
      secret_from(std::string_view("instance_id=123456789012\nexternal_host=sso.test\n")));
  FolderFixture::write_file(
      data / "shared.properties",
      secret_from(std::string_view("master_key=bWFzdGVyLWtleS0zMi1ieXRlcy1mb3ItdGVzdHMtLS0=\n"
                                   "master_key_id=1\n")));
  fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
  for (const fs::path& path :
       {home, data, data / "instance.properties", data / "shared.properties"})
    ASSERT_EQ(::chown(path.c_str(), kNobody, kNobody), 0) << path;

  auto opens = [](pid_t pid) {
    UniqueFd fd(::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY));
    return fd.valid();
  };
  pid_t checker = ::fork();
  if (checker == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)
      ::_exit(8);
    pid_t service = ::fork();
    if (service == 0) {
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      ::execl(SSOC_BINARY, SSOC_BINARY, "--data-dir", data.c_str(), "--log-file", log.c_str(),
              "start", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    pid_t plain = ::fork();
    if (plain == 0) {
      ::execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    bool ready = false, plain_opens = false;
    for (int i = 0; i < 200 && !(ready && plain_opens); ++i) {
      ready = ready || text_of(log).find(" ready") != std::string::npos;
      plain_opens = plain_opens || opens(plain);  // once it has exec'd (the fork is not dumpable)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    bool service_opens = opens(service);
    ::kill(plain, SIGKILL);
    ::kill(service, SIGTERM);
    ::waitpid(plain, nullptr, 0);
    ::waitpid(service, nullptr, 0);
    ::_exit((service_opens ? 1 : 0) | (plain_opens ? 0 : 2) | (ready ? 0 : 4));
  }
  int status = 0;
  ::waitpid(checker, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  int bits = WEXITSTATUS(status);
  ASSERT_NE(bits, 8) << "cannot become nobody";
  EXPECT_FALSE(bits & 4) << "the service of nobody did not start: " << text_of(log);
  EXPECT_FALSE(bits & 2) << "nobody could not open the memory of its own sleep: the check is blind";
  EXPECT_FALSE(bits & 1) << "nobody opened the memory of its service: it is dumpable";
}

// After the responses are sent, no delivered master password (text, raw bytes, hex) is left in
// the service's writable memory: heap, stacks, anonymous mappings, data segments. Root reads it
// through /proc/PID/mem (the process being not dumpable, nobody else can), with the service
// stopped (SIGSTOP) so that the picture is consistent. Freed memory counts too: a buffer freed
// without being wiped is what this test is for.
TEST_F(WholeFlow, NoMasterPasswordStaysInTheServicesMemoryAfterItsResponse) {
  if (::geteuid() != 0) GTEST_SKIP() << "reading another process's memory needs root";
#if defined(__SANITIZE_ADDRESS__)
  // ASan's allocator reserves terabytes of writable address space for the heap, which cannot
  // be read whole; the release build's run of this test searches the real heap.
  GTEST_SKIP() << "the service's heap under AddressSanitizer is a reserved region of terabytes";
#endif
  RunningService service(fx.data, logs / "service.log");
  ASSERT_TRUE(service.wait_for_log(" ready")) << text_of(logs / "service.log");
  std::map<std::string, std::string> passwords = log_in_users();
  ASSERT_EQ(passwords.size(), 3u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the workers are done

  pid_t pid = service_pid();
  std::vector<Secret> secrets = password_secrets(passwords);
  // The contrasts: something the service holds for good, and what the last response carried.
  std::string holds = "https://sso.test:8443/saml/acs", sent = last_sealed;
  ::kill(pid, SIGSTOP);
  std::vector<Region> regions;
  try {
    regions = writable_memory(pid);
  } catch (...) {
    ::kill(pid, SIGCONT);
    throw;
  }
  ::kill(pid, SIGCONT);
  std::size_t total = 0;
  bool found_contrast = false, found_sent = false;
  for (const Region& region : regions) {
    total += region.bytes.size();
    found_contrast = found_contrast || region.bytes.find(holds) != std::string::npos;
    found_sent = found_sent || region.bytes.find(sent) != std::string::npos;
    for (const Secret& secret : secrets)
      for (const auto& [spelling, bytes] : secret.forms) {
        if (spelling == "as given" || spelling == "HEX" || spelling == "base64") continue;
        for (std::size_t at = region.bytes.find(bytes); at != std::string::npos;
             at = region.bytes.find(bytes, at + 1))
          ADD_FAILURE() << secret.name << " (" << spelling << ") at 0x" << std::hex
                        << region.start + at << std::dec << " in " << region.line << "\n  "
                        << context_at(region.bytes, at, bytes.size());
      }
  }
  EXPECT_TRUE(found_contrast) << "the memory read does not see what the service holds";
  EXPECT_TRUE(found_sent) << "the memory read does not see freed buffers of the last response";
  EXPECT_GT(total, std::size_t{1} << 20);
  EXPECT_EQ(service.stop(), 0);
}

}  // namespace
}  // namespace ssoc::test
