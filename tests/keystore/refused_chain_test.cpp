// read_certificate_chain on bad files: each refusal is certificate-chain-missing, names the file
// and never shows a password.
#include <gtest/gtest.h>
#include <openssl/pkcs12.h>

#include <algorithm>

#include "keystore/cert_chain.hpp"
#include "keystore_fixture.hpp"

namespace ssoc::keystore::test {
namespace {

class RefusedCertificateChain : public ::testing::Test {
 protected:
  void SetUp() override {
    chain_ = ssoc::test::make_test_chain(dir_.path());
    parts_ = split_pem(chain_.pem);
  }

  SecretBytes password() const { return secret_from(chain_.password); }

  // Reads `file` with the right password and expects a refusal.
  void expect_refused_with_password(const fs::path& file) {
    expect_refused(read_certificate_chain(file, password()), file, {chain_.password});
  }

  TempDir dir_;
  TestChain chain_;
  PemParts parts_;
};

TEST_F(RefusedCertificateChain, RefusesAbsentFile) {
  expect_refused_with_password(dir_ / "absent.p12");
}

TEST_F(RefusedCertificateChain, RefusesFolder) {
  fs::create_directory(dir_ / "folder.pem");
  expect_refused_with_password(dir_ / "folder.pem");
}

TEST_F(RefusedCertificateChain, RefusesEmptyFile) {
  write_text(dir_ / "empty.p12", "");
  expect_refused_with_password(dir_ / "empty.p12");
  write_text(dir_ / "empty.pem", "");
  expect_refused_with_password(dir_ / "empty.pem");
}

TEST_F(RefusedCertificateChain, RefusesWrongPkcs12Password) {
  auto result = read_certificate_chain(chain_.p12, secret_from("not-the-password"));
  expect_refused(result, chain_.p12, {chain_.password, "not-the-password"});
  EXPECT_NE(result.error().message.find("wrong password"), std::string::npos);
}

TEST_F(RefusedCertificateChain, RefusesPkcs12WithoutItsPassword) {
  auto result = read_certificate_chain(chain_.p12, {});
  expect_refused(result, chain_.p12, {chain_.password});
  EXPECT_NE(result.error().message.find("wrong password"), std::string::npos);
}

TEST_F(RefusedCertificateChain, RefusesWrongPasswordForPkcs12WithoutMac) {
  write_text(dir_ / "t-leaf.crt", parts_.leaf);
  write_text(dir_ / "t-ca.crt", parts_.ca);
  write_text(dir_ / "t-key.pem", parts_.key);
  shell(dir_.path(),
        "openssl pkcs12 -export -nomac -inkey t-key.pem -in t-leaf.crt -certfile "
        "t-ca.crt -out nomac.p12 -passout pass:" +
            chain_.password);
  auto result = read_certificate_chain(dir_ / "nomac.p12", secret_from("not-the-password"));
  expect_refused(result, dir_ / "nomac.p12", {chain_.password, "not-the-password"});
}

TEST_F(RefusedCertificateChain, RefusesTruncatedPkcs12) {
  Bytes p12 = ssoc::test::read_all(chain_.p12);
  p12.resize(p12.size() / 2);
  ssoc::test::write_all(dir_ / "truncated.p12", p12);
  expect_refused_with_password(dir_ / "truncated.p12");
}

TEST_F(RefusedCertificateChain, RefusesPkcs12WithOneBitFlippedInMac) {
  Bytes p12 = ssoc::test::read_all(chain_.p12);
  // Finds the MAC value in the file with OpenSSL, then flips one bit in its middle.
  const unsigned char* cursor = p12.data();
  ossl::Pkcs12 parsed(d2i_PKCS12(nullptr, &cursor, static_cast<long>(p12.size())));
  ASSERT_NE(parsed, nullptr);
  const ASN1_OCTET_STRING* mac = nullptr;
  PKCS12_get0_mac(&mac, nullptr, nullptr, nullptr, parsed.get());
  ASSERT_NE(mac, nullptr);
  const unsigned char* mac_bytes = ASN1_STRING_get0_data(mac);
  auto at = std::search(p12.begin(), p12.end(), mac_bytes, mac_bytes + ASN1_STRING_length(mac));
  ASSERT_NE(at, p12.end());
  at[ASN1_STRING_length(mac) / 2] ^= 0x10;
  ssoc::test::write_all(dir_ / "flipped.p12", p12);
  expect_refused_with_password(dir_ / "flipped.p12");
}

TEST_F(RefusedCertificateChain, RefusesPemWithCorruptedBase64) {
  auto corrupt = [](std::string block) {
    std::size_t body = block.find('\n') + 1;
    return block.replace(body + 10, 4, "*!*!");
  };
  // A damaged first block, and a damaged issuer after a good leaf (not a shorter chain).
  write_text(dir_ / "corrupt-leaf.pem", corrupt(parts_.leaf) + parts_.ca + parts_.key);
  expect_refused_with_password(dir_ / "corrupt-leaf.pem");
  write_text(dir_ / "corrupt-ca.pem", parts_.leaf + corrupt(parts_.ca) + parts_.key);
  expect_refused_with_password(dir_ / "corrupt-ca.pem");
}

TEST_F(RefusedCertificateChain, RefusesPemWithKeyButNoCertificate) {
  write_text(dir_ / "key-only.pem", parts_.key);
  expect_refused_with_password(dir_ / "key-only.pem");
}

TEST_F(RefusedCertificateChain, RefusesPemWhoseKeyMatchesNoCertificate) {
  TempDir other_dir;
  PemParts other = split_pem(ssoc::test::make_test_chain(other_dir.path(), "other.test").pem);
  write_text(dir_ / "foreign-key.pem", parts_.leaf + parts_.ca + other.key);
  expect_refused_with_password(dir_ / "foreign-key.pem");
}

TEST_F(RefusedCertificateChain, RefusesEncryptedPemKeyWithWrongPassword) {
  write_text(dir_ / "t-key.pem", parts_.key);
  shell(dir_.path(), "openssl pkey -in t-key.pem -aes256 -passout pass:pem-secret -out enc.key");
  fs::path file = dir_ / "encrypted.pem";
  write_text(file, parts_.leaf + parts_.ca + read_text(dir_ / "enc.key"));
  expect_refused(read_certificate_chain(file, secret_from("wrong-secret")), file,
                 {"pem-secret", "wrong-secret"});
  expect_refused(read_certificate_chain(file, {}), file, {"pem-secret"});
}

TEST_F(RefusedCertificateChain, RefusesTruncatedJksFile) {
  // The start of a JKS keystore: magic 0xFEEDFEED, version 2, one entry, and no more.
  Bytes jks{0xFE, 0xED, 0xFE, 0xED, 0, 0, 0,   2,   0,   0,   0,  1,
            0,    0,    0,    1,    0, 5, 'a', 'l', 'i', 'a', 's'};
  ssoc::test::write_all(dir_ / "keystore.jks", jks);
  auto result = read_certificate_chain(dir_ / "keystore.jks", password());
  expect_refused(result, dir_ / "keystore.jks", {chain_.password});
  EXPECT_NE(result.error().message.find("not a valid Java KeyStore"), std::string::npos)
      << result.error().describe();
}

TEST_F(RefusedCertificateChain, RefusesFileOverOneMebibyte) {
  // A valid chain padded with blank lines, which PEM readers skip: only the size is wrong.
  std::string text = read_text(chain_.pem);
  text += std::string((1u << 20) + 1 - text.size(), '\n');
  write_text(dir_ / "huge.pem", text);
  expect_refused_with_password(dir_ / "huge.pem");
}

TEST_F(RefusedCertificateChain, RefusesFileOfNeitherFormat) {
  write_text(dir_ / "notes.txt", "neither PKCS#12 nor PEM");
  expect_refused_with_password(dir_ / "notes.txt");
}

}  // namespace
}  // namespace ssoc::keystore::test
