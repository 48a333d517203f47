// The configuration wizard of the real binary, driven through a pseudo-terminal as an
// administrator would: defaults kept on Enter, wrong answers asked again, passwords not echoed,
// the SKS questions in DESIGN.md's wording and order.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <sys/socket.h>

#include "cli/cli_support.hpp"
#include "common/encoding.hpp"
#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::test {
namespace {

// IdP metadata with the test chain's leaf as signing certificate.
void write_metadata(const fs::path& file, const fs::path& leaf_pem) {
  std::string body = pem_body(leaf_pem);
  std::string xml =
      "<?xml version=\"1.0\"?>\n"
      "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
      "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://idp.test/metadata\">\n"
      " <md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n"
      "  <md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
      body +
      "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n"
      "  <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
      "Location=\"https://idp.test/sso\"/>\n"
      " </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n";
  write_all(file, as_bytes(xml));
}

// The wizard on a pseudo-terminal: expect a prompt, send an answer.
class Terminal {
 public:
  explicit Terminal(const std::vector<std::string>& args) {
    pid_ = ::forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      std::vector<char*> argv{const_cast<char*>(SSOC_BINARY)};
      for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
      argv.push_back(nullptr);
      ::execv(SSOC_BINARY, argv.data());
      ::_exit(127);
    }
  }
  ~Terminal() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(master_);
  }
  // Reads until `text` appears after what was consumed before; false on timeout or end.
  bool expect(const std::string& text, int seconds = 20) {
    for (int waited = 0; waited < seconds * 10;) {
      std::size_t at = screen_.find(text, consumed_);
      if (at != std::string::npos) {
        consumed_ = at + text.size();
        return true;
      }
      pollfd p{master_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) {
        ++waited;
        continue;
      }
      char buffer[4096];
      ssize_t n = ::read(master_, buffer, sizeof buffer);
      if (n <= 0) return false;
      screen_.append(buffer, static_cast<std::size_t>(n));
    }
    return false;
  }
  void send(const std::string& line) {
    std::string data = line + "\r";
    [[maybe_unused]] auto n = ::write(master_, data.data(), data.size());
  }
  int wait() {
    int status = 0;
    // Drain the output so the child never blocks on a full terminal.
    while (expect("\x01never\x01", 1)) {
    }
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& screen() const { return screen_; }

 private:
  int master_ = -1;
  pid_t pid_ = -1;
  std::string screen_;
  std::size_t consumed_ = 0;
};

class WizardOnATerminal : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove(fx.data / "instance.properties");
    fs::remove(fx.data / "shared.properties");
    fs::copy_file(fx.chain.p12, fx.data / "sso_keystore.p12");
    ::chmod((fx.data / "sso_keystore.p12").c_str(), 0600);
    write_metadata(fx.data / "idp-metadata.xml", fx.dir / "certs" / "leaf.pem");
    ::chmod((fx.data / "idp-metadata.xml").c_str(), 0600);
  }
  // Answers the normal questions; bad answers first where `with_mistakes`.
  void answer_normal_questions(Terminal& t, bool with_mistakes) {
    ASSERT_TRUE(t.expect("External host name")) << t.screen();
    t.send("sso.example.test");
    ASSERT_TRUE(t.expect("External port [8443]")) << t.screen();
    t.send("");
    ASSERT_TRUE(t.expect("Bind address [0.0.0.0]")) << t.screen();
    t.send("127.0.0.1");
    ASSERT_TRUE(t.expect("Bind port")) << t.screen();
    if (with_mistakes) {
      t.send("99999");
      ASSERT_TRUE(t.expect("Bind port")) << "a port out of range is asked again\n" << t.screen();
    }
    t.send(bind_port);
    ASSERT_TRUE(t.expect("Admin address [127.0.0.1]")) << t.screen();
    t.send("");
    ASSERT_TRUE(t.expect("Admin port")) << t.screen();
    t.send(admin_port);
    ASSERT_TRUE(t.expect("Keystore file")) << t.screen();
    t.send("");
    ASSERT_TRUE(t.expect("Keystore password")) << t.screen();
    if (with_mistakes) {
      t.send("wrong-keystore-password");
      ASSERT_TRUE(t.expect("Keystore file")) << "a wrong password is asked again\n" << t.screen();
      t.send("");
      ASSERT_TRUE(t.expect("Keystore password")) << t.screen();
    }
    t.send(fx.chain.password);
    ASSERT_TRUE(t.expect("IdP metadata file")) << t.screen();
    t.send("");
    ASSERT_TRUE(t.expect("email")) << t.screen();
    t.send("");
    ASSERT_TRUE(t.expect("first name")) << t.screen();
    t.send("");
    ASSERT_TRUE(t.expect("last name")) << t.screen();
    t.send("");
    ASSERT_TRUE(t.expect("Sign authentication requests")) << t.screen();
    t.send("");
  }

  FolderFixture fx;
  std::string bind_port = free_port();
  std::string admin_port = free_port();
};

