// JKS files that keytool 17 does not write (version 1, several keys, foreign algorithms) and
// damage behind a valid integrity check, made with the tests' JksWriter.
#include <gtest/gtest.h>

#include "jks_writer.hpp"
#include "keystore/der.hpp"
#include "keystore/keystore.hpp"
#include "keystore_fixture.hpp"
#include "keytool_stores.hpp"

namespace ssoc::keystore::test {
namespace {

// The PKCS#8 DER of a private key, as openssl writes it.
Bytes pkcs8_of(EVP_PKEY* key) {
  std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO_free>> p8(
      EVP_PKEY2PKCS8(key));
  return p8 == nullptr ? Bytes{} : to_der(p8.get(), i2d_PKCS8_PRIV_KEY_INFO);
}

class JksStructure : public ::testing::Test {
 protected:
  void SetUp() override {
    chain_ = ssoc::test::make_test_chain(dir_.path());
    parts_ = split_pem(chain_.pem);
    ASSERT_NO_FATAL_FAILURE(
        shell(dir_.path(), "openssl pkcs8 -topk8 -nocrypt -in leaf.key -outform DER -out leaf.p8"));
    key_.tag = 1;
    key_.alias = "sso";
    key_.pkcs8 = ssoc::test::read_all(dir_ / "leaf.p8");
    key_.certificates = {pem_to_der(parts_.leaf), pem_to_der(parts_.ca)};
    trusted_.tag = 2;
    trusted_.alias = "ca";
    trusted_.certificates = {pem_to_der(parts_.ca)};
  }

  fs::path write(const std::string& name, const Bytes& jks) {
    ssoc::test::write_all(dir_ / name, jks);
    return dir_ / name;
  }

  Result<Keystore> read(const fs::path& file) {
    return read_keystore(file, secret_from(kPassword));
  }

  void expect_leaf_then_ca(const Result<Keystore>& keystore) {
    ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
    EXPECT_EQ(keystore->chain().certificates(), key_.certificates);
    EXPECT_EQ(keystore->chain().leaf_key_id(), chain_.leaf_spki_sha1);
    EXPECT_TRUE(signs_for(keystore->chain().leaf(), keystore->private_key()));
  }

