// The interactive wizard on plaintext folders, driven by a scripted console.
#include <gtest/gtest.h>

#include "config/wizard.hpp"
#include "config_fixture.hpp"
#include "settings/folder_settings.hpp"

namespace ssoc::config::test {
namespace {

// The answers to the normal questions, in their order; "" is Enter.
struct Normal {
  std::string external_host, external_port, bind_address, bind_port, admin_address, admin_port,
      keystore_file, keystore_password, metadata, attr_email, attr_first_name, attr_last_name,
      sign_requests;

  std::vector<std::string> list() const {
    return {external_host,   external_port,  bind_address,      bind_port, admin_address,
            admin_port,      keystore_file,  keystore_password, metadata,  attr_email,
            attr_first_name, attr_last_name, sign_requests};
  }
};

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class Wizard : public ::testing::Test {
 protected:
  TempDir dir;
  ConfigFiles files{dir.path()};

  // Answers for a new folder on free ports with the test keystore and metadata.
  Normal fresh() const {
    Normal n;
    n.external_host = "sso.example.com";
    n.bind_port = free_port();
    n.admin_port = free_port();
    n.keystore_file = files.chain.p12.string();
    n.keystore_password = files.chain.password;
    n.metadata = files.good_metadata.string();
    return n;
  }

  Result<Outcome> run(ScriptedConsole& console) { return run_wizard(files.data, console); }

  // Configures the folder once with fresh() answers and SKS left off.
  void configure() {
    ScriptedConsole console(fresh().list() + std::vector<std::string>{""});
    auto outcome = run(console);
    ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  }

  fs::path instance() const { return files.data / "instance.properties"; }
  fs::path shared() const { return files.data / "shared.properties"; }
};

TEST_F(Wizard, NewFolderWithDefaultsWritesEverySetting) {
  if (!port_is_free("0.0.0.0", 8443) || !port_is_free("127.0.0.1", 8080))
    GTEST_SKIP() << "ports 8443 or 8080 are in use on this machine";
  Normal n;  // Enter everywhere but the keystore and the metadata
  n.keystore_file = files.chain.p12.string();
  n.keystore_password = files.chain.password;
  n.metadata = files.good_metadata.string();
  ScriptedConsole console(n.list() + std::vector<std::string>{""});
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->changed);
  EXPECT_EQ(console.unused(), 0u);

  const std::string host = machine_host_name();
  const std::vector<std::string> expected_prompts = {
      "External host name [" + host + "]: ",
      "External port [8443]: ",
      "Bind address [0.0.0.0]: ",
      "Bind port [8443]: ",
      "Admin address [127.0.0.1]: ",
      "Admin port [8080]: ",
      "Keystore file [" + (files.data / "sso_keystore.p12").string() + "]: ",
      "Keystore password: ",
      "IdP metadata file [" + (files.data / "idp-metadata.xml").string() + "]: ",
      "SAML attribute for the email address [Email]: ",
      "SAML attribute for the first name [First]: ",
      "SAML attribute for the last name [Last]: ",
      "Sign authentication requests (y/n) [y]: ",
      "Configure Secure Key Storage (y/N): ",
  };
  EXPECT_EQ(console.prompts, expected_prompts);
  EXPECT_TRUE(console.secret_prompts[7]);  // the keystore password is not echoed

