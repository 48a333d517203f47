// The running SSO service: the HTTPS listener and its endpoints (DESIGN.md "Login protocol"
// and "Other endpoints"):
//
//   GET  /ping            status JSON
//   GET  /saml/metadata   this SP's metadata
//   GET  /sso/login       start a login (LoginFlow::begin)
//   POST /saml/acs        the IdP's response (LoginFlow::finish)
//
// The configuration in force is swapped whole by reload() (SIGHUP); requests in flight keep
// the one they started with. A clean-up thread purges expired transactions and replay entries
// once a minute. The HSM is never used here: the settings come decrypted.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "http/server.hpp"
#include "service/login_flow.hpp"
#include "service/service_config.hpp"
#include "store/store.hpp"

namespace ssoc::service {

struct ServiceOptions {
  unsigned io_threads = 0;      // 0: the HTTP server's default
  unsigned worker_threads = 0;  // 0: the HTTP server's default
};

class Service {
 public:
  // Opens the TLS context from the keystore, binds bind_address:bind_port and starts serving.
  static Result<std::unique_ptr<Service>> start(std::shared_ptr<const ServiceConfig> config,
                                                std::unique_ptr<store::Store> store,
                                                ServiceOptions options = {});
  ~Service();

  // Swaps in a new configuration. The listener keeps its address and certificate (a change of
  // bind_address, bind_port or keystore needs a restart, which is logged).
  void reload(std::shared_ptr<const ServiceConfig> config);
  // Stops accepting, lets requests in flight finish (up to `grace`), stops the clean-up.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  std::uint16_t port() const;

  // The handler behind the listener, for tests that call it without sockets.
  http::Response handle(const http::Request& request) const;

 private:
  Service(std::shared_ptr<const ServiceConfig> config, std::unique_ptr<store::Store> store);
  std::shared_ptr<const ServiceConfig> current() const;
  http::Response ping() const;
  void purge_loop();

  mutable std::mutex config_mutex_;
  std::shared_ptr<const ServiceConfig> config_;
  std::int64_t loaded_at_ = 0;
  std::unique_ptr<store::Store> store_;
  LoginFlow flow_;
  std::unique_ptr<http::Server> server_;

  std::mutex purge_mutex_;
  std::condition_variable purge_wake_;
  bool stopping_ = false;
  std::thread purger_;
};

}  // namespace ssoc::service
