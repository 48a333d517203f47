#include "client/login_client.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "common/encoding.hpp"
#include "common/log.hpp"
#include "common/openssl.hpp"
#include "http/server.hpp"
#include "vault/client_key.hpp"

extern char** environ;

namespace ssoc::client {
namespace {

constexpr std::string_view kCallbackPath = "/ssoc/callback";

// What the loopback listener hands to the waiting login.
struct Mailbox {
  std::mutex mutex;
  std::condition_variable arrived;
  std::optional<Token> token;
};

http::Response page(int status, std::string_view text) {
  http::Response response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "text/html; charset=utf-8");
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("Content-Security-Policy", "default-src 'none'");
  response.body =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>SSO Connect</title>"
      "</head><body><p>" +
      std::string(text) + "</p></body></html>\n";
  return response;
}

http::Response on_callback(const http::Request& request, const std::string& state,
                           Mailbox& mailbox) {
  if (request.path != kCallbackPath) return page(404, "Not found.");
  if (request.method != "POST") return page(405, "This address only takes the login form.");
  auto form = http::parse_form(request.body);
  if (!form) return page(400, "The login form was malformed.");
  std::optional<std::string> token_text;
  for (const auto& [name, value] : *form)
    if (name == "token") token_text = value;
  if (!token_text) return page(400, "The login form had no token.");
  auto token = parse_token(*token_text);
  if (!token) return page(400, "The login token was malformed.");
  if (!equal_constant_time(as_bytes(token->state), as_bytes(state)))
    return page(400, "This login token belongs to another login.");
  {
    std::lock_guard lock(mailbox.mutex);
    if (!mailbox.token) mailbox.token = std::move(*token);
  }
  mailbox.arrived.notify_all();
  return page(200, "You are signed in. You can close this window.");
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

bool spawn(std::vector<std::string> argv) {
  std::vector<char*> args;
  for (std::string& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return false;
  // Reaped by a detached waiter so that no zombie is left; the browser keeps running.
  std::thread([pid] {
    int status = 0;
    ::waitpid(pid, &status, 0);
  }).detach();
  return true;
}

}  // namespace

void open_in_browser(const std::string& url) {
  if (const char* browser = std::getenv("BROWSER"); browser != nullptr && *browser != '\0') {
    std::string first(browser);
    first = first.substr(0, first.find(':'));
    std::vector<std::string> words = split_words(first);
    bool substituted = false;
    for (std::string& w : words) {
      if (auto at = w.find("%s"); at != std::string::npos) {
        w.replace(at, 2, url);
        substituted = true;
      }
    }
    if (!substituted) words.push_back(url);
    if (!words.empty() && spawn(words)) return;
  }
  if (::access("/usr/bin/xdg-open", X_OK) == 0 && std::getenv("DISPLAY") != nullptr &&
      spawn({"/usr/bin/xdg-open", url}))
    return;
  std::fprintf(stderr, "Open this address in your browser to sign in:\n  %s\n", url.c_str());
}

Result<LoginResult> login(const LoginOptions& options) {
  if (options.server.rfind("https://", 0) != 0 && options.server.rfind("http://", 0) != 0)
    return fail(Cause::Usage, "--server must be an https:// URL of SSO Connect");
  std::string server = options.server;
  while (!server.empty() && server.back() == '/') server.pop_back();

  auto keys = options.rsa ? vault::ClientKeyPair::generate_rsa(3072)
                          : vault::ClientKeyPair::generate_x25519();
  if (!keys) return std::move(keys).error();
  std::string state = base64url_encode(TRY(ossl::random_bytes(16)));

  Mailbox mailbox;
  http::ServerOptions listen;
  listen.bind_address = "127.0.0.1";
  listen.port = 0;
  listen.io_threads = 1;
  listen.worker_threads = 1;
  listen.max_body_bytes = 2 * kMaxTokenSize;
  auto listener = TRY(http::Server::start(
      listen, [&](const http::Request& request) { return on_callback(request, state, mailbox); }));
  std::string redirect_uri =
      "http://127.0.0.1:" + std::to_string(listener->port()) + std::string(kCallbackPath);
  std::string url = server + "/sso/login?key=" + keys->public_base64url() +
                    "&redirect_uri=" + http::percent_encode(redirect_uri) +
                    "&state=" + http::percent_encode(state);
  (options.open_browser ? options.open_browser : open_in_browser)(url);

  std::unique_lock lock(mailbox.mutex);
  if (!mailbox.arrived.wait_for(lock, options.timeout, [&] { return mailbox.token.has_value(); }))
    return fail(Cause::Io, "no login arrived within " + std::to_string(options.timeout.count()) +
                               " seconds; finish the sign-in in the browser, or try again");
  Token token = std::move(*mailbox.token);
  lock.unlock();
  listener->stop(std::chrono::seconds(2));

  auto password = keys->open(token.password, token.session_id);
  if (!password)
    return fail(Cause::IntegrityFailure,
                "the master password in the token does not open with this login's key");
  return LoginResult{std::move(token), std::move(*password)};
}

}  // namespace ssoc::client