  EXPECT_EQ(fs::status(files.data).permissions() & fs::perms::all, fs::perms::owner_all);
  const std::string id = property(instance(), "instance_id");
  EXPECT_EQ(id.size(), 12u);
  EXPECT_TRUE(std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; }));
  EXPECT_EQ(property(instance(), "external_host"), host);
  EXPECT_EQ(property(instance(), "external_port"), "8443");
  EXPECT_EQ(property(instance(), "bind_address"), "0.0.0.0");
  EXPECT_EQ(property(instance(), "bind_port"), "8443");
  EXPECT_EQ(property(instance(), "admin_address"), "127.0.0.1");
  EXPECT_EQ(property(instance(), "admin_port"), "8080");
  EXPECT_EQ(property(instance(), "keystore_file"), files.chain.p12.string());
  EXPECT_EQ(property(instance(), "keystore_password"), files.chain.password);
  EXPECT_EQ(property(instance(), "instance_secret_key").size(), 44u);
  EXPECT_EQ(property(shared(), "sp_entity_id"), "https://" + host + ":8443/saml/metadata");
  EXPECT_EQ(property(shared(), "idp_metadata_file"), files.good_metadata.string());
  EXPECT_EQ(property(shared(), "attr_email"), "Email");
  EXPECT_EQ(property(shared(), "attr_first_name"), "First");
  EXPECT_EQ(property(shared(), "attr_last_name"), "Last");
  EXPECT_EQ(property(shared(), "sign_requests"), "true");
  EXPECT_EQ(property(shared(), "clock_skew_seconds"), "180");
  EXPECT_EQ(property(shared(), "allow_sha1"), "false");
  EXPECT_EQ(property(shared(), "master_key").size(), 44u);
  EXPECT_NE(property(shared(), "master_key"), property(instance(), "instance_secret_key"));
  EXPECT_EQ(property(shared(), "master_key_id"), "1");
  EXPECT_FALSE(fs::exists(files.data / "sks.properties"));

  auto opened = settings::open_folder(files.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_FALSE(opened->sks);
}

TEST_F(Wizard, TwoNewFoldersGetDifferentGeneratedValues) {
  configure();
  const std::string first_id = property(instance(), "instance_id");
  const std::string first_key = property(shared(), "master_key");
  fs::remove_all(files.data);
  configure();
  EXPECT_NE(property(instance(), "instance_id"), first_id);
  EXPECT_NE(property(shared(), "master_key"), first_key);
}

TEST_F(Wizard, WrongKeystorePasswordAsksForFileAndPasswordAgain) {
  Normal n = fresh();
  std::vector<std::string> answers = n.list();
  // keystore file, wrong password, then the file again (Enter: the one just given) and the
  // right password.
  answers[7] = "not-the-password";
  answers.insert(answers.begin() + 8, {"", files.chain.password});
  ScriptedConsole console(answers + std::vector<std::string>{""});
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(console.count("Keystore file [" + (files.data / "sso_keystore.p12").string() + "]: "),
            1u);
  EXPECT_EQ(console.count("Keystore file [" + files.chain.p12.string() + "]: "), 1u);
  EXPECT_EQ(console.count("Keystore password: "), 2u);
  ASSERT_EQ(console.said.size(), 2u) << "one line for the refused password";
  EXPECT_NE(console.said[1].find("keystore"), std::string::npos) << console.said[1];
  EXPECT_EQ(property(instance(), "keystore_password"), files.chain.password);
}

TEST_F(Wizard, MetadataWithoutSigningCertificateIsAskedAgain) {
  Normal n = fresh();
  std::vector<std::string> answers = n.list();
  answers[8] = files.unsigned_metadata.string();
  answers.insert(answers.begin() + 9, files.good_metadata.string());
  ScriptedConsole console(answers + std::vector<std::string>{""});
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  // Asked again with the same default: the refused file is not offered.
  EXPECT_EQ(
      console.count("IdP metadata file [" + (files.data / "idp-metadata.xml").string() + "]: "),
      2u);
  EXPECT_EQ(console.count("IdP metadata file [" + files.unsigned_metadata.string() + "]: "), 0u);
  EXPECT_TRUE(console.said_containing("no signing certificate"));
  EXPECT_EQ(property(shared(), "idp_metadata_file"), files.good_metadata.string());
}

TEST_F(Wizard, BusyBindPortIsAskedAgain) {
  BusyPort busy;
  Normal n = fresh();
  n.bind_address = "127.0.0.1";
  std::vector<std::string> answers = n.list();
  const std::string good_port = answers[3];
  answers[3] = busy.port();
  answers.insert(answers.begin() + 4, good_port);
  ScriptedConsole console(answers + std::vector<std::string>{""});
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(console.count("Bind port [8443]: "), 2u);
  EXPECT_TRUE(console.said_containing("already in use"));
  EXPECT_EQ(property(instance(), "bind_port"), good_port);
}

