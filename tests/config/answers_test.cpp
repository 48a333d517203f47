// `config --answers FILE`: the same settings and checks as the wizard, unattended; any bad
// answer is InvalidSetting naming its key, with nothing written.
#include <gtest/gtest.h>

#include "config/wizard.hpp"
#include "config_fixture.hpp"
#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::config::test {
namespace {

class Answers : public ::testing::Test {
 protected:
  TempDir dir;
  ConfigFiles files{dir.path()};

  // The answers a new folder needs (the rest are defaults), one "key=value" per line.
  std::string good(const std::string& bind_port = free_port()) const {
    return "external_host=sso.example.com\n"
           "bind_port=" +
           bind_port +
           "\n"
           "admin_port=" +
           free_port() +
           "\n"
           "keystore_file=" +
           files.chain.p12.string() +
           "\n"
           "keystore_password=" +
           files.chain.password +
           "\n"
           "idp_metadata_file=" +
           files.good_metadata.string() + "\n";
  }

  Result<Outcome> apply(const std::string& text) {
    fs::path file = dir / "answers.properties";
    write_text(file, text);
    return apply_answers(files.data, file);
  }

  void configure() {
    auto outcome = apply(good());
    ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  }

  // The answers are refused as InvalidSetting naming `key`, and the folder is as it was.
  void expect_refused(const std::string& text, const std::string& key) {
    auto before = snapshot(files.data);
    auto outcome = apply(text);
    ASSERT_FALSE(outcome.ok()) << "accepted: " << text;
    EXPECT_EQ(outcome.error().cause, Cause::InvalidSetting) << outcome.error().describe();
    EXPECT_NE(outcome.error().message.find(key), std::string::npos) << outcome.error().message;
    EXPECT_EQ(snapshot(files.data), before);
  }

  fs::path instance() const { return files.data / "instance.properties"; }
  fs::path shared() const { return files.data / "shared.properties"; }
};

TEST_F(Answers, GoodFileConfiguresANewFolder) {
  auto outcome = apply(good() +
                       "attr_email=mail\nsign_requests=false\nclock_skew_seconds=60\n"
                       "redirect_allow=https://vault.example.com/cb, "
                       "https://other.example.com/cb\n");
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->changed);
  EXPECT_EQ(property(instance(), "instance_id").size(), 12u);
  EXPECT_EQ(property(instance(), "external_host"), "sso.example.com");
  EXPECT_EQ(property(instance(), "external_port"), "8443");
  EXPECT_EQ(property(instance(), "keystore_password"), files.chain.password);
  EXPECT_EQ(property(shared(), "sp_entity_id"), "https://sso.example.com:8443/saml/metadata");
  EXPECT_EQ(property(shared(), "attr_email"), "mail");
  EXPECT_EQ(property(shared(), "attr_last_name"), "Last");
  EXPECT_EQ(property(shared(), "sign_requests"), "false");
  EXPECT_EQ(property(shared(), "clock_skew_seconds"), "60");
  EXPECT_EQ(property(shared(), "redirect_allow"),
            "https://vault.example.com/cb,https://other.example.com/cb");
  EXPECT_EQ(property(shared(), "master_key").size(), 44u);
  auto opened = settings::open_folder(files.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
}

TEST_F(Answers, RelativePathsAreTakenFromTheDataFolder) {
  fs::create_directories(files.data);
  fs::permissions(files.data, fs::perms::owner_all, fs::perm_options::replace);
  fs::copy_file(files.chain.p12, files.data / "sso_keystore.p12");
  fs::permissions(files.data / "sso_keystore.p12", fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  auto outcome = apply("external_host=sso.example.com\nbind_port=" + free_port() +
                       "\nadmin_port=" + free_port() + "\nkeystore_file=sso_keystore.p12\n" +
                       "keystore_password=" + files.chain.password +
                       "\nidp_metadata_file=" + files.good_metadata.string() + "\n");
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(property(instance(), "keystore_file"), (files.data / "sso_keystore.p12").string());
}

TEST_F(Answers, AnswersFileReadableByOthersIsWarnedAbout) {
  fs::path file = dir / "answers.properties";
  write_text(file, good());
  auto quiet = apply_answers(files.data, file);
  ASSERT_TRUE(quiet.ok()) << quiet.error().describe();
  auto warned = [](const Outcome& outcome) {
    return std::any_of(outcome.messages.begin(), outcome.messages.end(), [](const std::string& m) {
      return m.find("chmod 600") != std::string::npos;
    });
  };
  EXPECT_FALSE(warned(*quiet));
  fs::permissions(file, fs::perms::others_read | fs::perms::group_read, fs::perm_options::add);
  auto loud = apply_answers(files.data, file);
  ASSERT_TRUE(loud.ok()) << loud.error().describe();
  EXPECT_TRUE(warned(*loud));
}

TEST_F(Answers, SameAnswersAgainChangeNothing) {
  const std::string answers = good();
  ASSERT_TRUE(apply(answers).ok());
  auto before = snapshot(files.data);
  auto outcome = apply(answers);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_FALSE(outcome->changed);
  EXPECT_EQ(snapshot(files.data), before);
}

TEST_F(Answers, UnknownKeyIsRefusedNamingIt) {
  expect_refused(good() + "extrnal_port=8443\n", "extrnal_port");
  EXPECT_FALSE(fs::exists(files.data));
}

TEST_F(Answers, UnknownSksKeyIsRefusedNamingIt) {
  expect_refused(good() + "sks_pin=1234\n", "sks_pin");
}

TEST_F(Answers, PortOutOfRangeIsRefused) {
  expect_refused(good() + "external_port=99999\n", "external_port");
}

TEST_F(Answers, GeneratedKeysCannotBeSet) {
  expect_refused(good() + "master_key=bWFzdGVyLWtleS0zMi1ieXRlcy1mb3ItdGVzdHMtLS0=\n",
                 "master_key");
  expect_refused(good() + "instance_id=123456789012\n", "instance_id");
  expect_refused(good() + "sks_key_label=mine\n", "sks_key_label");
}

TEST_F(Answers, WrongKeystorePasswordIsRefused) {
  std::string text = good();
  text.replace(text.find(files.chain.password), files.chain.password.size(), "wrong-password");
  expect_refused(text, "keystore");
}

TEST_F(Answers, MetadataWithoutSigningCertificateIsRefused) {
  expect_refused(good() + "idp_metadata_file=" + files.unsigned_metadata.string() + "\n",
                 "idp_metadata_file");
}

TEST_F(Answers, BusyPortIsRefused) {
  BusyPort busy;
  expect_refused("bind_address=127.0.0.1\n" + good(busy.port()), "bind_port");
}

TEST_F(Answers, FailuresLeaveAConfiguredFolderAsItWas) {
  configure();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"nonsense_key=1\n", "nonsense_key"},
      {"admin_port=0\n", "admin_port"},
      {"bind_address=not-an-address\n", "bind_address"},
      {"external_host=bad host\n", "external_host"},
      {"sign_requests=maybe\n", "sign_requests"},
      {"clock_skew_seconds=-5\n", "clock_skew_seconds"},
      {"redirect_allow=not a uri\n", "redirect_allow"},
      {"master_key_id=2\n", "master_key_id"},
      {"keystore_password=wrong\n", "keystore"},
      {"keystore_file=" + (dir / "absent.p12").string() + "\n", "keystore"},
      {"idp_metadata_file=" + files.unsigned_metadata.string() + "\n", "idp_metadata_file"},
      {"attr_email=Email\nattr_email=mail\n", "attr_email"},  // set twice
      {"sks_enabled=perhaps\n", "sks_enabled"},
      {"attr_email=mail\nsks_enabled=true\n", "sks_module"},  // an enable needs its settings
  };
  for (const auto& [text, key] : bad) {
    SCOPED_TRACE(text);
    expect_refused(text, key);
  }
}

