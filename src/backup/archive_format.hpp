// The backup archive ("ssoconnect backup --out FILE"), version 1: the files of one data folder
// with a manifest, sealed by a SHA-256 of everything before it.
//
// Wire format (all integers unsigned, big-endian):
//
//   offset  size   field
//   0       8      magic "SSOCBKP1"
//   8       2      format version = 1
//   10      4      M = length of the manifest (at most kMaxManifestSize)
//   14      M      manifest:
//                    8   created, seconds since the Unix epoch (UTC)
//                    1   I = length of the instance id (0..64; 0 = unknown), then I bytes
//                    1   L = length of the SKS key label (0..255; 0 = SKS off), then L bytes
//                    2   N = number of entries (0..kMaxEntries)
//                    N entries, each:
//                      1   n = length of the name (1..255), then n bytes of name
//                      2   mode: permission bits (at most 0777)
//                      8   size of the contents (at most kMaxEntrySize)
//                      32  SHA-256 of the contents
//                  the entries fill the manifest exactly
//   14+M   sum    the contents of each entry, in manifest order, back to back
//   end-32  32     SHA-256 of every byte before it
//   nothing may follow.
//
// Names are plain file names: not empty, at most 255 bytes, no '/', no NUL or other control
// character, no leading '.' (so neither "." nor ".." nor a hidden or temporary file), unique,
// and none of the names a data folder keeps for itself (lock files, the change journal, files
// staged by a change, SQLite's -wal/-shm/-journal files). The instance id and label hold no
// control characters. The whole archive is at most kMaxArchiveSize bytes, because it is
// verified in memory before anything is written.
//
// decode() checks every length against the limits and the bytes left before it uses it; every
// malformation is IntegrityFailure naming the source and what is wrong.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::backup {

inline constexpr std::string_view kArchiveMagic = "SSOCBKP1";
inline constexpr std::uint16_t kArchiveVersion = 1;
inline constexpr std::size_t kMaxEntries = 256;
inline constexpr std::uint64_t kMaxEntrySize = std::uint64_t{1} << 30;    // 1 GiB
inline constexpr std::uint64_t kMaxArchiveSize = std::uint64_t{2} << 30;  // 2 GiB
inline constexpr std::size_t kMaxManifestSize = 1u << 20;
inline constexpr std::size_t kMaxNameSize = 255;
inline constexpr std::size_t kMaxInstanceIdSize = 64;
inline constexpr std::size_t kMaxLabelSize = 255;
inline constexpr std::size_t kDigestSize = 32;

// One file of the archive. `contents` views memory owned by the caller (encode) or by the
// archive bytes (decode).
struct ArchiveEntry {
  std::string name;
  std::uint32_t mode = 0600;
  ByteView contents;
};

struct Archive {
  std::uint64_t created = 0;
  std::string instance_id;  // empty when unknown
  std::string key_label;    // empty when SKS is off
  std::vector<ArchiveEntry> entries;
};

// Why `name` cannot be an entry ("" when it can): see the rules above.
std::string refused_name_reason(std::string_view name);

// True for the names a data folder keeps for itself (lock files, journal, staged files, SQLite's
// side files); a backup leaves them out and a restore refuses them.
bool is_reserved_name(std::string_view name);

// InvalidInput when a field breaks the limits above.
Result<SecretBytes> encode(const Archive& archive);

// Parses and verifies `data` completely (structure, limits, names, every hash). The entries of
// the result view `data`, which must outlive it. `source` names the archive in messages.
Result<Archive> decode(ByteView data, std::string_view source);

}  // namespace ssoc::backup
