// The HSM lost while the service runs, and a start-up without it, through the real binary: a
// folder configured by `ssoconnect config --answers` with its settings sealed by the network HSM
// (tests/pkcs11/nethsm: SoftHSM2 served by another process), `ssoconnect start` serving HTTPS,
// logins posted to /saml/acs with responses signed by the test IdP (tests/support/saml), and a
// change made with `config --answers` while the HSM is cut off (server stopped: a closed socket)
// or frozen (SIGSTOP: it accepts the connection and never answers).
//
// The network module is told to wait a minute per call (timeout_ms=60000), so that only SSO
// Connect's own deadline (hsm_timeout, sks.properties) can end the wait for a frozen HSM.
#include <gtest/gtest.h>

#include <chrono>

#include "cli/cli_support.hpp"
#include "client/token.hpp"
#include "http_fixture.hpp"
#include "service/service_fixture.hpp"
#include "store/store.hpp"
#include "support/hsm_fixture.hpp"
#include "vault/client_key.hpp"

namespace ssoc::test {
namespace {

using Clock = std::chrono::steady_clock;
using http::test::get_request;
using http::test::post_request;
using http::test::TestClient;

constexpr const char* kAllowedRedirect = "https://vault.example.test/done";
constexpr const char* kSksLine = "Unable to use Secure Key Storage: hsm-unreachable: ";

class HsmLoss : public ::testing::Test {
 protected:
  FolderFixture fx{FolderFixture::Hsm::NetworkSoftHsm};
  forge::IdpKey idp = forge::make_idp_key(fx.dir.path(), "idp.test");
  std::string port = free_port();
  fs::path service_log = fx.dir / "service.log";
  std::shared_ptr<SSL_CTX> tls;

  void SetUp() override {
    fs::remove_all(fx.data);  // `config` makes the folder, as for a new installation
    fs::path metadata = fx.dir / "idp-metadata.xml";
    write_all(metadata, as_bytes(forge::idp_metadata_xml(kIdpEntity, idp.cert_pem_file,
                                                         "https://idp.test/sso")));
    CliResult configured = config(
        "external_host=sso.test\nexternal_port=8443\nbind_address=127.0.0.1\nbind_port=" + port +
        "\nadmin_port=" + free_port() + "\nkeystore_file=" + fx.chain.p12.string() +
        "\nkeystore_password=" + fx.chain.password + "\nidp_metadata_file=" + metadata.string() +
        "\nsks_enabled=true\nsks_module=" + fx.token.module_path + "\nsks_module_init_args=" +
        fx.token.init_args + " timeout_ms=60000\nsks_token_label=" + fx.token.token_label +
        "\nsks_password=" + fx.token.pin + "\n");
    ASSERT_EQ(configured.status, 0) << configured.err;
    ASSERT_TRUE(fs::exists(fx.data / "sks.properties"));
    tls = *http::make_client_tls({test::chain_ca_der(fx.chain.pem)});
  }

  // `ssoconnect config --answers` with these answers.
  CliResult config(const std::string& answers) {
    fs::path file = fx.dir / "answers.properties";
    write_all(file, as_bytes(answers));
    ::chmod(file.c_str(), 0600);
    return run_cli({"--data-dir", fx.data.string(), "--log-file", (fx.dir / "config.log").string(),
                    "config", "--answers", file.string()});
  }
  // The change of these tests: one more allowed redirect URI.
  CliResult change() { return config(std::string("redirect_allow=") + kAllowedRedirect + "\n"); }

  // What an operator would add to sks.properties.
  void add_sks_setting(const std::string& line) {
    std::string text = text_of(fx.data / "sks.properties") + line + "\n";
    write_all(fx.data / "sks.properties", as_bytes(text));
  }

  // Every file of the folder but the locks and the login cache (logins rightly change that).
  std::map<std::string, Bytes> settings_files() const {
    std::map<std::string, Bytes> files = fx.snapshot();
    std::erase_if(files, [](const auto& file) { return file.first.starts_with("ssoconnect.db"); });
    return files;
  }

  std::unique_ptr<TestClient> connect() const {
    std::string why;
    auto client = TestClient::connect(static_cast<std::uint16_t>(std::stoi(port)), tls.get(), &why);
    if (!client) throw std::runtime_error(why);
    return client;
  }
  int status_of(const std::string& target) const {
    auto client = connect();
    if (!client->send(get_request(target))) return 0;
    auto response = client->read_response();
    return response ? response->status : 0;
  }
  bool ping_ready() const {
    auto client = connect();
    if (!client->send(get_request("/ping"))) return false;
    auto response = client->read_response();
    return response && response->status == 200 &&
           response->body.find("\"status\":\"Ready\"") != std::string::npos;
  }
  // GET /sso/login for the redirect URI that the change allows: 400 before it, 302 after.
  int login_status_for_allowed_redirect() const {
    auto keys = vault::ClientKeyPair::generate_x25519();
    return status_of("/sso/login?key=" + keys->public_base64url() +
                     "&redirect_uri=" + http::percent_encode(kAllowedRedirect) + "&state=s");
  }

