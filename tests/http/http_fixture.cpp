#include "http_fixture.hpp"

#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "support/test_env.hpp"

namespace ssoc::http::test {
namespace {

Bytes to_der(X509* certificate) {
  int size = i2d_X509(certificate, nullptr);
  Bytes der(static_cast<std::size_t>(size));
  unsigned char* cursor = der.data();
  i2d_X509(certificate, &cursor);
  return der;
}

TestCredentials load_credentials() {
  static ssoc::test::TempDir dir;  // lives until the program ends
  ssoc::test::TestChain chain = ssoc::test::make_test_chain(dir.path());
  TestCredentials credentials;
  ossl::Bio certificates(BIO_new_file(chain.pem.c_str(), "r"));
  while (
      ossl::X509Ptr certificate{PEM_read_bio_X509(certificates.get(), nullptr, nullptr, nullptr)})
    credentials.chain_der.push_back(to_der(certificate.get()));
  ERR_clear_error();
  ossl::Bio key(BIO_new_file(chain.pem.c_str(), "r"));
  credentials.key.reset(PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr));
  ossl::Bio ca_key(BIO_new_file((dir.path() / "ca.key").c_str(), "r"));
  credentials.ca_key.reset(PEM_read_bio_PrivateKey(ca_key.get(), nullptr, nullptr, nullptr));
  if (!credentials.key || !credentials.ca_key || credentials.chain_der.size() != 2)
    throw std::runtime_error("cannot load the test chain " + chain.pem.string());
  credentials.ca_der = credentials.chain_der.back();
  return credentials;
}

}  // namespace

const TestCredentials& test_credentials() {
  static const TestCredentials credentials = load_credentials();
  return credentials;
}

std::shared_ptr<SSL_CTX> server_tls() {
  static const std::shared_ptr<SSL_CTX> context = [] {
    const TestCredentials& credentials = test_credentials();
    auto made = make_server_tls(credentials.key.get(), credentials.chain_der);
    if (!made) throw std::runtime_error(made.error().describe());
    return *made;
  }();
  return context;
}

std::shared_ptr<SSL_CTX> client_tls() {
  static const std::shared_ptr<SSL_CTX> context = [] {
    auto made = make_client_tls({test_credentials().ca_der});
    if (!made) throw std::runtime_error(made.error().describe());
    return *made;
  }();
  return context;
}

std::optional<std::string> ParsedResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers)
    if (name == lower_name) return value;
  return std::nullopt;
}

std::unique_ptr<TestClient> TestClient::connect(std::uint16_t port, SSL_CTX* tls,
                                                std::string* why) {
  std::unique_ptr<TestClient> client(new TestClient());
  client->fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (client->fd_ < 0 ||
      ::connect(client->fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    if (why) *why = std::string("connect: ") + std::strerror(errno);
    return nullptr;
  }
  timeval five_seconds{5, 0};
  ::setsockopt(client->fd_, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
  if (tls) {
    client->ssl_.reset(SSL_new(tls));
    SSL_set_fd(client->ssl_.get(), client->fd_);
    SSL_set_tlsext_host_name(client->ssl_.get(), "sso.test");
    SSL_set1_host(client->ssl_.get(), "sso.test");
    if (SSL_connect(client->ssl_.get()) != 1) {
      if (why) *why = "TLS handshake: " + ossl::last_error();
      ERR_clear_error();
      return nullptr;
    }
  }
  return client;
}

TestClient::~TestClient() {
  ssl_.reset();
  if (fd_ >= 0) ::close(fd_);
}

bool TestClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ssl_ ? SSL_write(ssl_.get(), bytes.data(), static_cast<int>(bytes.size()))
                     : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) {
      ERR_clear_error();
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool TestClient::read_some(std::chrono::steady_clock::time_point deadline) {
  timed_out_ = false;
  if (!ssl_ || SSL_pending(ssl_.get()) == 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd watched{fd_, POLLIN, 0};
    int ready = ::poll(&watched, 1, static_cast<int>(std::max<long>(left.count(), 0)));
    if (ready <= 0) {
      timed_out_ = true;
      return false;
    }
  }
  char chunk[16384];
  ssize_t n =
      ssl_ ? SSL_read(ssl_.get(), chunk, sizeof chunk) : ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    if (ssl_) {
      int error = SSL_get_error(ssl_.get(), static_cast<int>(n));
      ERR_clear_error();
      if (error == SSL_ERROR_WANT_READ) return true;  // a TLS 1.3 ticket or a partial record
    }
    return false;
  }
  buffer_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<ParsedResponse> TestClient::read_response(std::chrono::milliseconds timeout,
                                                        bool head_request) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos)
    if (!read_some(deadline)) return std::nullopt;
  ParsedResponse response;
  std::string head = buffer_.substr(0, end + 2);
  std::size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12) return std::nullopt;
  response.status = std::stoi(status_line.substr(9, 3));
  std::size_t cursor = line_end + 2;
  std::size_t content_length = 0;
  while (cursor < head.size()) {
    std::size_t next = head.find("\r\n", cursor);
    std::string line = head.substr(cursor, next - cursor);
    cursor = next + 2;
    std::size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (name == "content-length") content_length = std::stoul(value);
    response.headers.emplace_back(name, value);
  }
  if (head_request || response.status == 100 || response.status == 204 || response.status == 304)
    content_length = 0;
  while (buffer_.size() < end + 4 + content_length)
    if (!read_some(deadline)) return std::nullopt;
  response.body = buffer_.substr(end + 4, content_length);
  buffer_.erase(0, end + 4 + content_length);
  return response;
}

bool TestClient::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (read_some(deadline)) {
  }
  return !timed_out_;
}

std::string get_request(std::string_view target, std::string_view extra_headers) {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: sso.test\r\n" +
         std::string(extra_headers) + "\r\n";
}

std::string post_request(std::string_view target, std::string_view body,
                         std::string_view extra_headers) {
  return "POST " + std::string(target) +
         " HTTP/1.1\r\nHost: sso.test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

Response echo(const Request& request) {
  Response response;
  response.headers = {{"Content-Type", "text/plain"}, {"X-Frame-Options", "DENY"}};
  response.body = request.method + " " + request.path + " ?" + request.query + " #" + request.body;
  return response;
}

std::unique_ptr<Server> start_server(ServerOptions options, Handler handler) {
  if (options.io_threads == 0) options.io_threads = 2;
  if (options.worker_threads == 0) options.worker_threads = 4;
  auto started = Server::start(std::move(options), std::move(handler));
  if (!started) {
    ADD_FAILURE() << "the server did not start: " << started.error().describe();
    return nullptr;
  }
  return std::move(started).value();
}

std::string wire_name(const ::testing::TestParamInfo<Wire>& info) {
  return info.param == Wire::Tls ? "Tls" : "Plain";
}

std::unique_ptr<Server> OverBothWires::start(ServerOptions options, Handler handler) {
  if (tls()) options.tls = server_tls();
  return start_server(std::move(options), std::move(handler));
}

std::unique_ptr<TestClient> OverBothWires::connect(const Server& server) {
  std::string why;
  auto client = TestClient::connect(server.port(), tls() ? client_tls().get() : nullptr, &why);
  if (!client) ADD_FAILURE() << "cannot connect: " << why;
  return client;
}

}  // namespace ssoc::http::test
