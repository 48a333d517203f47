// Shared by the keystore tests: a test chain split into its PEM parts, files made from them, and
// checks on refusals.
#pragma once

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/openssl.hpp"
#include "keystore/cert_chain.hpp"
#include "support/test_env.hpp"

namespace ssoc::keystore::test {

using ssoc::test::TempDir;
using ssoc::test::TestChain;

// make_test_chain's chain.pem cut into its three blocks (leaf certificate, CA certificate, key).
struct PemParts {
  std::string leaf;
  std::string ca;
  std::string key;
};

inline std::string read_text(const fs::path& file) {
  Bytes bytes = ssoc::test::read_all(file);
  return std::string(bytes.begin(), bytes.end());
}

inline void write_text(const fs::path& file, const std::string& text) {
  ssoc::test::write_all(file, as_bytes(text));
}

inline PemParts split_pem(const fs::path& chain_pem) {
  std::string text = read_text(chain_pem);
  std::vector<std::string> blocks;
  std::size_t at = 0;
  while ((at = text.find("-----BEGIN ", at)) != std::string::npos) {
    std::size_t end = text.find("-----END ", at);
    end = text.find('\n', end);
    blocks.push_back(text.substr(at, end + 1 - at));
    at = end;
  }
  if (blocks.size() != 3) throw std::runtime_error("chain.pem should hold 3 PEM blocks");
  return {blocks[0], blocks[1], blocks[2]};
}

// The DER of a PEM certificate, to compare with what the chain holds.
inline Bytes pem_to_der(const std::string& pem) {
  ossl::Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  ossl::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) throw std::runtime_error("not a PEM certificate");
  int size = i2d_X509(cert.get(), nullptr);
  Bytes der(static_cast<std::size_t>(size));
  unsigned char* cursor = der.data();
  i2d_X509(cert.get(), &cursor);
  return der;
}

// The subject CN of a DER certificate, read with OpenSSL independently of fields().
inline std::string common_name(const Bytes& der) {
  const unsigned char* cursor = der.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(der.size())));
  if (cert == nullptr) return "<not a certificate>";
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn) <
      0)
    return "<no CN>";
  return cn;
}

// Checks a refusal: CertificateChainMissing, naming the file, without any of the passwords.
inline void expect_refused(const Result<CertificateChain>& result, const fs::path& file,
                           std::initializer_list<std::string> passwords) {
  ASSERT_FALSE(result.ok()) << "read " << file << " although it should be refused";
  const Error& error = result.error();
  EXPECT_EQ(error.cause, Cause::CertificateChainMissing) << error.describe();
  EXPECT_NE(error.message.find(file.string()), std::string::npos) << error.describe();
  for (const std::string& password : passwords) {
    if (password.empty()) continue;
    EXPECT_EQ(error.message.find(password), std::string::npos) << error.describe();
  }
}

// Runs a shell command in `dir`; fails the test with its output if it fails.
inline void shell(const fs::path& dir, const std::string& command) {
  std::string output;
  int status = ssoc::test::run_command("cd '" + dir.string() + "' && " + command, &output);
  ASSERT_EQ(status, 0) << command << "\n" << output;
}

}  // namespace ssoc::keystore::test
