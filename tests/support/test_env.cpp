#include "support/test_env.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>

#include "common/encoding.hpp"
#include "common/openssl.hpp"

namespace ssoc::test {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base ? base : "/tmp") + "/ssoc-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Tests may leave read-only folders behind; make them writable so they can be removed.
  for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_directory(ec)) fs::permissions(it->path(), fs::perms::owner_all, ec);
  }
  fs::permissions(path_, fs::perms::owner_all, ec);
  fs::remove_all(path_, ec);
}

int run_command(const std::string& command, std::string* output) {
  std::string full = command + " 2>&1";
  FILE* pipe = ::popen(full.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buffer;
  std::string text;
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe))
    text.append(buffer.data(), n);
  int status = ::pclose(pipe);
  if (output != nullptr) *output = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string softhsm_module_path() {
  for (const char* candidate :
       {"/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"}) {
    if (fs::exists(candidate)) return candidate;
  }
  throw std::runtime_error("SoftHSM2 is not installed (scripts/install-deps installs it)");
}

TestToken make_softhsm_token(const fs::path& dir, const std::string& label) {
  fs::create_directories(dir / "tokens");
  fs::path conf = dir / "softhsm2.conf";
  std::ofstream(conf) << "directories.tokendir = " << (dir / "tokens").string() << "\n"
                      << "objectstore.backend = file\nlog.level = ERROR\n"
                      << "slots.removable = false\n";
  ::setenv("SOFTHSM2_CONF", conf.c_str(), 1);
  TestToken token{softhsm_module_path(), "", label, "hsm-pin-50831", "hsm-so-pin-7702"};
  std::string out;
  int rc = run_command("softhsm2-util --init-token --free --label '" + label +
                           "' --pin hsm-pin-50831 --so-pin hsm-so-pin-7702",
                       &out);
  if (rc != 0) throw std::runtime_error("softhsm2-util failed: " + out);
  return token;
}

TestToken make_nss_token(const fs::path& dir) {
  fs::create_directories(dir / "nssdb");
  fs::path pwfile = dir / "nss-password";
  std::ofstream(pwfile) << "nss-pin-4321\n";
  std::string out;
  int rc = run_command("certutil -N -d sql:" + (dir / "nssdb").string() + " -f " + pwfile.string(),
                       &out);
  if (rc != 0) throw std::runtime_error("certutil -N failed: " + out);
  TestToken token;
  token.module_path = "/usr/lib/x86_64-linux-gnu/libsoftokn3.so";
  token.init_args = "configdir='sql:" + (dir / "nssdb").string() +
                    "' certPrefix='' keyPrefix='' secmod='secmod.db' flags=";
  token.token_label = "NSS Certificate DB";
  token.pin = "nss-pin-4321";
  return token;
}

TestChain make_test_chain(const fs::path& dir, const std::string& common_name) {
  TestChain chain;
  chain.pem = dir / "chain.pem";
  chain.p12 = dir / "chain.p12";
  chain.password = "p12-pass-" + common_name;
  if (!fs::exists(chain.p12)) {
    std::string d = dir.string();
    std::string script =
        "set -e; cd '" + d +
        "'; "
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 "
        "  -subj '/CN=SSO Connect Test CA' >/dev/null 2>&1; "
        "openssl req -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr "
        "  -subj '/CN=" +
        common_name +
        "' >/dev/null 2>&1; "
        "openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 825 "
        "  -out leaf.pem >/dev/null 2>&1; "
        "cat leaf.pem ca.pem leaf.key > chain.pem; "
        "openssl pkcs12 -export -inkey leaf.key -in leaf.pem -certfile ca.pem -out chain.p12 "
        "  -passout pass:'" +
        chain.password +
        "'; "
        "openssl x509 -in leaf.pem -noout -pubkey | openssl pkey -pubin -outform DER "
        "  | openssl dgst -sha1 -r | cut -d' ' -f1 > leaf.spki.sha1";
    std::string out;
    if (run_command(script, &out) != 0) throw std::runtime_error("openssl failed: " + out);
  }
  std::ifstream in(dir / "leaf.spki.sha1");
  std::string hex;
  in >> hex;
  auto bytes = hex_decode(hex);
  if (!bytes) throw std::runtime_error("bad leaf.spki.sha1");
  chain.leaf_spki_sha1 = *bytes;
  return chain;
}

Bytes chain_ca_der(const fs::path& pem) {
  ossl::Bio bio(BIO_new_file(pem.c_str(), "r"));
  if (!bio) throw std::runtime_error("cannot read " + pem.string());
  ossl::X509Ptr last;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) last.reset(cert);
  ERR_clear_error();
  unsigned char* der = nullptr;
  int size = last ? i2d_X509(last.get(), &der) : -1;
  if (size <= 0) throw std::runtime_error("no certificate in " + pem.string());
  Bytes out(der, der + size);
  OPENSSL_free(der);
  return out;
}

std::string pem_body(const fs::path& pem, const std::string& indent) {
  std::ifstream in(pem);
  std::string line, body;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.starts_with("-----BEGIN CERTIFICATE")) {
      inside = true;
    } else if (line.starts_with("-----END CERTIFICATE")) {
      break;
    } else if (inside) {
      body += indent + line + "\n";
    }
  }
  return body;
}

Listener::Listener() {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd_, 1) != 0 ||
      ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    throw std::runtime_error("cannot listen on 127.0.0.1");
  port_ = ntohs(address.sin_port);
}

void Listener::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string free_port() {
  Listener probe;
  return probe.port();
}

Bytes read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), {});
}

void write_all(const fs::path& file, ByteView data) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

}  // namespace ssoc::test