  // A whole login of alice over HTTPS, as a vault client and the IdP make it; returns the
  // master password delivered (empty, with a test failure, if the login does not complete).
  std::string login() const {
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
    // The AuthnRequest id the response must answer, from the service's own store.
    auto now = static_cast<std::int64_t>(std::time(nullptr));
    auto store = store::Store::open(fx.data / "ssoconnect.db");
    if (!store) throw std::runtime_error(store.error().describe());
    auto pending = (*store)->find_transaction(relay_state, now);
    if (!pending || !*pending) throw std::runtime_error("no login transaction");

    forge::ResponseSpec spec;
    spec.idp_entity_id = kIdpEntity;
    spec.destination = spec.recipient = kAcsUrl;
    spec.audience = kSpEntity;
    spec.in_response_to = (*pending)->request_id;
    spec.name_id = "alice@example.test";
    spec.attributes = {{"Email", spec.name_id}, {"First", "Alice"}, {"Last", "Example"}};
    spec.now = static_cast<std::time_t>(now);
    spec.signer = idp;
    auto poster = connect();
    poster->send(
        post_request("/saml/acs", forge::form_body(forge::make_response(spec), relay_state)));
    auto page = poster->read_response(std::chrono::seconds(30));
    if (!page || page->status != 200) {
      ADD_FAILURE() << "POST /saml/acs: " << (page ? page->status : 0);
      return {};
    }
    auto token = client::parse_token(token_field(page->body));
    if (!token) throw std::runtime_error(token.error().describe());
    auto password = keys->open(token->password, token->session_id);
    if (!password) throw std::runtime_error(password.error().describe());
    return std::string(as_text(*password));
  }

  // The change fails with status 3 and hsm-unreachable, and leaves every file as it was; the
  // running service goes on with its old settings. Returns how long the change took.
  Clock::duration expect_change_refused(const std::string& password) {
    auto before = settings_files();
    auto started = Clock::now();
    CliResult refused = change();
    auto took = Clock::now() - started;
    EXPECT_EQ(refused.status, 3) << refused.err;
    EXPECT_NE(refused.err.find(" ERROR " + std::string(kSksLine)), std::string::npos)
        << refused.err;
    EXPECT_EQ(settings_files(), before);
    EXPECT_TRUE(ping_ready());
    EXPECT_EQ(login_status_for_allowed_redirect(), 400);
    EXPECT_EQ(login(), password);
    return took;
  }

  // With the HSM back, the same change works and the running service takes it at its SIGHUP.
  void expect_change_applied(RunningService& service, const std::string& password) {
    CliResult applied = change();
    EXPECT_EQ(applied.status, 0) << applied.err;
    EXPECT_TRUE(service.wait_for_log("settings reloaded")) << text_of(service_log);
    EXPECT_EQ(login_status_for_allowed_redirect(), 302);
    EXPECT_EQ(login(), password);
    EXPECT_EQ(text_of(service_log).find("SSO Connect stopping"), std::string::npos);
    EXPECT_EQ(service.stop(), 0);
  }
};

TEST_F(HsmLoss, ServerStoppedLoginsGoOnAChangeFailsUntouchedAndWorksOnceItIsBack) {
  RunningService service(fx.data, service_log);
  ASSERT_TRUE(service.wait_for_log(" ready")) << text_of(service_log);
  const std::string password = login();
  ASSERT_EQ(password.size(), 43u);

  fx.network->stop();
  EXPECT_EQ(login(), password);  // the HSM is not needed for a login
  Clock::duration took = expect_change_refused(password);
  EXPECT_LT(took, std::chrono::seconds(15));

  fx.network->start();
  expect_change_applied(service, password);
}

TEST_F(HsmLoss, HsmThatNeverAnswersLoginsGoOnAChangeFailsAtTheDeadlineAndWorksOnceItAnswers) {
  add_sks_setting("hsm_timeout=2");
  RunningService service(fx.data, service_log);
  ASSERT_TRUE(service.wait_for_log(" ready")) << text_of(service_log);
  const std::string password = login();
  ASSERT_EQ(password.size(), 43u);

  fx.network->freeze();
  EXPECT_EQ(login(), password);
  Clock::duration took = expect_change_refused(password);
  // Ended by the 2 s deadline, not by the module's minute: "it does not hang".
  EXPECT_LT(took, std::chrono::seconds(20));

  fx.network->thaw();
  expect_change_applied(service, password);
  // The change rewrote sks.properties and kept the operator's limit.
  EXPECT_NE(text_of(fx.data / "sks.properties").find("\nhsm_timeout=2\n"), std::string::npos);
}

// The bound on a start-up whose HSM cannot be reached: a closed socket fails at once (three
// attempts with 250 + 500 ms of back-off); an HSM that never answers fails at hsm_timeout
// (default 10 s). Either way within 15 s; the test allows twice that.
TEST_F(HsmLoss, StartWithoutTheHsmExitsWithStatus3AndHsmUnreachableInBoundedTime) {
  auto start = [&] {
    auto started = Clock::now();
    CliResult result = run_cli(
        {"--data-dir", fx.data.string(), "--log-file", (fx.dir / "start.log").string(), "start"});
    EXPECT_EQ(result.status, 3) << result.err;
    EXPECT_NE(result.err.find(" ERROR " + std::string(kSksLine)), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("doctor"), std::string::npos) << result.err;  // what to do
    EXPECT_LT(Clock::now() - started, std::chrono::seconds(30));
    return result;
  };

  fx.network->stop();
  CliResult closed = start();
  EXPECT_NE(closed.err.find("CKR_DEVICE_ERROR"), std::string::npos) << closed.err;
  EXPECT_NE(closed.err.find("3 attempts"), std::string::npos) << closed.err;

  fx.network->start();
  fx.network->freeze();
  CliResult silent = start();
  EXPECT_NE(silent.err.find("did not finish within 10 s"), std::string::npos) << silent.err;
  fx.network->thaw();
}

}  // namespace
}  // namespace ssoc::test