  static constexpr const char* kPassword = "writer-pass";
  TempDir dir_;
  TestChain chain_;
  PemParts parts_;
  JksWriterEntry key_;
  JksWriterEntry trusted_;
};

TEST_F(JksStructure, KeytoolListsWhatTheTestWriterWrites) {
  for (std::uint32_t version : {1u, 2u}) {
    fs::path file = write("v" + std::to_string(version) + ".jks",
                          JksWriter::write(version, kPassword, {key_, trusted_}));
    std::string listing;
    int status = ssoc::test::run_command(
        "keytool -list -v -storetype JKS -keystore '" + file.string() + "' -storepass " + kPassword,
        &listing);
    ASSERT_EQ(status, 0) << listing;
    EXPECT_NE(listing.find("Certificate chain length: 2"), std::string::npos) << listing;
    EXPECT_NE(listing.find("trustedCertEntry"), std::string::npos) << listing;
  }
}

TEST_F(JksStructure, ReadsVersion1AndVersion2) {
  expect_leaf_then_ca(read(write("v1.jks", JksWriter::write(1, kPassword, {trusted_, key_}))));
  expect_leaf_then_ca(read(write("v2.jks", JksWriter::write(2, kPassword, {trusted_, key_}))));
}

TEST_F(JksStructure, FindsIssuerAmongTrustedEntriesWhenKeyEntryHoldsOnlyItsLeaf) {
  JksWriterEntry leaf_only = key_;
  leaf_only.certificates.resize(1);
  expect_leaf_then_ca(read(write("k.jks", JksWriter::write(2, kPassword, {leaf_only, trusted_}))));
}

TEST_F(JksStructure, UsesFirstPrivateKeyEntryAndLeavesOthersOut) {
  TempDir other_dir;
  TestChain other_chain = ssoc::test::make_test_chain(other_dir.path(), "other.test");
  ASSERT_NO_FATAL_FAILURE(shell(other_dir.path(),
                                "openssl pkcs8 -topk8 -nocrypt -in leaf.key -outform DER -out "
                                "leaf.p8"));
  PemParts other_parts = split_pem(other_chain.pem);
  JksWriterEntry other = key_;
  other.alias = "other";
  other.pkcs8 = ssoc::test::read_all(other_dir / "leaf.p8");
  other.certificates = {pem_to_der(other_parts.leaf), pem_to_der(other_parts.ca)};

  expect_leaf_then_ca(read(write("first.jks", JksWriter::write(2, kPassword, {key_, other}))));
  auto keystore = read(write("second.jks", JksWriter::write(2, kPassword, {other, key_})));
  ASSERT_TRUE(keystore.ok()) << keystore.error().describe();
  EXPECT_EQ(keystore->chain().certificates(), other.certificates);
}

TEST_F(JksStructure, RefusesKeyEntryWithItsOwnPassword) {
  key_.key_password = "another-key-pass";
  fs::path file = write("k.jks", JksWriter::write(2, kPassword, {key_}));
  expect_invalid(read(file), file, {kPassword, "another-key-pass"}, "keytool -keypasswd");
}

TEST_F(JksStructure, RefusesKeyProtectedWithAnotherAlgorithm) {
  key_.protection_oid = "1.2.840.113549.1.5.13";  // PBES2, as JCEKS-style tools might write
  fs::path file = write("k.jks", JksWriter::write(2, kPassword, {key_}));
  expect_invalid(read(file), file, {kPassword}, "1.2.840.113549.1.5.13");
}

TEST_F(JksStructure, RefusesCertificateThatIsNotX509) {
  key_.certificate_type = "X.500";
  fs::path file = write("k.jks", JksWriter::write(2, kPassword, {key_}));
  expect_invalid(read(file), file, {kPassword}, "not an X.509 certificate");
}

TEST_F(JksStructure, RefusesUnknownVersionAndEntryType) {
  fs::path v3 = write("v3.jks", JksWriter::write(3, kPassword, {key_}));
  expect_invalid(read(v3), v3, {kPassword}, "version is 3");
  trusted_.tag = 3;  // a secret key entry, which only JCEKS has
  fs::path tag3 = write("tag3.jks", JksWriter::write(2, kPassword, {trusted_}));
  expect_invalid(read(tag3), tag3, {kPassword}, "unknown type 3");
}

TEST_F(JksStructure, RefusesCountsBeyondTheBytesWithoutReservingForThem) {
  Bytes jks = JksWriter::write(2, kPassword, {key_});
  Bytes many_entries = jks;
  std::fill(many_entries.begin() + 8, many_entries.begin() + 12, 0xFF);
  JksWriter::reseal(many_entries, kPassword);
  fs::path file = write("entries.jks", many_entries);
  expect_invalid(read(file), file, {kPassword}, "truncated");

  // The chain length follows magic, version, count, tag, alias, date and the key.
  std::size_t key_size = JksWriter::protect(key_.pkcs8, kPassword, key_.protection_oid).size();
  std::size_t at = 12 + 4 + 2 + key_.alias.size() + 8 + 4 + key_size;
  ASSERT_EQ(jks[at + 3], 2u) << "the writer's layout changed";
  std::fill(jks.begin() + static_cast<std::ptrdiff_t>(at),
            jks.begin() + static_cast<std::ptrdiff_t>(at + 4), 0xFF);
  JksWriter::reseal(jks, kPassword);
  file = write("chain.jks", jks);
  expect_invalid(read(file), file, {kPassword}, "truncated");
}

TEST_F(JksStructure, EveryResealedByteFlipIsRefusedOrReadConsistently) {
  // Each flip passes the integrity check, so it reaches the parsing of lengths, keys and
  // certificates; under ASan this is a small fuzzer. P-256 keeps the file small and fast to read.
  ASSERT_NO_FATAL_FAILURE(shell(
      dir_.path(),
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout eca.key "
      "-out eca.pem -days 30 -subj '/CN=EC Test CA' 2>/dev/null && "
      "openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ec.key -out ec.csr "
      "-subj /CN=ec.test 2>/dev/null && "
      "openssl x509 -req -in ec.csr -CA eca.pem -CAkey eca.key -CAcreateserial -days 30 "
      "-out ec.pem 2>/dev/null && "
      "openssl pkcs8 -topk8 -nocrypt -in ec.key -outform DER -out ec.p8"));
  key_.pkcs8 = ssoc::test::read_all(dir_ / "ec.p8");
  key_.certificates = {pem_to_der(read_text(dir_ / "ec.pem")),
                       pem_to_der(read_text(dir_ / "eca.pem"))};
  trusted_.certificates = {key_.certificates[1]};
  const Bytes jks = JksWriter::write(2, kPassword, {key_, trusted_});
  ASSERT_TRUE(read(write("ec.jks", jks)).ok());

  std::size_t refused = 0, read_ok = 0;
  for (std::size_t i = 0; i + 20 < jks.size(); ++i) {
    Bytes flipped = jks;
    flipped[i] ^= 0x41;
    JksWriter::reseal(flipped, kPassword);
    fs::path file = write("flipped.jks", flipped);
    auto keystore = read(file);
    if (keystore.ok()) {
      ++read_ok;  // the flip missed the key: it is exactly the key written
      EXPECT_EQ(pkcs8_of(keystore->private_key()), key_.pkcs8) << "byte " << i;
    } else {
      ++refused;
      SCOPED_TRACE("byte " + std::to_string(i));
      expect_invalid(keystore, file, {kPassword});
    }
    if (HasFailure()) break;
  }
  EXPECT_GT(refused, 0u);
  EXPECT_GT(read_ok, 0u);  // e.g. the alias and the date are not checked
}

}  // namespace
}  // namespace ssoc::keystore::test
