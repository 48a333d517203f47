// Test fixtures made of real parts: temporary folders, fresh SoftHSM2 and NSS softokn tokens,
// certificate chains made by the openssl command.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/secret.hpp"

namespace ssoc::test {

namespace fs = std::filesystem;

// A fresh folder under $TMPDIR, removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// Runs a command through /bin/sh; returns its exit status (or -1); output goes to `output`.
int run_command(const std::string& command, std::string* output = nullptr);

// A token on a real PKCS#11 module, freshly initialised for one test.
struct TestToken {
  std::string module_path;
  std::string init_args;  // C_Initialize pReserved (NSS softokn); empty for others
  std::string token_label;
  std::string pin;
  std::string so_pin;
};

// Path of SoftHSM2's module on this machine.
std::string softhsm_module_path();

// Writes a softhsm2.conf with a token folder under `dir`, points SOFTHSM2_CONF at it (for this
// process and its children) and initialises a token with `label`.
TestToken make_softhsm_token(const fs::path& dir, const std::string& label = "ssoc-test");

// Creates a new NSS database under `dir` (certutil -N) with a password and returns its
// "NSS Certificate DB" token on libsoftokn3.so.
TestToken make_nss_token(const fs::path& dir);

// A certificate chain made by the openssl command: a CA and a leaf signed by it.
struct TestChain {
  fs::path pem;          // leaf certificate, then CA certificate (PEM), with the leaf's key
  fs::path p12;          // PKCS#12 with the leaf key, leaf and CA certificates
  std::string password;  // of the PKCS#12 file
  Bytes leaf_spki_sha1;  // SHA-1 of the leaf's SubjectPublicKeyInfo (DER), computed by openssl
};

// Makes (once per folder) a chain for `common_name` under `dir`.
TestChain make_test_chain(const fs::path& dir, const std::string& common_name = "sso.test");

// The base64 body of the first certificate of a PEM file, each line followed by "\n" and
// preceded by `indent`.
std::string pem_body(const fs::path& pem, const std::string& indent = {});

// The CA of a test chain (the last certificate of its PEM file), DER: what a test's HTTPS
// client trusts.
Bytes chain_ca_der(const fs::path& pem);

// A socket listening on 127.0.0.1 at a port the kernel chose (a busy port); closed when it dies.
class Listener {
 public:
  Listener();
  ~Listener() { close(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;
  void close();
  std::string port() const { return std::to_string(port_); }

 private:
  int fd_ = -1;
  unsigned port_ = 0;
};

// A port that was free a moment ago (bound to 127.0.0.1:0, then released).
std::string free_port();

Bytes read_all(const fs::path& file);
void write_all(const fs::path& file, ByteView data);

}  // namespace ssoc::test
