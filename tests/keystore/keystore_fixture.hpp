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
#include "keystore/keystore.hpp"
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

// True if `key` is the private key of the DER certificate `leaf`: a signature made with it
// verifies with the certificate's public key (so the private half is right, not only the public).
inline bool signs_for(const Bytes& leaf, EVP_PKEY* key) {
  const unsigned char* cursor = leaf.data();
  ossl::X509Ptr cert(d2i_X509(nullptr, &cursor, static_cast<long>(leaf.size())));
  if (cert == nullptr || key == nullptr) return false;
  const std::string message = "signed by the keystore's key";
  ossl::MdCtx sign(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (EVP_DigestSignInit(sign.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(sign.get(), nullptr, &size, as_bytes(message).data(), message.size()) != 1)
    return false;
  Bytes signature(size);
  if (EVP_DigestSign(sign.get(), signature.data(), &size, as_bytes(message).data(),
                     message.size()) != 1)
    return false;
  ossl::MdCtx verify(EVP_MD_CTX_new());
  return EVP_DigestVerifyInit(verify.get(), nullptr, EVP_sha256(), nullptr,
                              X509_get0_pubkey(cert.get())) == 1 &&
         EVP_DigestVerify(verify.get(), signature.data(), size, as_bytes(message).data(),
                          message.size()) == 1;
}

// Checks a refusal: `cause`, naming the file and one of `settings`, without any of the
// passwords.
template <class T>
void expect_refusal(const Result<T>& result, Cause cause, const fs::path& file,
                    std::initializer_list<std::string> settings,
                    std::initializer_list<std::string> passwords) {
  ASSERT_FALSE(result.ok()) << "read " << file << " although it should be refused";
  const Error& error = result.error();
  EXPECT_EQ(error.cause, cause) << error.describe();
  EXPECT_NE(error.message.find(file.string()), std::string::npos) << error.describe();
  bool names_setting = false;
  for (const std::string& setting : settings)
    names_setting = names_setting || error.message.find(setting) != std::string::npos;
  EXPECT_TRUE(names_setting) << "names none of the settings: " << error.describe();
  for (const std::string& password : passwords) {
    if (password.empty()) continue;
    EXPECT_EQ(error.message.find(password), std::string::npos) << error.describe();
  }
}

// Checks a refusal of read_certificate_chain: CertificateChainMissing, naming the file and
// cert_chain_file or cert_chain_password, without any of the passwords.
inline void expect_refused(const Result<CertificateChain>& result, const fs::path& file,
                           std::initializer_list<std::string> passwords) {
  expect_refusal(result, Cause::CertificateChainMissing, file,
                 {"cert_chain_file", "cert_chain_password"}, passwords);
}

// Checks a refusal of read_keystore: InvalidSetting, naming the file and keystore_file or
// keystore_password (not SKS's settings), without any of the passwords; and, if given, that the
// message holds `phrase`.
template <class T>
void expect_invalid(const Result<T>& result, const fs::path& file,
                    std::initializer_list<std::string> passwords, const std::string& phrase = "") {
  expect_refusal(result, Cause::InvalidSetting, file, {"keystore_file", "keystore_password"},
                 passwords);
  if (result.ok()) return;
  EXPECT_EQ(result.error().message.find("cert_chain"), std::string::npos)
      << result.error().describe();
  if (!phrase.empty()) {
    EXPECT_NE(result.error().message.find(phrase), std::string::npos)
        << "no \"" << phrase << "\" in: " << result.error().describe();
  }
}

// Runs a shell command in `dir`; fails the test with its output if it fails.
inline void shell(const fs::path& dir, const std::string& command) {
  std::string output;
  int status = ssoc::test::run_command("cd '" + dir.string() + "' && " + command, &output);
  ASSERT_EQ(status, 0) << command << "\n" << output;
}

}  // namespace ssoc::keystore::test
