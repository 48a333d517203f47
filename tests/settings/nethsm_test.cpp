// The folder on a network HSM (tests/pkcs11/nethsm: the HSM in its own process, reached over a
// socket): opening works over the network; a stopped or frozen HSM is hsm-unreachable within a
// bounded time, with every file left as it was; once the HSM is back, everything works again.
#include <gtest/gtest.h>

#include <chrono>

#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::settings {
namespace {

using test::FolderFixture;

TEST(NetworkHsm, OpensOverTheNetworkAndIsUnreachableWhenStopped) {
  FolderFixture fx(FolderFixture::Hsm::NetworkSoftHsm);
  auto enabled = enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
  auto opened = open_folder(fx.data);
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(opened->shared.get("master_key_id").value_or(""), "1");

  fx.network->stop();
  auto before = fx.snapshot();
  auto cut_off = open_folder(fx.data);
  ASSERT_FALSE(cut_off.ok());
  EXPECT_EQ(cut_off.error().cause, Cause::HsmUnreachable) << cut_off.error().describe();
  auto rotate = rotate_key(fx.data);
  ASSERT_FALSE(rotate.ok());
  EXPECT_EQ(rotate.error().cause, Cause::HsmUnreachable) << rotate.error().describe();
  auto disable = disable_sks(fx.data, false);
  ASSERT_FALSE(disable.ok());
  EXPECT_EQ(disable.error().cause, Cause::HsmUnreachable);
  EXPECT_EQ(fx.snapshot(), before);

  fx.network->start();
  auto back = open_folder(fx.data);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  ASSERT_TRUE(rotate_key(fx.data).ok());
  EXPECT_TRUE(open_folder(fx.data).ok());
}

TEST(NetworkHsm, AFrozenHsmIsUnreachableAfterTheTimeoutNotAHang) {
  FolderFixture fx(FolderFixture::Hsm::NetworkSoftHsm);
  fx.token.init_args += " timeout_ms=300";
  ASSERT_TRUE(enable_sks(fx.data, fx.sks_config()).ok());
  auto before = fx.snapshot();
  fx.network->freeze();
  auto started = std::chrono::steady_clock::now();
  auto opened = open_folder(fx.data);
  auto waited = std::chrono::steady_clock::now() - started;
  fx.network->thaw();
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().cause, Cause::HsmUnreachable) << opened.error().describe();
  // Bounded: one timeout per call that reaches the HSM, not forever.
  EXPECT_LT(waited, std::chrono::seconds(10));
  EXPECT_EQ(fx.snapshot(), before);
  EXPECT_TRUE(open_folder(fx.data).ok());
}

}  // namespace
}  // namespace ssoc::settings