class AnswersSks : public Answers {
 protected:
  ssoc::test::FolderFixture fx;

  std::string sks(const std::string& pin) const {
    return "sks_enabled=true\nsks_module=" + fx.token.module_path +
           "\nsks_token_label=" + fx.token.token_label + "\nsks_password=" + pin + "\n";
  }
};

TEST_F(AnswersSks, GoodFileWithSksEnablesIt) {
  const std::string answers = good() + sks(fx.token.pin);
  auto outcome = apply(answers);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->changed);
  auto files_now = snapshot(files.data);
  EXPECT_EQ(files_now.count("instance.properties") + files_now.count("shared.properties"), 0u);
  EXPECT_EQ(files_now.count("sks.properties"), 1u);
  EXPECT_EQ(property(files.data / "sks.properties", "cert_chain_file"), files.chain.p12.string());
  auto opened = settings::open_folder(files.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  ASSERT_TRUE(opened->sks);
  EXPECT_EQ(opened->instance.get("external_host").value_or(""), "sso.example.com");

  // The same answers again: nothing to do. Then sks_enabled=false turns it off.
  auto before = snapshot(files.data);
  auto again = apply(answers);
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(snapshot(files.data), before);
  auto off = apply("sks_enabled=false\n");
  ASSERT_TRUE(off.ok()) << off.error().describe();
  EXPECT_TRUE(off->changed);
  EXPECT_FALSE(fs::exists(files.data / "sks.properties"));
  EXPECT_TRUE(fs::exists(instance()));
}

TEST_F(AnswersSks, WrongSksPasswordIsRefusedNamingItAndWritesNothing) {
  expect_refused(good() + sks("9999"), "sks_password");
  EXPECT_FALSE(fs::exists(files.data));
}

TEST_F(AnswersSks, ChangingHowTheHsmIsReachedWhileSksIsOnIsRefused) {
  ASSERT_TRUE(apply(good() + sks(fx.token.pin)).ok());
  expect_refused("sks_slot=7\n", "disable-sks");
}

TEST_F(AnswersSks, PasswordFileMustBePrivate) {
  fs::path pin_file = dir / "pin";
  write_text(pin_file, fx.token.pin + "\n");
  fs::permissions(pin_file, fs::perms::owner_read | fs::perms::group_read,
                  fs::perm_options::replace);
  std::string text = good() + "sks_enabled=true\nsks_module=" + fx.token.module_path +
                     "\nsks_token_label=" + fx.token.token_label +
                     "\nsks_password_file=" + pin_file.string() + "\n";
  expect_refused(text, "sks_password_file");

  fs::permissions(pin_file, fs::perms::owner_read | fs::perms::owner_write,
                  fs::perm_options::replace);
  auto outcome = apply(text);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(property(files.data / "sks.properties", "password_file"), pin_file.string());
  EXPECT_EQ(property(files.data / "sks.properties", "password"), "<absent>");
}

}  // namespace
}  // namespace ssoc::config::test
