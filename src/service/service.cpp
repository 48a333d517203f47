#include "service/service.hpp"

#include <ctime>

#include "common/json.hpp"
#include "common/log.hpp"
#include "http/tls.hpp"
#include "saml/saml_time.hpp"
#include "service/pages.hpp"

namespace ssoc::service {
namespace {

std::int64_t now_seconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

http::Response plain(int status, std::string content_type, std::string body) {
  http::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", std::move(content_type));
  add_security_headers(response);
  response.body = std::move(body);
  return response;
}

}  // namespace

Service::Service(std::shared_ptr<const ServiceConfig> config, std::unique_ptr<store::Store> store)
    : config_(std::move(config)),
      loaded_at_(now_seconds()),
      store_(std::move(store)),
      flow_(*store_, now_seconds) {}

Result<std::unique_ptr<Service>> Service::start(std::shared_ptr<const ServiceConfig> config,
                                                std::unique_ptr<store::Store> store,
                                                ServiceOptions options) {
  std::unique_ptr<Service> service(new Service(config, std::move(store)));
  auto tls = TRY(http::make_server_tls(config->keystore->private_key(),
                                       config->keystore->chain().certificates()));
  http::ServerOptions server_options;
  server_options.bind_address = config->bind_address;
  server_options.port = config->bind_port;
  server_options.tls = std::move(tls);
  server_options.max_body_bytes = saml::kMaxSamlResponseSize + 4096;
  server_options.io_threads = options.io_threads;
  server_options.worker_threads = options.worker_threads;
  server_options.error_response = [](int status) { return error_page(status, new_reference()); };
  Service* self = service.get();
  service->server_ =
      TRY(http::Server::start(std::move(server_options), [self](const http::Request& request) {
        return self->handle(request);
      }));
  service->purger_ = std::thread([self] { self->purge_loop(); });
  return service;
}

Service::~Service() {
  stop();
}

void Service::stop(std::chrono::milliseconds grace) {
  if (server_) server_->stop(grace);
  {
    std::lock_guard lock(purge_mutex_);
    stopping_ = true;
  }
  purge_wake_.notify_all();
  if (purger_.joinable()) purger_.join();
}

std::uint16_t Service::port() const {
  return server_ ? server_->port() : 0;
}

void Service::reload(std::shared_ptr<const ServiceConfig> config) {
  std::lock_guard lock(config_mutex_);
  if (config->bind_address != config_->bind_address || config->bind_port != config_->bind_port)
    log::warn("bind_address and bind_port changes take effect at the next start");
  config_ = std::move(config);
  loaded_at_ = now_seconds();
}

std::shared_ptr<const ServiceConfig> Service::current() const {
  std::lock_guard lock(config_mutex_);
  return config_;
}

void Service::purge_loop() {
  std::unique_lock lock(purge_mutex_);
  while (!stopping_) {
    purge_wake_.wait_for(lock, std::chrono::seconds(60));
    if (stopping_) break;
    lock.unlock();
    if (auto purged = store_->purge_expired(now_seconds()); !purged)
      log::warn("expired logins were not purged: " + purged.error().message);
    lock.lock();
  }
}

http::Response Service::ping() const {
  auto config = current();
  std::int64_t loaded_at = 0;
  {
    std::lock_guard lock(config_mutex_);
    loaded_at = loaded_at_;
  }
  auto revision = store_->sync_revision();
  std::string json =
      "{\"status\":\"Ready\",\"sso\":\"Running\",\"configuration\":\"Running\","
      "\"version\":" +
      json_string(SSOC_VERSION) + ",\"sync_revision\":" + std::to_string(revision ? *revision : 0) +
      ",\"sync\":" + json_string(saml::format_saml_time(loaded_at)) +
      ",\"sks\":{\"enabled\":" + (config->sks_enabled ? "true" : "false") +
      ",\"key_label\":" + json_string(config->sks_key_label) + "}}";
  return plain(200, "application/json", json + "\n");
}

http::Response Service::handle(const http::Request& request) const {
  auto config = current();
  const std::string& path = request.path;
  if (path == "/ping") {
    if (request.method != "GET") return error_page(405, new_reference());
    return ping();
  }
  if (path == "/saml/metadata") {
    if (request.method != "GET") return error_page(405, new_reference());
    return plain(200, "application/samlmetadata+xml", config->sp->metadata_xml());
  }
  if (path == "/sso/login") {
    if (request.method != "GET") return error_page(405, new_reference());
    return flow_.begin(*config, request);
  }
  if (path == "/saml/acs") {
    if (request.method != "POST") return error_page(405, new_reference());
    return flow_.finish(*config, request);
  }
  return error_page(404, new_reference());
}

}  // namespace ssoc::service
