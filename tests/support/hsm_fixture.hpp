// A data folder on a fresh token, for the sks and settings tests (header-only: it needs the sks
// part, which the support library does not link).
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "datadir/properties.hpp"
#include "settings/folder_changes.hpp"
#include "settings/layout.hpp"
#include "sks/sks_config.hpp"
#include "support/test_env.hpp"

namespace ssoc::test {

inline constexpr const char* kInstanceId = "123456789012";

// A test tool built beside the tests (the shim module, the network HSM).
inline std::string tool_path(const std::string& name) {
  std::string path = std::string(SSOC_TEST_TOOLS_DIR) + "/" + name;
  if (!fs::exists(path)) throw std::runtime_error(path + " is missing: build the test tools");
  return path;
}

// The shim module (tests/pkcs11/shim) and its control functions, reached through the same
// loaded instance the product code uses.
class Shim {
 public:
  Shim() {
    path_ = tool_path("libssoc_pkcs11_shim.so");
    handle_ = ::dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    if (handle_ == nullptr)
      throw std::runtime_error(std::string("cannot load shim: ") + ::dlerror());
    reset_ = reinterpret_cast<void (*)()>(::dlsym(handle_, "ssoc_shim_reset"));
    count_ = reinterpret_cast<unsigned long (*)(const char*)>(::dlsym(handle_, "ssoc_shim_count"));
    fail_ = reinterpret_cast<void (*)(const char*, unsigned long, int)>(
        ::dlsym(handle_, "ssoc_shim_fail"));
    mode_ = reinterpret_cast<void (*)(const char*)>(::dlsym(handle_, "ssoc_shim_set_iv_mode"));
    if (!reset_ || !count_ || !fail_ || !mode_)
      throw std::runtime_error("shim control functions missing");
    reset_();
  }
  const std::string& path() const { return path_; }
  void reset() const { reset_(); }
  unsigned long count(const char* function) const { return count_(function); }
  void fail(const char* function, unsigned long rv, int times = -1) const {
    fail_(function, rv, times);
  }
  void iv_mode(const char* mode) const { mode_(mode); }

 private:
  std::string path_;
  void* handle_ = nullptr;
  void (*reset_)() = nullptr;
  unsigned long (*count_)(const char*) = nullptr;
  void (*fail_)(const char*, unsigned long, int) = nullptr;
  void (*mode_)(const char*) = nullptr;
};

// The project's network HSM server (tests/pkcs11/nethsm) exposing a real module on a Unix
// socket, in its own process: an HSM that lives apart from the process under test, which can be
// stopped, frozen (SIGSTOP) and resumed.
class NetworkHsmServer {
 public:
  NetworkHsmServer(const fs::path& socket, const std::string& module,
                   const std::string& init_args = {})
      : socket_(socket), module_(module), init_args_(init_args) {
    start();
  }
  ~NetworkHsmServer() { stop(); }
  NetworkHsmServer(const NetworkHsmServer&) = delete;
  NetworkHsmServer& operator=(const NetworkHsmServer&) = delete;

  static std::string client_module() { return tool_path("libssoc_nethsm_client.so"); }
  std::string client_init_args() const { return "socket=" + socket_.string(); }

  void start() {
    std::string server_path = tool_path("ssoc_nethsm_server");
    const char* server = server_path.c_str();
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      if (init_args_.empty()) {
        ::execl(server, server, "--socket", socket_.c_str(), "--module", module_.c_str(),
                static_cast<char*>(nullptr));
      } else {
        ::execl(server, server, "--socket", socket_.c_str(), "--module", module_.c_str(),
                "--init-args", init_args_.c_str(), static_cast<char*>(nullptr));
      }
      ::_exit(127);
    }
    ::close(out[1]);
    char ready[16] = {};
    [[maybe_unused]] auto n = ::read(out[0], ready, sizeof ready - 1);  // "ready\n" once listening
    ::close(out[0]);
    if (std::string(ready).rfind("ready", 0) != 0)
      throw std::runtime_error("nethsm server did not start");
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGCONT);
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  void freeze() const { ::kill(pid_, SIGSTOP); }
  void thaw() const { ::kill(pid_, SIGCONT); }

 private:
  fs::path socket_;
  std::string module_;
  std::string init_args_;
  pid_t pid_ = -1;
};

// A configured data folder with plaintext settings, a chain, and a token to put its key on.
struct FolderFixture {
  TempDir dir;
  TestToken token;
  TestChain chain;
  fs::path data;

  std::unique_ptr<NetworkHsmServer> network;  // for Hsm::NetworkSoftHsm

  enum class Hsm { SoftHsm, Nss, ShimOverSoftHsm, NetworkSoftHsm };

  explicit FolderFixture(Hsm hsm = Hsm::SoftHsm) {
    if (hsm == Hsm::Nss) {
      token = make_nss_token(dir / "nss");
    } else {
      token = make_softhsm_token(dir / "softhsm");
    }
    if (hsm == Hsm::ShimOverSoftHsm) {
      ::setenv("SSOC_SHIM_TARGET", token.module_path.c_str(), 1);
      token.module_path = Shim().path();
    }
    if (hsm == Hsm::NetworkSoftHsm) {
      network = std::make_unique<NetworkHsmServer>(dir / "hsm.sock", token.module_path);
      token.module_path = NetworkHsmServer::client_module();
      token.init_args = network->client_init_args();
    }
    fs::create_directories(dir / "certs");
    chain = make_test_chain(dir / "certs");
    data = dir / "data";
    fs::create_directories(data);
    fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
    write_plain_settings();
  }

  datadir::Properties instance_settings() const {
    datadir::Properties p;
    (void)p.set("instance_id", kInstanceId);
    (void)p.set("external_host", "sso.test");
    (void)p.set("keystore_password", "keystore-secret-pass");
    (void)p.set("instance_secret_key", "aW5zdGFuY2Utc2VjcmV0LWtleS0zMi1ieXRlcy0tLS0=");
    return p;
  }
  datadir::Properties shared_settings() const {
    datadir::Properties p;
    (void)p.set("sp_entity_id", "https://sso.test/saml");
    (void)p.set("master_key", "bWFzdGVyLWtleS0zMi1ieXRlcy1mb3ItdGVzdHMtLS0=");
    (void)p.set("master_key_id", "1");
    return p;
  }

  void write_plain_settings() const {
    write_file(data / "instance.properties", instance_settings().serialize());
    write_file(data / "shared.properties", shared_settings().serialize());
  }
  static void write_file(const fs::path& path, const SecretBytes& text) {
    write_all(path, ByteView(text.data(), text.size()));
    ::chmod(path.c_str(), 0600);
  }

  sks::SksConfig sks_config() const {
    sks::SksConfig c;
    c.instance_id = kInstanceId;
    c.module = token.module_path;
    c.module_init_args = token.init_args;
    c.token = {pkcs11::TokenSelector::By::Label, token.token_label};
    c.pin_source = sks::SksConfig::PinSource::Inline;
    c.pin_inline = secret_from(std::string_view(token.pin));
    c.cert_chain_file = chain.p12.string();
    c.cert_chain_password = secret_from(std::string_view(chain.password));
    return c;
  }

  // Every file of the data folder with its bytes (lock files left out).
  std::map<std::string, Bytes> snapshot() const {
    std::map<std::string, Bytes> files;
    for (const auto& entry : fs::directory_iterator(data)) {
      std::string name = entry.path().filename().string();
      if (name.ends_with(".lock")) continue;
      files[name] = read_all(entry.path());
    }
    return files;
  }
};

}  // namespace ssoc::test
