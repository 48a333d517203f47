// The archive format on its own: a round trip, every single-bit change refused, encode's limits.
#include "backup/archive_format.hpp"
#include "backup_fixture.hpp"

namespace ssoc::backup {
namespace {

// The entries view `bodies`, which must outlive the archive.
Archive sample(const std::vector<Bytes>& bodies) {
  Archive archive;
  archive.created = 1700000000;
  archive.instance_id = "123456789012";
  archive.key_label = "SSO Connect Properties 123456789012";
  for (std::size_t i = 0; i < bodies.size(); ++i)
    archive.entries.push_back({"file" + std::to_string(i), 0600, bodies[i]});
  return archive;
}

TEST(BackupArchive, DecodesWhatItEncodes) {
  std::vector<Bytes> bodies = {test::text_bytes("a=1\n"), {}, Bytes(5000, 0xab)};
  Archive archive = sample(bodies);
  archive.entries[1].mode = 0640;
  auto encoded = encode(archive);
  ASSERT_TRUE(encoded.ok()) << encoded.error().describe();
  auto decoded = decode(*encoded, "sample");
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(decoded->created, archive.created);
  EXPECT_EQ(decoded->instance_id, archive.instance_id);
  EXPECT_EQ(decoded->key_label, archive.key_label);
  ASSERT_EQ(decoded->entries.size(), 3u);
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(decoded->entries[i].name, archive.entries[i].name);
    EXPECT_EQ(decoded->entries[i].mode, archive.entries[i].mode);
    EXPECT_TRUE(std::equal(decoded->entries[i].contents.begin(), decoded->entries[i].contents.end(),
                           bodies[i].begin(), bodies[i].end()));
  }
  // The hand-written encoder of the tests agrees byte for byte.
  std::vector<Bytes> plain_bodies = {test::text_bytes("x=1\n")};
  Archive plain = sample(plain_bodies);
  plain.key_label.clear();
  plain.entries[0].name = "instance.properties";
  auto encoded_plain = encode(plain);
  ASSERT_TRUE(encoded_plain.ok()) << encoded_plain.error().describe();
  EXPECT_TRUE(test::raw_archive({{"instance.properties", test::text_bytes("x=1\n")}}) ==
              Bytes(encoded_plain->begin(), encoded_plain->end()));
}

TEST(BackupArchive, RefusesEverySingleBitChange) {
  std::vector<Bytes> bodies = {test::text_bytes("a=1\n"), test::text_bytes("b=2\n")};
  auto encoded = encode(sample(bodies));
  ASSERT_TRUE(encoded.ok());
  Bytes bytes(encoded->begin(), encoded->end());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      bytes[i] ^= static_cast<std::uint8_t>(1 << bit);
      auto decoded = decode(bytes, "flipped");
      ASSERT_FALSE(decoded.ok()) << "byte " << i << " bit " << bit;
      EXPECT_EQ(decoded.error().cause, Cause::IntegrityFailure);
      bytes[i] ^= static_cast<std::uint8_t>(1 << bit);
    }
  }
  EXPECT_TRUE(decode(bytes, "intact").ok());
}

TEST(BackupArchive, EncodeRefusesWhatDecodeWouldRefuse) {
  const std::vector<Bytes> two = {test::text_bytes("x"), test::text_bytes("y")};
  Archive archive = sample(two);
  archive.entries[0].name = "../x";
  EXPECT_EQ(encode(archive).error().cause, Cause::InvalidInput);
  archive = sample(two);
  archive.entries[1].name = archive.entries[0].name;
  EXPECT_EQ(encode(archive).error().cause, Cause::InvalidInput);
  archive = sample(two);
  archive.entries[1].mode = 01777;
  EXPECT_EQ(encode(archive).error().cause, Cause::InvalidInput);
  archive = sample(two);
  archive.key_label = std::string(256, 'k');
  EXPECT_EQ(encode(archive).error().cause, Cause::InvalidInput);
  const std::vector<Bytes> too_many(kMaxEntries + 1);
  EXPECT_EQ(encode(sample(too_many)).error().cause, Cause::InvalidInput);
  const std::vector<Bytes> most(kMaxEntries);
  EXPECT_TRUE(encode(sample(most)).ok());
}

}  // namespace
}  // namespace ssoc::backup
