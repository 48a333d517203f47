#include "backup/archive_format.hpp"

#include <algorithm>
#include <set>

#include "common/openssl.hpp"

namespace ssoc::backup {
namespace {

constexpr std::size_t kHeaderSize = 8 + 2 + 4;

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f;
  });
}

class Writer {
 public:
  explicit Writer(SecretBytes& out) : out_(out) {}
  void integer(std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
      out_.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
  }
  void bytes(ByteView data) { out_.insert(out_.end(), data.begin(), data.end()); }
  void text(std::string_view data) { bytes(as_bytes(data)); }

 private:
  SecretBytes& out_;
};

// Reads fields from a span, each length checked against what is left before it is used.
class Reader {
 public:
  Reader(ByteView data, std::string_view what) : data_(data), what_(what) {}

  std::size_t left() const { return data_.size() - offset_; }
  bool done() const { return offset_ == data_.size(); }

  Result<std::uint64_t> integer(int bytes) {
    ByteView raw = TRY(take(static_cast<std::size_t>(bytes)));
    std::uint64_t value = 0;
    for (std::uint8_t byte : raw) value = (value << 8) | byte;
    return value;
  }
  Result<ByteView> take(std::size_t count) {
    if (count > left())
      return fail(Cause::IntegrityFailure, std::string(what_) + " ends early (truncated)");
    ByteView part = data_.subspan(offset_, count);
    offset_ += count;
    return part;
  }
  // A string with a one-byte length, at most `max` bytes.
  Result<std::string> short_text(std::size_t max, std::string_view field) {
    std::size_t size = static_cast<std::size_t>(TRY(integer(1)));
    if (size > max)
      return fail(Cause::IntegrityFailure,
                  std::string(field) + " is longer than " + std::to_string(max) + " bytes");
    ByteView raw = TRY(take(size));
    return std::string(raw.begin(), raw.end());
  }

 private:
  ByteView data_;
  std::size_t offset_ = 0;
  std::string_view what_;
};

Result<void> check_fields(const Archive& archive) {
  if (archive.instance_id.size() > kMaxInstanceIdSize || has_control_character(archive.instance_id))
    return fail(Cause::InvalidInput, "the instance id cannot be recorded in a backup");
  if (archive.key_label.size() > kMaxLabelSize || has_control_character(archive.key_label))
    return fail(Cause::InvalidInput, "the SKS key label cannot be recorded in a backup");
  if (archive.entries.size() > kMaxEntries)
    return fail(Cause::InvalidInput, "the data folder holds more than " +
                                         std::to_string(kMaxEntries) +
                                         " files; a backup takes at most that many");
  std::set<std::string_view> names;
  std::uint64_t total = kHeaderSize + kDigestSize;
  for (const ArchiveEntry& entry : archive.entries) {
    if (std::string reason = refused_name_reason(entry.name); !reason.empty())
      return fail(Cause::InvalidInput, "cannot back up \"" + entry.name + "\": " + reason);
    if (!names.insert(entry.name).second)
      return fail(Cause::InvalidInput, "the file " + entry.name + " is listed twice");
    if (entry.mode > 0777)
      return fail(Cause::InvalidInput, "the mode of " + entry.name + " cannot be recorded");
    if (entry.contents.size() > kMaxEntrySize)
      return fail(Cause::InvalidInput, entry.name + " is larger than the 1 GiB a backup takes");
    total += entry.contents.size();
  }
  if (total > kMaxArchiveSize)
    return fail(Cause::InvalidInput, "the data folder is larger than the 2 GiB a backup takes");
  return success();
}

Error damaged(std::string_view source, const std::string& what) {
  return fail(Cause::IntegrityFailure,
              "the backup " + std::string(source) + " is damaged or not an SSO Connect backup: " +
                  what + ". Nothing was changed; use an intact copy of the backup.");
}

// The manifest: everything but the contents. Lengths are checked, names and hashes not yet.
struct ManifestEntry {
  std::string name;
  std::uint32_t mode = 0;
  std::uint64_t size = 0;
  ByteView digest;
};

Result<Archive> read_manifest(ByteView manifest, std::vector<ManifestEntry>& entries) {
  Reader in(manifest, "the manifest");
  Archive archive;
  archive.created = TRY(in.integer(8));
  archive.instance_id = TRY(in.short_text(kMaxInstanceIdSize, "the instance id"));
  archive.key_label = TRY(in.short_text(kMaxLabelSize, "the key label"));
  if (has_control_character(archive.instance_id) || has_control_character(archive.key_label))
    return fail(Cause::IntegrityFailure, "the instance id or key label holds control characters");
  std::size_t count = static_cast<std::size_t>(TRY(in.integer(2)));
  if (count > kMaxEntries)
    return fail(Cause::IntegrityFailure, "it lists " + std::to_string(count) +
                                             " files, more than the limit of " +
                                             std::to_string(kMaxEntries));
  for (std::size_t i = 0; i < count; ++i) {
    ManifestEntry entry;
    entry.name = TRY(in.short_text(kMaxNameSize, "a file name"));
    entry.mode = static_cast<std::uint32_t>(TRY(in.integer(2)));
    entry.size = TRY(in.integer(8));
    entry.digest = TRY(in.take(kDigestSize));
    if (std::string reason = refused_name_reason(entry.name); !reason.empty())
      return fail(Cause::IntegrityFailure, "it names a file \"" + entry.name + "\": " + reason);
    if (entry.mode > 0777)
      return fail(Cause::IntegrityFailure, "the mode of " + entry.name + " is not a file mode");
    if (entry.size > kMaxEntrySize)
      return fail(Cause::IntegrityFailure, entry.name + " is " + std::to_string(entry.size) +
                                               " bytes, over the limit of 1 GiB per file");
    entries.push_back(std::move(entry));
  }
  if (!in.done()) return fail(Cause::IntegrityFailure, "the manifest has bytes after its entries");
  std::set<std::string_view> names;
  for (const ManifestEntry& entry : entries) {
    if (!names.insert(entry.name).second)
      return fail(Cause::IntegrityFailure, "it lists " + entry.name + " twice");
  }
  return archive;
}

