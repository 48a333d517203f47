// The server's TLS settings, checked by real handshakes: what it accepts and what it refuses.
// Each refusal has a control: the same client completes its handshake with a permissive server,
// so the refusal is the server's doing and not a client that cannot speak that protocol.
#include <gtest/gtest.h>
#include <openssl/err.h>

#include "http_fixture.hpp"

namespace ssoc::http::test {
namespace {

ossl::X509Ptr leaf_certificate() {
  const Bytes& der = test_credentials().chain_der.front();
  const unsigned char* cursor = der.data();
  return ossl::X509Ptr(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
}

// A server context that takes anything OpenSSL can still do (TLS 1.0 up, every suite).
std::shared_ptr<SSL_CTX> permissive_server_tls() {
  SslCtxPtr context(SSL_CTX_new(TLS_server_method()));
  SSL_CTX_set_security_level(context.get(), 0);
  SSL_CTX_set_min_proto_version(context.get(), TLS1_VERSION);
  SSL_CTX_set_cipher_list(context.get(), "ALL:@SECLEVEL=0");
  SSL_CTX_set_dh_auto(context.get(), 1);
  SSL_CTX_use_certificate(context.get(), leaf_certificate().get());
  SSL_CTX_use_PrivateKey(context.get(), test_credentials().key.get());
  return std::shared_ptr<SSL_CTX>(context.release(), SSL_CTX_free);
}

// A client limited to one protocol version and TLS 1.2 suite list; it does not verify.
SslCtxPtr limited_client(int version, const char* tls12_suites) {
  SslCtxPtr context(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_set_security_level(context.get(), 0);
  SSL_CTX_set_min_proto_version(context.get(), version);
  SSL_CTX_set_max_proto_version(context.get(), version);
  if (tls12_suites) SSL_CTX_set_cipher_list(context.get(), tls12_suites);
  return context;
}

class TlsSettings : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions strict;
    strict.tls = server_tls();
    server_ = start_server(strict);
    ServerOptions loose;
    loose.tls = permissive_server_tls();
    permissive_ = start_server(loose);
    ASSERT_TRUE(server_ && permissive_);
  }

  // Expects `client` refused by the server and accepted by the permissive one.
  void expect_refused_by_server_only(SSL_CTX* client) {
    std::string why;
    EXPECT_FALSE(TestClient::connect(server_->port(), client, &why)) << "handshake succeeded";
    auto control = TestClient::connect(permissive_->port(), client, &why);
    EXPECT_TRUE(control) << "control handshake failed: " << why;
  }

  std::unique_ptr<Server> server_;
  std::unique_ptr<Server> permissive_;
};

TEST_F(TlsSettings, Tls13IsAcceptedAndServesRequests) {
  auto client = TestClient::connect(server_->port(), client_tls().get());
  ASSERT_TRUE(client);
  EXPECT_EQ(SSL_version(client->ssl()), TLS1_3_VERSION);
  EXPECT_EQ(SSL_get_verify_result(client->ssl()), X509_V_OK);
  ASSERT_TRUE(client->send(get_request("/ping")));
  auto response = client->read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(TlsSettings, Tls12WithEcdheAndAeadIsAccepted) {
  for (const char* suite : {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                            "ECDHE-RSA-CHACHA20-POLY1305"}) {
    SslCtxPtr context = limited_client(TLS1_2_VERSION, suite);
    std::string why;
    auto client = TestClient::connect(server_->port(), context.get(), &why);
    ASSERT_TRUE(client) << suite << ": " << why;
    EXPECT_STREQ(SSL_get_cipher_name(client->ssl()), suite);
    ASSERT_TRUE(client->send(get_request("/ping")));
    EXPECT_TRUE(client->read_response()) << suite;
  }
}

TEST_F(TlsSettings, Tls11IsRefused) {
  SslCtxPtr context = limited_client(TLS1_1_VERSION, "DEFAULT:@SECLEVEL=0");
  expect_refused_by_server_only(context.get());
}

TEST_F(TlsSettings, Tls10IsRefused) {
  SslCtxPtr context = limited_client(TLS1_VERSION, "DEFAULT:@SECLEVEL=0");
  expect_refused_by_server_only(context.get());
}

TEST_F(TlsSettings, Tls12WithOnlyCbcSuitesIsRefused) {
  SslCtxPtr context = limited_client(
      TLS1_2_VERSION,
      "ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA");
  expect_refused_by_server_only(context.get());
}

TEST_F(TlsSettings, Tls12WithRsaKeyExchangeIsRefused) {
  SslCtxPtr context = limited_client(TLS1_2_VERSION, "AES128-GCM-SHA256:AES256-GCM-SHA384");
  expect_refused_by_server_only(context.get());
}

TEST_F(TlsSettings, Tls12WithFiniteFieldDheIsRefused) {
  SslCtxPtr context =
      limited_client(TLS1_2_VERSION, "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384");
  expect_refused_by_server_only(context.get());
}

TEST_F(TlsSettings, ClientThatDoesNotTrustTheCaFailsToConnect) {
  auto trusting_nothing = make_client_tls({});
  ASSERT_TRUE(trusting_nothing);
  EXPECT_FALSE(TestClient::connect(server_->port(), trusting_nothing->get()));
  EXPECT_TRUE(TestClient::connect(server_->port(), client_tls().get()));
}

TEST(ServerTls, ContextRefusesCompressionAndRenegotiation) {
  uint64_t options = SSL_CTX_get_options(server_tls().get());
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(server_tls().get()), TLS1_2_VERSION);
}

TEST(ServerTls, KeyNotMatchingTheCertificateIsInvalidSetting) {
  const TestCredentials& credentials = test_credentials();
  auto made = make_server_tls(credentials.ca_key.get(), credentials.chain_der);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().cause, Cause::InvalidSetting);
  EXPECT_NE(made.error().message.find("does not match the leaf certificate"), std::string::npos)
      << made.error().message;

  ossl::Pkey ec_key(EVP_EC_gen("P-256"));
  ASSERT_TRUE(ec_key);
  made = make_server_tls(ec_key.get(), credentials.chain_der);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().cause, Cause::InvalidSetting);
  EXPECT_EQ(ERR_peek_error(), 0u) << "OpenSSL errors left queued";
}

TEST(ServerTls, MissingKeyEmptyChainAndDamagedCertificateAreInvalidSetting) {
  const TestCredentials& credentials = test_credentials();
  auto no_key = make_server_tls(nullptr, credentials.chain_der);
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().cause, Cause::InvalidSetting);
  auto no_chain = make_server_tls(credentials.key.get(), {});
  ASSERT_FALSE(no_chain);
  EXPECT_EQ(no_chain.error().cause, Cause::InvalidSetting);
  std::vector<Bytes> damaged = credentials.chain_der;
  damaged[0].resize(damaged[0].size() / 2);
  auto truncated = make_server_tls(credentials.key.get(), damaged);
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().cause, Cause::InvalidSetting);
}

TEST(ServerTls, SendsTheWholeChain) {
  ServerOptions options;
  options.tls = server_tls();
  auto server = start_server(options);
  ASSERT_TRUE(server);
  auto client = TestClient::connect(server->port(), client_tls().get());
  ASSERT_TRUE(client);
  EXPECT_EQ(sk_X509_num(SSL_get_peer_cert_chain(client->ssl())), 2);
}

}  // namespace
}  // namespace ssoc::http::test
