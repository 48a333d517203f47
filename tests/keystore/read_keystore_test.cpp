// read_keystore on good PKCS#12 and PEM files as openssl writes them, and the validity dates of
// the leaf (JKS and keytool's PKCS#12: jks_keystore_test.cpp).
#include <gtest/gtest.h>

#include <ctime>

#include "keystore/keystore.hpp"
#include "keystore_fixture.hpp"
#include "keytool_stores.hpp"

namespace ssoc::keystore::test {
namespace {

class ReadKeystore : public ::testing::Test {
 protected:
  void SetUp() override {
    chain_ = ssoc::test::make_test_chain(dir_.path());
    parts_ = split_pem(chain_.pem);
  }

  void expect_leaf_then_ca(const Result<Keystore>& keystore) {
    ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
    EXPECT_EQ(keystore->chain().certificates(),
              (std::vector<Bytes>{pem_to_der(parts_.leaf), pem_to_der(parts_.ca)}));
    EXPECT_EQ(keystore->chain().leaf_key_id(), chain_.leaf_spki_sha1);
    EXPECT_TRUE(signs_for(keystore->chain().leaf(), keystore->private_key()));
  }

  TempDir dir_;
  TestChain chain_;
  PemParts parts_;
};

TEST_F(ReadKeystore, ReadsOpensslPkcs12) {
  expect_leaf_then_ca(read_keystore(chain_.p12, secret_from(chain_.password)));
}

TEST_F(ReadKeystore, ReadsOpensslPemWithKeyAnywhere) {
  expect_leaf_then_ca(read_keystore(chain_.pem, {}));
  write_text(dir_ / "key-first.pem", parts_.key + parts_.ca + parts_.leaf);
  expect_leaf_then_ca(read_keystore(dir_ / "key-first.pem", {}));
}

TEST_F(ReadKeystore, ReadsPemWithEncryptedKey) {
  write_text(dir_ / "t-key.pem", parts_.key);
  shell(dir_.path(), "openssl pkey -in t-key.pem -aes256 -passout pass:pem-secret -out enc.key");
  write_text(dir_ / "encrypted.pem", parts_.leaf + parts_.ca + read_text(dir_ / "enc.key"));
  expect_leaf_then_ca(read_keystore(dir_ / "encrypted.pem", secret_from("pem-secret")));
}

// "2025-01-31 23:59:59 UTC", as the refusals write dates.
std::string utc(std::time_t time) {
  std::tm fields{};
  gmtime_r(&time, &fields);
  char text[40];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &fields);
  return text;
}

class KeystoreValidity : public ReadKeystore {};

TEST_F(KeystoreValidity, ReportsTheDatesOpensslPrints) {
  auto keystore = read_keystore(chain_.p12, secret_from(chain_.password));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  std::string dates;
  ASSERT_EQ(ssoc::test::run_command("openssl x509 -in '" + (dir_ / "leaf.pem").string() +
                                        "' -noout -startdate -enddate -dateopt iso_8601",
                                    &dates),
            0)
      << dates;
  // notBefore=2025-01-31 12:00:00Z
  auto iso = [](std::time_t time) { return utc(time).substr(0, 19) + "Z"; };
  EXPECT_NE(dates.find("notBefore=" + iso(keystore->not_before())), std::string::npos) << dates;
  EXPECT_NE(dates.find("notAfter=" + iso(keystore->not_after())), std::string::npos) << dates;
}

TEST_F(KeystoreValidity, AcceptsLeafFromItsFirstToItsLastSecondOnly) {
  auto keystore = read_keystore(chain_.p12, secret_from(chain_.password));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  std::time_t first = keystore->not_before(), last = keystore->not_after();
  SecretBytes password = secret_from(chain_.password);
  EXPECT_TRUE(read_keystore(chain_.p12, password, first).ok());
  EXPECT_TRUE(read_keystore(chain_.p12, password, last).ok());
  expect_invalid(read_keystore(chain_.p12, password, first - 1), chain_.p12, {chain_.password},
                 "is not valid before " + utc(first));
  expect_invalid(read_keystore(chain_.p12, password, last + 1), chain_.p12, {chain_.password},
                 "expired on " + utc(last));
}

TEST_F(KeystoreValidity, RefusesExpiredOpensslCertificate) {
  shell(dir_.path(),
        "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=short.test "
        "-keyout short.key -out short.crt 2>/dev/null && cat short.crt short.key > short.pem");
  fs::path file = dir_ / "short.pem";
  auto today = read_keystore(file, {});
  ASSERT_TRUE(today.ok()) << today.error().describe();
  std::time_t in_two_days = std::time(nullptr) + 2 * 24 * 3600;
  auto later = read_keystore(file, {}, in_two_days);
  expect_invalid(later, file, {}, "expired on " + utc(today->not_after()));
  if (!later.ok()) {
    EXPECT_NE(later.error().message.find("CN=short.test"), std::string::npos)
        << later.error().describe();
  }
}

TEST_F(KeystoreValidity, RefusesKeytoolCertificateNotYetValid) {
  ASSERT_NO_FATAL_FAILURE(keytool_key_pair(dir_.path(), "future.jks", "JKS", "future-pass", "sso",
                                           "sso.test", "-startdate +2d"));
  fs::path file = dir_ / "future.jks";
  auto now = read_keystore(file, secret_from("future-pass"));
  ASSERT_FALSE(now.ok()) << "read a certificate valid only from the day after tomorrow";
  expect_invalid(now, file, {"future-pass"}, "is not valid before");
  auto in_three_days =
      read_keystore(file, secret_from("future-pass"), std::time(nullptr) + 3 * 24 * 3600);
  ASSERT_TRUE(in_three_days.ok()) << in_three_days.error().describe();
  EXPECT_NE(now.error().message.find(utc(in_three_days->not_before())), std::string::npos)
      << now.error().describe();
}

}  // namespace
}  // namespace ssoc::keystore::test
