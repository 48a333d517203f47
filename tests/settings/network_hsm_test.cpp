// A network HSM: `p11-kit server` exposes a SoftHSM2 token over a socket and the folder is
// opened through p11-kit-client.so. Stopping the server is the network going down.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::settings {
namespace {

using test::FolderFixture;

constexpr const char* kClientModule = "/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so";

class P11KitServer {
 public:
  P11KitServer(const fs::path& socket, const std::string& provider, const std::string& token)
      : socket_(socket) {
    pid_ = ::fork();
    if (pid_ == 0) {
      std::string uri = "pkcs11:token=" + token;
      ::execlp("p11-kit", "p11-kit", "server", "-f", "-n", socket.c_str(), "--provider",
               provider.c_str(), uri.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 100 && !fs::exists(socket); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ~P11KitServer() { stop(); }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
    fs::remove(socket_);
  }
  bool running() const { return pid_ > 0 && fs::exists(socket_); }

 private:
  fs::path socket_;
  pid_t pid_ = -1;
};

// p11-kit 0.24 (Debian 12) reaches the token over its socket, but its RPC cannot carry
// CKM_AES_GCM parameters: the mechanism vanishes from the list and decryption is refused. The
// folder therefore fails to open with algorithm-unsupported, naming the mechanism; the full
// network open is shown with the project's own network HSM (nethsm_test.cpp).
TEST(P11KitNetworkHsm, ReachesTheKeyButCannotCarryGcmAndIsUnreachableWhenStopped) {
  if (!fs::exists(kClientModule)) GTEST_SKIP() << "p11-kit-modules is not installed";
  FolderFixture fx;
  auto enabled = enable_sks(fx.data, fx.sks_config());
  ASSERT_TRUE(enabled.ok()) << enabled.error().describe();
  fs::path socket = fx.dir / "hsm.sock";
  P11KitServer server(socket, fx.token.module_path, fx.token.token_label);
  ASSERT_TRUE(server.running());
  std::string address = "unix:path=" + socket.string();
  ::setenv("P11_KIT_SERVER_ADDRESS", address.c_str(), 1);

  // Point the folder at the network module.
  Bytes text = test::read_all(fx.data / "sks.properties");
  std::string edited(text.begin(), text.end());
  edited.replace(edited.find(fx.token.module_path), fx.token.module_path.size(), kClientModule);
  test::write_all(fx.data / "sks.properties", as_bytes(edited));
  auto before = fx.snapshot();

  sks::SksConfig config = fx.sks_config();
  config.module = kClientModule;
  {
    // Over the socket: token found, login accepted, the key found by its label and id.
    auto hsm = sks::HsmConnection::open(config, false);
    ASSERT_TRUE(hsm.ok()) << hsm.error().describe();
    EXPECT_TRUE(sks::find_instance_key(hsm->session(), enabled->key).ok());
  }
  {
    auto opened = open_folder(fx.data);
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().cause, Cause::AlgorithmUnsupported) << opened.error().describe();
  }

  server.stop();
  auto cut_off = open_folder(fx.data);
  ASSERT_FALSE(cut_off.ok());
  EXPECT_EQ(cut_off.error().cause, Cause::HsmUnreachable) << cut_off.error().describe();
  EXPECT_EQ(fx.snapshot(), before);
}

}  // namespace
}  // namespace ssoc::settings