Result<Archive> decode_checked(ByteView data) {
  if (data.size() > kMaxArchiveSize)
    return fail(Cause::IntegrityFailure, "it is larger than the limit of 2 GiB");
  Reader in(data, "the archive");
  ByteView magic = TRY(in.take(kArchiveMagic.size()));
  if (!std::equal(magic.begin(), magic.end(), kArchiveMagic.begin()))
    return fail(Cause::IntegrityFailure, "it does not start with \"SSOCBKP1\"");
  std::uint64_t version = TRY(in.integer(2));
  if (version != kArchiveVersion)
    return fail(Cause::IntegrityFailure, "format version " + std::to_string(version) +
                                             " is not supported (this program reads version 1)");
  std::uint64_t manifest_size = TRY(in.integer(4));
  if (manifest_size > kMaxManifestSize)
    return fail(Cause::IntegrityFailure, "its manifest is larger than the limit of 1 MiB");
  ByteView manifest = TRY(in.take(static_cast<std::size_t>(manifest_size)));
  std::vector<ManifestEntry> listed;
  Archive archive = TRY(read_manifest(manifest, listed));

  // Each size is at most 1 GiB and there are at most 256: the sum cannot overflow.
  std::uint64_t contents_size = 0;
  for (const ManifestEntry& entry : listed) contents_size += entry.size;
  const std::uint64_t expected = kHeaderSize + manifest_size + contents_size + kDigestSize;
  if (data.size() != expected)
    return fail(Cause::IntegrityFailure,
                "it is " + std::to_string(data.size()) + " bytes but its manifest says " +
                    std::to_string(expected) + (data.size() < expected ? " (truncated)" : ""));

  ByteView sealed = data.first(data.size() - kDigestSize);
  ByteView digest = data.last(kDigestSize);
  if (!equal_constant_time(ossl::sha256(sealed), digest))
    return fail(Cause::IntegrityFailure, "its final SHA-256 does not match its contents");

  for (const ManifestEntry& entry : listed) {
    ByteView contents = TRY(in.take(static_cast<std::size_t>(entry.size)));
    if (!equal_constant_time(ossl::sha256(contents), entry.digest))
      return fail(Cause::IntegrityFailure, "the SHA-256 of " + entry.name + " does not match");
    archive.entries.push_back(ArchiveEntry{entry.name, entry.mode, contents});
  }
  return archive;
}

}  // namespace

bool is_reserved_name(std::string_view name) {
  return name == "service.lock" || name == "change.lock" || name == "transition.journal" ||
         name.ends_with(".next") || name == "ssoconnect.db-wal" || name == "ssoconnect.db-shm" ||
         name == "ssoconnect.db-journal";
}

std::string refused_name_reason(std::string_view name) {
  if (name.empty()) return "a file name cannot be empty";
  if (name.size() > kMaxNameSize) return "a file name is at most 255 bytes";
  if (name.find('/') != std::string_view::npos) return "a file name cannot hold '/'";
  if (has_control_character(name)) return "a file name cannot hold control characters";
  if (name.front() == '.') return "a file name cannot start with '.'";
  if (is_reserved_name(name)) return "the data folder keeps this name for itself";
  return "";
}

Result<SecretBytes> encode(const Archive& archive) {
  TRY(check_fields(archive));
  SecretBytes manifest;
  Writer m(manifest);
  m.integer(archive.created, 8);
  m.integer(archive.instance_id.size(), 1);
  m.text(archive.instance_id);
  m.integer(archive.key_label.size(), 1);
  m.text(archive.key_label);
  m.integer(archive.entries.size(), 2);
  std::uint64_t contents_size = 0;
  for (const ArchiveEntry& entry : archive.entries) {
    m.integer(entry.name.size(), 1);
    m.text(entry.name);
    m.integer(entry.mode, 2);
    m.integer(entry.contents.size(), 8);
    m.bytes(ossl::sha256(entry.contents));
    contents_size += entry.contents.size();
  }
  if (manifest.size() > kMaxManifestSize)
    return fail(Cause::InvalidInput, "the backup manifest would exceed 1 MiB");

  SecretBytes out;
  out.reserve(kHeaderSize + manifest.size() + contents_size + kDigestSize);
  Writer w(out);
  w.text(kArchiveMagic);
  w.integer(kArchiveVersion, 2);
  w.integer(manifest.size(), 4);
  w.bytes(manifest);
  for (const ArchiveEntry& entry : archive.entries) w.bytes(entry.contents);
  Bytes digest = ossl::sha256(out);
  w.bytes(digest);
  return out;
}

Result<Archive> decode(ByteView data, std::string_view source) {
  Result<Archive> archive = decode_checked(data);
  if (!archive) return damaged(source, archive.error().message);
  return archive;
}

}  // namespace ssoc::backup