TEST_F(WizardOnATerminal, ConfiguresANewFolderAndKeepsEverythingOnASecondRun) {
  {
    Terminal t({"--data-dir", fx.data.string(), "config"});
    answer_normal_questions(t, true);
    ASSERT_TRUE(t.expect("Configure Secure Key Storage (y/N): ")) << t.screen();
    t.send("");
    EXPECT_EQ(t.wait(), 0) << t.screen();
    // Passwords are not echoed.
    EXPECT_EQ(t.screen().find(fx.chain.password), std::string::npos);
    EXPECT_EQ(t.screen().find("wrong-keystore-password"), std::string::npos);
  }
  auto opened = settings::open_folder(fx.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(opened->instance.get("external_host").value_or(""), "sso.example.test");
  EXPECT_EQ(opened->instance.get("bind_port").value_or(""), bind_port);
  EXPECT_EQ(opened->instance.get("external_port").value_or(""), "8443");
  EXPECT_EQ(opened->instance.get("instance_id").value_or("").size(), 12u);
  auto before = fx.snapshot();

  Terminal again({"--data-dir", fx.data.string(), "config"});
  ASSERT_TRUE(again.expect("External host name [sso.example.test]")) << again.screen();
  again.send("");
  for (const char* question :
       {"External port", "Bind address [127.0.0.1]", "Bind port", "Admin address", "Admin port",
        "Keystore file", "Keystore password", "IdP metadata file", "email", "first name",
        "last name", "Sign authentication requests", "Configure Secure Key Storage (y/N): "}) {
    ASSERT_TRUE(again.expect(question)) << question << "\n" << again.screen();
    again.send("");
  }
  EXPECT_EQ(again.wait(), 0) << again.screen();
  EXPECT_EQ(fx.snapshot(), before);
}

TEST_F(WizardOnATerminal, AsksTheSksQuestionsInTheDesignWordingAndEnablesSks) {
  Terminal t({"--data-dir", fx.data.string(), "config"});
  answer_normal_questions(t, false);
  ASSERT_TRUE(t.expect("Configure Secure Key Storage (y/N): ")) << t.screen();
  t.send("y");
  ASSERT_TRUE(t.expect("Type of Secure Key Storage (PKCS#11 HSM, e.g. Gemalto SafeNet Luna): "))
      << t.screen();
  t.send("");
  ASSERT_TRUE(t.expect("PKCS#11 library (")) << t.screen();
  t.send(fx.token.module_path);
  ASSERT_TRUE(t.expect("Secure storage device access parameters (slot,password): ")) << t.screen();
  t.send("");  // as in the original product: Enter, then one sub-question for each
  ASSERT_TRUE(t.expect("slot: ")) << t.screen();
  t.send("label:" + fx.token.token_label);
  ASSERT_TRUE(t.expect("password: ")) << t.screen();
  t.send(fx.token.pin);
  ASSERT_TRUE(t.expect("Certificate chain file (")) << t.screen();
  t.send("");
  ASSERT_TRUE(t.expect("Certificate chain file password (none): ")) << t.screen();
  t.send("");
  ASSERT_TRUE(t.expect("2 certificates found")) << t.screen();
  ASSERT_TRUE(t.expect("Enable Secure Key Storage (Y/n): ")) << t.screen();
  t.send("");
  EXPECT_EQ(t.wait(), 0) << t.screen();
  EXPECT_EQ(t.screen().find(fx.token.pin + "\r"), std::string::npos) << "the PIN was echoed";
  auto opened = settings::open_folder(fx.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  ASSERT_TRUE(opened->sks);
  EXPECT_FALSE(fs::exists(fx.data / "instance.properties"));
  // The chain is the keystore: its password stays in the encrypted settings, not in the
  // plaintext sks.properties, and a rotation still finds the chain.
  EXPECT_EQ(text_of(fx.data / "sks.properties").find(fx.chain.password), std::string::npos);
  CliResult rotate = run_cli({"--data-dir", fx.data.string(), "sks", "rotate"});
  EXPECT_EQ(rotate.status, 0) << rotate.err;
  CliResult doctor = run_cli({"--data-dir", fx.data.string(), "doctor"});
  EXPECT_EQ(doctor.status, 0) << doctor.out;
}

}  // namespace
}  // namespace ssoc::test
