// The SKS questions of the wizard on a real SoftHSM2 token: DESIGN.md's wording and order,
// enabling, a refused PIN, disabling.
#include <gtest/gtest.h>

#include "config/wizard.hpp"
#include "config_fixture.hpp"
#include "settings/folder_settings.hpp"
#include "sks/hsm_connection.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::config::test {
namespace {

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

class WizardSks : public ::testing::Test {
 protected:
  WizardSks() {
    data = fx.dir / "wizard-data";
    fs::create_directories(data);
    fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
    // The keystore where the wizard looks by default, so that the chain question shows
    // DESIGN.md's "<data>/sso_keystore.p12".
    fs::copy_file(fx.chain.p12, data / "sso_keystore.p12");
    fs::permissions(data / "sso_keystore.p12", fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
    metadata = fx.dir / "idp-metadata.xml";
    write_text(metadata, idp_metadata(pem_body(fx.dir / "certs" / "leaf.pem")));
  }

  // A new folder's normal answers: the default keystore with its password, the metadata.
  std::vector<std::string> normal() const {
    return {"sso.example.com", "", "", free_port(), "", free_port(), "", fx.chain.password,
            metadata.string(), "", "", "",          ""};
  }

  // Every SKS question answered to enable SKS with `pin`.
  std::vector<std::string> sks_answers(const std::string& pin) const {
    return {"y", "", fx.token.module_path, "", "label:" + fx.token.token_label, pin, "", "", ""};
  }

  Result<Outcome> run(ScriptedConsole& console) { return run_wizard(data, console); }

  void enable() {
    ScriptedConsole console(normal() + sks_answers(fx.token.pin));
    auto outcome = run(console);
    ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  }

  sks::SksConfig sks_properties() const {
    SecretBytes text = secret_from(ByteView(ssoc::test::read_all(data / "sks.properties")));
    auto properties = datadir::Properties::parse(text, "sks.properties");
    return sks::SksConfig::from_properties(properties.value()).value();
  }

  ssoc::test::FolderFixture fx;
  fs::path data;
  fs::path metadata;
};

TEST_F(WizardSks, AsksTheDesignQuestionsInOrderAndEnablesSks) {
  ScriptedConsole console(normal() + sks_answers(fx.token.pin));
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->changed);
  EXPECT_EQ(console.unused(), 0u);

  // DESIGN.md "Commands", word for word, <data> being the data folder.
  const std::vector<std::string> design = {
      "Configure Secure Key Storage (y/N): ",
      "Type of Secure Key Storage (PKCS#11 HSM, e.g. Gemalto SafeNet Luna): ",
      "PKCS#11 library (/usr/safenet/lunaclient/lib/libCryptoki2_64.so): ",
      "Secure storage device access parameters (slot,password): ",
      "Certificate chain file (" + data.string() + "/sso_keystore.p12): ",
      "Certificate chain file password (none): ",
      "Enable Secure Key Storage (Y/n): ",
  };
  std::vector<std::string> asked(console.prompts.begin() + 13, console.prompts.end());
  std::vector<std::string> sub_prompts;
  std::erase_if(asked, [&](const std::string& prompt) {
    if (!prompt.starts_with("  ")) return false;
    sub_prompts.push_back(prompt);
    return true;
  });
  EXPECT_EQ(asked, design);
  EXPECT_EQ(sub_prompts, (std::vector<std::string>{"  slot: ", "  password: "}));
  EXPECT_TRUE(console.secret_prompts[13 + 5]);  // the partition password
  EXPECT_TRUE(console.secret_prompts[13 + 7]);  // the chain password

  EXPECT_TRUE(console.said_containing(
      "IMPORTANT: Make sure that this server is already connected to a networked HSM or other "
      "secure key storage device."));
  EXPECT_TRUE(console.said_containing(
      "A certificate chain is required in order to store an encryption key."));
  EXPECT_TRUE(console.said_containing(
      "You may use the SSL certificate file entered previously, or use a different one."));
  EXPECT_TRUE(console.said_containing("2 certificates found"));

  auto files = snapshot(data);
  EXPECT_EQ(files.count("instance.properties") + files.count("shared.properties"), 0u);
  EXPECT_EQ(
      files.count("instance.encp") + files.count("shared.encp") + files.count("sks.properties"),
      3u);
  sks::SksConfig config = sks_properties();
  EXPECT_TRUE(config.enabled);
  EXPECT_EQ(config.module, fx.token.module_path);
  EXPECT_EQ(config.token.by, pkcs11::TokenSelector::By::Label);
  EXPECT_EQ(config.token.value, fx.token.token_label);
  EXPECT_EQ(config.cert_chain_file, (data / "sso_keystore.p12").string());

