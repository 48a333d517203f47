// The .encp container parser: every malformation is an integrity failure, never a crash.
#include <gtest/gtest.h>

#include "sks/diagnosis.hpp"
#include "sks/encp_file.hpp"

namespace ssoc::sks {
namespace {

EncpFile sample() {
  EncpFile file;
  file.header = {IvMode::Caller, "SSO Connect Properties 123456789012", Bytes(20, 0xab)};
  file.iv = Bytes(12, 0x11);
  file.ciphertext = Bytes(40, 0x22);
  return file;
}

Bytes sample_bytes() {
  return sample().serialize().value();
}

void expect_integrity_failure(const Bytes& data, const char* what) {
  auto parsed = EncpFile::parse(data, "shared.encp");
  ASSERT_FALSE(parsed.ok()) << what;
  EXPECT_EQ(parsed.error().cause, Cause::IntegrityFailure) << what;
  EXPECT_NE(parsed.error().message.find("shared.encp"), std::string::npos) << what;
}

TEST(EncpFile, RoundTripsEveryField) {
  Bytes data = sample_bytes();
  ASSERT_EQ(data.size(), 8u + 1 + 1 + 1 + 35 + 1 + 20 + 1 + 12 + 4 + 40);
  auto parsed = EncpFile::parse(data, "x");
  ASSERT_TRUE(parsed.ok()) << parsed.error().describe();
  EXPECT_EQ(parsed->header.iv_mode, IvMode::Caller);
  EXPECT_EQ(parsed->header.key_label, "SSO Connect Properties 123456789012");
  EXPECT_EQ(parsed->header.key_id, Bytes(20, 0xab));
  EXPECT_EQ(parsed->iv, Bytes(12, 0x11));
  EXPECT_EQ(parsed->ciphertext, Bytes(40, 0x22));
  EXPECT_EQ(parsed->serialize().value(), data);
}

TEST(EncpFile, RejectsEveryTruncation) {
  Bytes data = sample_bytes();
  for (std::size_t n = 0; n < data.size(); ++n)
    expect_integrity_failure(Bytes(data.begin(), data.begin() + n), "truncated");
}

TEST(EncpFile, RejectsTrailingBytes) {
  Bytes data = sample_bytes();
  data.push_back(0);
  expect_integrity_failure(data, "trailing byte");
}

TEST(EncpFile, RejectsBadMagicVersionAndMode) {
  Bytes data = sample_bytes();
  Bytes bad = data;
  bad[0] ^= 1;
  expect_integrity_failure(bad, "magic");
  bad = data;
  bad[8] = 2;
  expect_integrity_failure(bad, "version");
  for (std::uint8_t mode : {0, 4, 255}) {
    bad = data;
    bad[9] = mode;
    expect_integrity_failure(bad, "mode");
  }
}

TEST(EncpFile, RejectsLengthsOutOfRange) {
  Bytes data = sample_bytes();
  Bytes bad = data;
  bad[10] = 0;  // empty label
  expect_integrity_failure(bad, "empty label");
  bad = data;
  bad[10] = 255;  // label runs past the end of the key id
  expect_integrity_failure(bad, "long label");
  std::size_t id_len_at = 11 + 35;
  bad = data;
  bad[id_len_at] = 65;
  expect_integrity_failure(bad, "key id over 64");
  std::size_t iv_len_at = id_len_at + 1 + 20;
  for (std::uint8_t n : {0, 11, 17}) {
    bad = data;
    bad[iv_len_at] = n;
    expect_integrity_failure(bad, "iv length");
  }
  std::size_t ct_len_at = iv_len_at + 1 + 12;
  bad = data;
  bad[ct_len_at] = 0xff;  // 4 GiB claimed
  expect_integrity_failure(bad, "huge ciphertext");
  bad = data;
  bad[ct_len_at + 3] = 15;  // shorter than a tag
  expect_integrity_failure(bad, "ciphertext shorter than the tag");
}

TEST(EncpFile, SerializeRefusesFieldsOutOfRange) {
  EncpFile file = sample();
  file.iv = Bytes(8, 0);
  EXPECT_FALSE(file.serialize().ok());
  file = sample();
  file.header.key_label = std::string(256, 'x');
  EXPECT_FALSE(file.serialize().ok());
  file = sample();
  file.ciphertext = Bytes(15, 0);
  EXPECT_FALSE(file.serialize().ok());
}

TEST(EncpFile, AssociatedDataBindsHeaderRoleAndInstance) {
  EncpHeader header = sample().header;
  Bytes a = header.associated_data("instance", "123456789012");
  EXPECT_NE(a, header.associated_data("shared", "123456789012"));
  EXPECT_NE(a, header.associated_data("instance", "123456789013"));
  EncpHeader other = header;
  other.key_label += "x";
  EXPECT_NE(a, other.associated_data("instance", "123456789012"));
  other = header;
  other.iv_mode = IvMode::Hsm;
  EXPECT_NE(a, other.associated_data("instance", "123456789012"));
  // The header is a prefix of the associated data.
  Bytes fixed = header.serialize();
  EXPECT_TRUE(std::equal(fixed.begin(), fixed.end(), a.begin()));
}

TEST(Diagnosis, FailureLineHasDesignForm) {
  Error error = fail(Cause::KeyMissing, "no key labelled 'x' is on the token");
  EXPECT_EQ(failure_line(error).rfind("Unable to use Secure Key Storage: key-missing: no key "
                                      "labelled 'x' is on the token. Did somebody clear",
                                      0),
            0u);
}

TEST(Diagnosis, MessageEndingInAFullStopGetsNoSecondOne) {
  Error error = fail(Cause::DiskFull, "no space left on the device holding /data.");
  std::string line = failure_line(error);
  EXPECT_EQ(line.find(".."), std::string::npos) << line;
  EXPECT_NE(line.find("/data. Free some disk space"), std::string::npos) << line;
}

}  // namespace
}  // namespace ssoc::sks