TEST_F(Wizard, PortOutOfRangeIsAskedAgain) {
  Normal n = fresh();
  std::vector<std::string> answers = n.list();
  answers[1] = "99999";
  answers.insert(answers.begin() + 2, "0");
  answers.insert(answers.begin() + 3, "9443");
  ScriptedConsole console(answers + std::vector<std::string>{""});
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(console.count("External port [8443]: "), 3u);
  EXPECT_TRUE(console.said_containing("external_port must be a port number from 1 to 65535"));
  EXPECT_EQ(property(instance(), "external_port"), "9443");
  EXPECT_EQ(property(shared(), "sp_entity_id"), "https://sso.example.com:9443/saml/metadata");
}

TEST_F(Wizard, BadHostNameAndAdminPortEqualToBindPortAreAskedAgain) {
  Normal n = fresh();
  std::vector<std::string> answers = n.list();
  answers[0] = "sso_example..com";
  answers.insert(answers.begin() + 1, "sso.example.com");
  // admin on the bind port (bind_address is 0.0.0.0: every address) is refused.
  const std::string admin = answers[6];
  answers[6] = answers[4];
  answers.insert(answers.begin() + 7, admin);
  ScriptedConsole console(answers + std::vector<std::string>{""});
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(console.said_containing("external_host must be a host name"));
  EXPECT_TRUE(console.said_containing("admin_port"));
  EXPECT_EQ(property(instance(), "admin_port"), admin);
}

TEST_F(Wizard, RerunWithEnterEverywhereChangesNothing) {
  configure();
  auto before = snapshot(files.data);
  ScriptedConsole console(std::vector<std::string>(14, ""));
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_FALSE(outcome->changed);
  EXPECT_EQ(console.unused(), 0u);
  EXPECT_EQ(snapshot(files.data), before);
  // The current values are the defaults; the password is never shown.
  EXPECT_EQ(console.prompts[0], "External host name [sso.example.com]: ");
  EXPECT_EQ(console.prompts[7], "Keystore password [unchanged]: ");
  for (const std::string& prompt : console.prompts)
    EXPECT_EQ(prompt.find(files.chain.password), std::string::npos) << prompt;
}

TEST_F(Wizard, ChangingOneAnswerChangesOnlyThatSetting) {
  configure();
  auto instance_before = ssoc::test::read_all(instance());
  auto shared_before = lines_of(shared());
  std::vector<std::string> answers(14, "");
  answers[9] = "mail";  // attr_email
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->changed);
  EXPECT_EQ(ssoc::test::read_all(instance()), instance_before);
  auto shared_after = lines_of(shared());
  ASSERT_EQ(shared_after.size(), shared_before.size());
  for (std::size_t i = 0; i < shared_after.size(); ++i) {
    if (shared_before[i] == "attr_email=Email")
      EXPECT_EQ(shared_after[i], "attr_email=mail");
    else
      EXPECT_EQ(shared_after[i], shared_before[i]);
  }
}

TEST_F(Wizard, InputEndingEarlyIsAUsageErrorAndWritesNothing) {
  const std::vector<std::string> all = fresh().list();
  ScriptedConsole console(std::vector<std::string>(all.begin(), all.begin() + 8));
  auto outcome = run(console);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().cause, Cause::Usage);
  EXPECT_FALSE(fs::exists(files.data));
}

TEST_F(Wizard, InputEndingEarlyOnAConfiguredFolderLeavesItAsItWas) {
  configure();
  auto before = snapshot(files.data);
  std::vector<std::string> answers(10, "");
  answers[9] = "mail";  // the change is never committed: the input ends first
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().cause, Cause::Usage);
  EXPECT_EQ(snapshot(files.data), before);
}

}  // namespace
}  // namespace ssoc::config::test
