// The .encp container, version 1: one settings file encrypted with AES-256-GCM in the HSM.
//
// Wire format (all lengths are unsigned, big-endian):
//
//   offset  size   field
//   0       8      magic "SSOCENCP"
//   8       1      version = 1
//   9       1      IV mode: 1 caller, 2 hsm, 3 hsm-appended
//   10      1      L = length of the key label (1..255)
//   11      L      key label, UTF-8 (CKA_LABEL of the HSM key)
//   11+L    1      K = length of the key id (1..64)
//   12+L    K      key id (CKA_ID of the HSM key)
//   ---- end of the fixed header ----
//           1      N = length of the IV (12..16)
//           N      IV
//           4      C = length of ciphertext with tag (16 .. 16 MiB + 16)
//           C      ciphertext, then the 16-byte GCM tag
//   nothing may follow.
//
// Associated data = fixed header ‖ len8(role) ‖ role ‖ len8(instance id) ‖ instance id,
// where role is "instance" or "shared". The IV is not in it: with the hsm and hsm-appended modes
// the HSM chooses the IV during encryption, after the associated data has been given; GCM
// authenticates the IV in any case. A file swapped between roles, moved to another instance,
// or with any header byte changed therefore fails to decrypt (integrity-failure).
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/secret.hpp"
#include "sks/iv_mode.hpp"

namespace ssoc::sks {

inline constexpr std::string_view kEncpMagic = "SSOCENCP";
inline constexpr std::uint8_t kEncpVersion = 1;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kMaxPlaintext = 16u << 20;

struct EncpHeader {
  IvMode iv_mode = IvMode::Caller;
  std::string key_label;
  Bytes key_id;

  // The fixed header bytes (magic to key id).
  Bytes serialize() const;
  Bytes associated_data(std::string_view role, std::string_view instance_id) const;
};

struct EncpFile {
  EncpHeader header;
  Bytes iv;
  Bytes ciphertext;  // with the tag at the end

  // Every malformation (short, long, bad magic, unknown version or mode, lengths out of range
  // or past the end, trailing bytes) is IntegrityFailure naming `source`.
  static Result<EncpFile> parse(ByteView data, std::string_view source);
  // InvalidInput when a field is out of the ranges above.
  Result<Bytes> serialize() const;
};

}  // namespace ssoc::sks