  auto opened = settings::open_folder(data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  ASSERT_TRUE(opened->sks);
  EXPECT_EQ(opened->instance.get("external_host").value_or(""), "sso.example.com");
  EXPECT_EQ(
      opened->sks->key.label,
      "SSO Connect Properties " + std::string(opened->instance.get("instance_id").value_or("")));
}

TEST_F(WizardSks, RefusedPinIsAskedAgain) {
  std::vector<std::string> answers = normal() + sks_answers("9999");
  // After the refusal: the access parameters again, the same token, the right PIN.
  answers.insert(answers.begin() + 13 + 6, {"", "label:" + fx.token.token_label, fx.token.pin});
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(console.unused(), 0u);
  EXPECT_EQ(console.count("Secure storage device access parameters (slot,password): "), 2u);
  EXPECT_EQ(console.count("  password: "), 2u);
  EXPECT_TRUE(console.said_containing("refused the password"));
  EXPECT_TRUE(settings::open_folder(data).ok());
}

TEST_F(WizardSks, ThreeRefusedPinsStopTheWizardAndWriteNothing) {
  auto before = snapshot(data);
  std::vector<std::string> answers = normal() + sks_answers("9999");
  answers.insert(answers.begin() + 13 + 6, {"", "", "9998", "", "", "9997"});
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().cause, Cause::PinIncorrect);
  EXPECT_NE(outcome.error().message.find("3 times"), std::string::npos) << outcome.error().message;
  EXPECT_EQ(console.count("  password: "), 3u);
  EXPECT_EQ(snapshot(data), before);
  // The token still accepts the right PIN.
  EXPECT_TRUE(sks::HsmConnection::open(fx.sks_config(), false).ok());
}

TEST_F(WizardSks, SlotAndPasswordOnOneLineSkipTheSubQuestions) {
  std::vector<std::string> answers = normal() + sks_answers(fx.token.pin);
  answers[13 + 3] = "label:" + fx.token.token_label + "," + fx.token.pin;
  answers.erase(answers.begin() + 13 + 4, answers.begin() + 13 + 6);
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(console.unused(), 0u);
  EXPECT_EQ(console.count("  slot: ") + console.count("  password: "), 0u);
  EXPECT_TRUE(settings::open_folder(data)->sks);
}

TEST_F(WizardSks, UnloadableModuleIsAskedAgain) {
  std::vector<std::string> answers = normal() + sks_answers(fx.token.pin);
  answers[13 + 2] = (fx.dir / "no-such-module.so").string();
  answers.insert(answers.begin() + 13 + 3, fx.token.module_path);
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(console.said_containing("cannot be loaded"));
  EXPECT_EQ(console.count("PKCS#11 library (" + (fx.dir / "no-such-module.so").string() + "): "),
            1u);
}

TEST_F(WizardSks, AnsweringNoToEnableLeavesSksOff) {
  std::vector<std::string> answers = normal() + sks_answers(fx.token.pin);
  answers.back() = "n";
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(fs::exists(data / "instance.properties"));
  EXPECT_FALSE(fs::exists(data / "sks.properties"));
}

TEST_F(WizardSks, RerunOnAnSksFolderWithEnterChangesNothing) {
  enable();
  auto before = snapshot(data);
  // 13 normal questions, then Configure (default Y now), type, library, access, slot,
  // password, chain file, chain password, enable.
  ScriptedConsole console(std::vector<std::string>(13 + 9, ""));
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_FALSE(outcome->changed);
  EXPECT_EQ(console.unused(), 0u);
  EXPECT_EQ(console.prompts[13], "Configure Secure Key Storage (Y/n): ");
  EXPECT_EQ(console.prompts[15], "PKCS#11 library (" + fx.token.module_path + "): ");
  EXPECT_EQ(snapshot(data), before);
}

TEST_F(WizardSks, ChangedSettingOnAnSksFolderIsEncrypted) {
  enable();
  std::vector<std::string> answers(13, "");
  answers[9] = "mail";
  answers.push_back("y");  // Configure Secure Key Storage (a "n" would disable it)
  answers = answers + std::vector<std::string>(8, "");
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->changed);
  EXPECT_FALSE(fs::exists(data / "shared.properties"));
  auto opened = settings::open_folder(data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  ASSERT_TRUE(opened->sks);
  EXPECT_EQ(opened->shared.get("attr_email").value_or(""), "mail");
}

TEST_F(WizardSks, AnsweringNoToConfigureOnAnSksFolderDisablesItAndKeepsTheKey) {
  enable();
  const sks::SksConfig config = sks_properties();
  std::vector<std::string> answers(13, "");
  answers.push_back("n");
  ScriptedConsole console(answers);
  auto outcome = run(console);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->changed);
  EXPECT_EQ(console.count("Configure Secure Key Storage (Y/n): "), 1u);
  EXPECT_EQ(console.count("Type of Secure Key Storage (PKCS#11 HSM, e.g. Gemalto SafeNet Luna): "),
            0u);

  auto files = snapshot(data);
  EXPECT_EQ(files.count("instance.properties") + files.count("shared.properties"), 2u);
  EXPECT_EQ(
      files.count("instance.encp") + files.count("shared.encp") + files.count("sks.properties"),
      0u);
  auto opened = settings::open_folder(data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_FALSE(opened->sks);
  EXPECT_EQ(opened->instance.get("external_host").value_or(""), "sso.example.com");

  auto hsm = sks::HsmConnection::open(config, false);
  ASSERT_TRUE(hsm.ok()) << hsm.error().describe();
  EXPECT_TRUE(sks::find_instance_key(hsm->session(), config.key).ok()) << "the key was kept";
}

}  // namespace
}  // namespace ssoc::config::test
