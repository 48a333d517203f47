// A data folder through its life: plaintext, SKS on, rotated, settings changed, SKS off; on
// SoftHSM2 and NSS softokn.
#include <gtest/gtest.h>

#include "settings/folder_settings.hpp"
#include "sks/hsm_connection.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::settings {
namespace {

using test::FolderFixture;

std::string value(const datadir::Properties& p, std::string_view key) {
  return std::string(p.get(key).value_or("<absent>"));
}

bool key_on_token(const sks::SksConfig& config, const sks::KeyRef& key) {
  sks::HsmConnection hsm = sks::HsmConnection::open(config, false).value();
  return sks::find_instance_key(hsm.session(), key).ok();
}

bool contains(const Bytes& haystack, std::string_view needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
         haystack.end();
}

class Lifecycle : public ::testing::TestWithParam<FolderFixture::Hsm> {
 protected:
  FolderFixture fx{GetParam()};
};

TEST_P(Lifecycle, EnableOpenRotateUpdateDisable) {
  auto plain = open_folder(fx.data);
  ASSERT_TRUE(plain.ok()) << plain.error().describe();
  EXPECT_FALSE(plain->sks);
  EXPECT_EQ(value(plain->shared, "master_key_id"), "1");

  // Enable: the settings move into .encp files, the plaintext ones are gone.
  auto enabled = enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
  EXPECT_EQ(enabled->key.label, "SSO Connect Properties 123456789012");
  EXPECT_EQ(enabled->iv_mode, sks::IvMode::Caller);
  auto files = fx.snapshot();
  EXPECT_EQ(files.count("instance.properties") + files.count("shared.properties"), 0u);
  ASSERT_EQ(
      files.count("instance.encp") + files.count("shared.encp") + files.count("sks.properties"),
      3u);
  EXPECT_EQ(files.count("transition.journal"), 0u);
  for (const auto& [name, bytes] : files) {
    EXPECT_FALSE(contains(bytes, "bWFzdGVyLWtleS0zMi1ieXRlcy1mb3ItdGVzdHMtLS0=")) << name;
    EXPECT_FALSE(contains(bytes, "keystore-secret-pass")) << name;
    EXPECT_EQ(fs::status(fx.data / name).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << name;
  }

  auto opened = open_folder(fx.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  ASSERT_TRUE(opened->sks);
  EXPECT_EQ(value(opened->shared, "master_key"), value(plain->shared, "master_key"));
  EXPECT_EQ(value(opened->instance, "keystore_password"), "keystore-secret-pass");

  // Rotate: a new key, the old one destroyed, same settings.
  sks::KeyRef old_key = opened->sks->key;
  auto rotated = rotate_key(fx.data);
  ASSERT_TRUE(rotated.ok()) << rotated.error().describe();
  EXPECT_EQ(rotated->label, "SSO Connect Properties 123456789012.2");
  EXPECT_FALSE(key_on_token(*opened->sks, old_key));
  auto after_rotation = open_folder(fx.data);
  ASSERT_TRUE(after_rotation.ok()) << after_rotation.error().describe();
  EXPECT_EQ(after_rotation->sks->key.label, rotated->label);
  EXPECT_EQ(value(after_rotation->shared, "master_key"), value(plain->shared, "master_key"));

  // Update a setting under SKS.
  datadir::Properties shared = after_rotation->shared;
  ASSERT_TRUE(shared.set("sign_requests", "false").ok());
  auto saved = save_settings(fx.data, after_rotation->instance, shared);
  ASSERT_TRUE(saved.ok()) << saved.error().describe();
  auto updated = open_folder(fx.data);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(value(updated->shared, "sign_requests"), "false");
  EXPECT_FALSE(fs::exists(fx.data / "shared.properties"));

  // Disable, keeping the key.
  auto disabled = disable_sks(fx.data, false);
  ASSERT_TRUE(disabled.ok()) << disabled.error().describe();
  files = fx.snapshot();
  EXPECT_EQ(
      files.count("instance.encp") + files.count("shared.encp") + files.count("sks.properties"),
      0u);
  auto back = open_folder(fx.data);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_FALSE(back->sks);
  EXPECT_EQ(value(back->shared, "sign_requests"), "false");
  EXPECT_EQ(value(back->shared, "master_key"), value(plain->shared, "master_key"));
  EXPECT_TRUE(key_on_token(*updated->sks, updated->sks->key));

  // Enable again: the kept key's label is taken, so the new key gets the first free one (the
  // first generation's, destroyed by the rotation); then disable deleting it.
  auto again = enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(again.ok()) << again.error().describe();
  EXPECT_EQ(again->key.label, "SSO Connect Properties 123456789012");
  EXPECT_NE(again->key.label, updated->sks->key.label);
  ASSERT_TRUE(disable_sks(fx.data, true).ok());
  EXPECT_FALSE(key_on_token(*again, again->key));
  EXPECT_TRUE(open_folder(fx.data).ok());
}

TEST_P(Lifecycle, RefusesToEnableTwiceOrDisableWhenOff) {
  auto off = disable_sks(fx.data, false);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().cause, Cause::InvalidSetting);
  ASSERT_TRUE(enable_sks(fx.data, fx.sks_config()).ok());
  auto twice = enable_sks(fx.data, fx.sks_config());
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().cause, Cause::InvalidSetting);
}

INSTANTIATE_TEST_SUITE_P(RealTokens, Lifecycle,
                         ::testing::Values(FolderFixture::Hsm::SoftHsm, FolderFixture::Hsm::Nss),
                         [](const auto& info) {
                           return info.param == FolderFixture::Hsm::Nss ? "NssSoftokn" : "SoftHsm2";
                         });

TEST(Lifecycle, RefusesToCreateAKeyWithoutAChain) {
  FolderFixture fx;
  sks::SksConfig config = fx.sks_config();
  config.cert_chain_file = (fx.dir / "absent.p12").string();
  auto before = fx.snapshot();
  auto enabled = enable_sks(fx.data, config);
  ASSERT_FALSE(enabled.ok());
  EXPECT_EQ(enabled.error().cause, Cause::CertificateChainMissing);
  EXPECT_EQ(fx.snapshot(), before);
  // Wrong chain password: the same cause.
  config = fx.sks_config();
  config.cert_chain_password = secret_from(std::string_view("wrong"));
  enabled = enable_sks(fx.data, config);
  ASSERT_FALSE(enabled.ok());
  EXPECT_EQ(enabled.error().cause, Cause::CertificateChainMissing);
  EXPECT_EQ(fx.snapshot(), before);
}

TEST(Lifecycle, PinFromFileAndEnvironment) {
  FolderFixture fx;
  sks::SksConfig config = fx.sks_config();
  config.pin_source = sks::SksConfig::PinSource::File;
  config.pin_file = (fx.dir / "pin").string();
  test::write_all(config.pin_file, as_bytes(fx.token.pin + "\n"));
  ::chmod(config.pin_file.c_str(), 0644);
  auto loose = enable_sks(fx.data, config);
  ASSERT_FALSE(loose.ok());
  EXPECT_EQ(loose.error().cause, Cause::InvalidSetting);
  EXPECT_NE(loose.error().message.find("chmod 600"), std::string::npos);
  ::chmod(config.pin_file.c_str(), 0600);
  ASSERT_TRUE(enable_sks(fx.data, config).ok());
  EXPECT_TRUE(open_folder(fx.data).ok());
  // The PIN itself is never written to sks.properties when it comes from a file.
  EXPECT_FALSE(contains(test::read_all(fx.data / "sks.properties"), "password=" + fx.token.pin));

  ASSERT_TRUE(disable_sks(fx.data, true).ok());
  config.pin_source = sks::SksConfig::PinSource::Env;
  config.pin_env = "SSOC_TEST_HSM_PIN";
  ::unsetenv("SSOC_TEST_HSM_PIN");
  auto unset = enable_sks(fx.data, config);
  ASSERT_FALSE(unset.ok());
  EXPECT_EQ(unset.error().cause, Cause::InvalidSetting);
  ::setenv("SSOC_TEST_HSM_PIN", fx.token.pin.c_str(), 1);
  ASSERT_TRUE(enable_sks(fx.data, config).ok());
  EXPECT_TRUE(open_folder(fx.data).ok());
}

}  // namespace
}  // namespace ssoc::settings
