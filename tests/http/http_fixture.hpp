// Helpers for the http tests: the test certificate chain loaded with OpenSSL, a blocking client
// over a real socket (plain or TLS), and servers on 127.0.0.1 at a port the kernel picks.
#pragma once

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/openssl.hpp"
#include "http/message.hpp"
#include "http/server.hpp"
#include "http/tls.hpp"

namespace ssoc::http::test {

using namespace std::chrono_literals;

// The leaf key and chain made by make_test_chain (CN sso.test), once per test program.
struct TestCredentials {
  ossl::Pkey key;
  ossl::Pkey ca_key;             // the CA's: a key that does not match the leaf
  std::vector<Bytes> chain_der;  // leaf, CA
  Bytes ca_der;
};
const TestCredentials& test_credentials();

// make_server_tls over the test credentials, and a client trusting their CA (made once).
std::shared_ptr<SSL_CTX> server_tls();
std::shared_ptr<SSL_CTX> client_tls();

struct ParsedResponse {
  int status = 0;
  HeaderList headers;  // names lower-cased
  std::string body;
  std::optional<std::string> header(std::string_view lower_name) const;
};

// One blocking connection to 127.0.0.1:port. Every read gives up after its timeout.
class TestClient {
 public:
  // nullptr (with the reason in *why) when the TCP connection or the TLS handshake fails.
  // With `tls`, the server's certificate must be valid for "sso.test".
  static std::unique_ptr<TestClient> connect(std::uint16_t port, SSL_CTX* tls = nullptr,
                                             std::string* why = nullptr);
  ~TestClient();

  bool send(std::string_view bytes);
  // The next response (a 100 Continue counts as one); nullopt if the connection closes or the
  // timeout passes first. `head_request`: the response has no body whatever its length says.
  std::optional<ParsedResponse> read_response(std::chrono::milliseconds timeout = 5s,
                                              bool head_request = false);
  // True if the server ends the connection (EOF or reset) within `timeout`; what arrives
  // before is kept in received().
  bool wait_closed(std::chrono::milliseconds timeout);
  const std::string& received() const { return buffer_; }
  SSL* ssl() const { return ssl_.get(); }

 private:
  TestClient() = default;
  // Reads once into buffer_; false on EOF, error or timeout (timed_out_ tells which).
  bool read_some(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  SslPtr ssl_;
  std::string buffer_;
  bool timed_out_ = false;
};

// "GET <target> HTTP/1.1" with Host and the extra header lines (each ending "\r\n").
std::string get_request(std::string_view target, std::string_view extra_headers = "");
// "POST <target> HTTP/1.1" with Host, Content-Length and the body.
std::string post_request(std::string_view target, std::string_view body,
                         std::string_view extra_headers = "");

// Answers "<method> <path> ?<query> #<body>" as text/plain, for round trips.
Response echo(const Request& request);

// Starts a server (failing the test if it cannot); io/worker threads default to 2 and 4.
std::unique_ptr<Server> start_server(ServerOptions options, Handler handler = echo);

enum class Wire { Plain, Tls };
std::string wire_name(const ::testing::TestParamInfo<Wire>& info);

// Tests that run over plain HTTP and over HTTPS alike.
class OverBothWires : public ::testing::TestWithParam<Wire> {
 protected:
  bool tls() const { return GetParam() == Wire::Tls; }
  // start_server with the server TLS context when the wire is TLS.
  std::unique_ptr<Server> start(ServerOptions options = {}, Handler handler = echo);
  // A connection matching the wire (failing the test when it cannot connect).
  std::unique_ptr<TestClient> connect(const Server& server);
};

}  // namespace ssoc::http::test
