// The wire protocol between libssoc_nethsm_client.so and ssoc_nethsm_server: a test-only
// "network HSM" that carries a subset of PKCS#11 v2.40 over a Unix stream socket, so that a test
// can cut the HSM off (kill the server) or make it hang (SIGSTOP it). p11-kit 0.24's RPC cannot
// carry CK_GCM_PARAMS, which SSO Connect needs; this protocol can.
//
// Frames (both directions):  u32 body_length | body        (8 <= body_length <= kMaxFrameBody)
//   request body:            u32 request_id | u32 function | payload
//   reply body:              u32 request_id | u32 function | u64 rv | payload
// The reply echoes the request's id and function. A reply's payload always has the full shape
// listed below, whatever its rv (fields the module did not fill are zero).
//
// Encodings (all integers little-endian):
//   ulong       u64; CK_ULONG, handles, flags, mechanism and attribute types
//   flag        u8, 0 or 1
//   bytes       u64 length | length bytes
//   out-buffer  flag present | ulong length        a caller's output buffer; absent = NULL, i.e.
//                                                  a size query
//   out-data    ulong length | flag has_data | [bytes data]   what the module wrote back
//   in-template ulong count | count x (ulong type | flag has_value | ulong length | [length bytes])
//   out-template request: ulong count | count x (ulong type | out-buffer)
//                reply:   ulong count | count x (ulong ulValueLen | flag has_value | [bytes])
//               (C_GetAttributeValue semantics: ulValueLen may be CK_UNAVAILABLE_INFORMATION; a
//               value is sent back only for a non-NULL pValue whose length fits the buffer)
//   mechanism   ulong type | u8 kind | kind 0: no parameter (pParameter NULL)
//                                      kind 1: bytes parameter (a flat struct, copied as is)
//                                      kind 2: CK_GCM_PARAMS: flag has_iv | ulong ulIvLen |
//                                              [ulIvLen bytes iv] | ulong ulIvBits | flag has_aad
//                                              | ulong ulAADLen | [ulAADLen bytes aad] |
//                                              ulong ulTagBits
//   mech-output flag has_iv | [bytes iv]      the GCM IV as the module left it after C_EncryptInit
//                                             (an HSM such as AWS CloudHSM writes its IV there)
//   list        ulong count | count x ulong
//   CK_VERSION  u8 major | u8 minor; fixed-size char arrays are sent as their raw bytes
//
// Functions (request payload -> reply payload):
//   kHello             8 bytes kMagic | u32 kVersion -> u32 kVersion   (must be first; once)
//   kGetInfo           -                                  -> CK_INFO fields in struct order
//   kGetSlotList       flag token_present | out-buffer(count)  -> ulong count | list
//   kGetSlotInfo       ulong slot                         -> CK_SLOT_INFO fields
//   kGetTokenInfo      ulong slot                         -> CK_TOKEN_INFO fields
//   kGetMechanismList  ulong slot | out-buffer(count)     -> ulong count | list
//   kGetMechanismInfo  ulong slot | ulong type            -> ulong min | ulong max | ulong flags
//   kOpenSession       ulong slot | ulong flags           -> ulong session
//   kCloseSession      ulong session                      -> -
//   kCloseAllSessions  ulong slot                         -> -   (this connection's sessions)
//   kGetSessionInfo    ulong session                      -> ulong slot | state | flags | error
//   kLogin             ulong session | ulong user | flag has_pin | [bytes pin]  -> -
//   kLogout            ulong session                      -> -
//   kCreateObject      ulong session | in-template        -> ulong object
//   kDestroyObject     ulong session | ulong object       -> -
//   kGetAttributeValue ulong session | ulong object | out-template request -> out-template reply
//   kSetAttributeValue ulong session | ulong object | in-template -> -
//   kFindObjectsInit   ulong session | in-template        -> -
//   kFindObjects       ulong session | ulong max_count    -> list
//   kFindObjectsFinal  ulong session                      -> -
//   kEncryptInit       ulong session | mechanism | ulong key -> mech-output
//   kEncrypt           ulong session | bytes data | out-buffer -> out-data
//   kDecryptInit       ulong session | mechanism | ulong key -> -
//   kDecrypt           ulong session | bytes data | out-buffer -> out-data
//   kGenerateKey       ulong session | mechanism | in-template -> ulong key
//   kGenerateRandom    ulong session | ulong length       -> bytes
//
// A peer that breaks any of these rules (bad length, unknown function, trailing bytes, a reply
// that does not match its request) is disconnected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

inline constexpr std::string_view kMagic = "SSOCNHSM";  // 8 bytes
inline constexpr std::uint32_t kVersion = 1;

// The largest frame body either side sends or accepts (32 MiB).
inline constexpr std::size_t kMaxFrameBody = 32u * 1024 * 1024;
// Room left for headers and other fields: data (plaintext, ciphertext, random bytes, attribute
// values) is carried only up to this many bytes per call.
inline constexpr std::size_t kMaxData = kMaxFrameBody - 64 * 1024;

inline constexpr std::size_t kRequestHeaderSize = 8;
inline constexpr std::size_t kReplyHeaderSize = 16;

enum class Fn : std::uint32_t {
  kHello = 1,
  kGetInfo,
  kGetSlotList,
  kGetSlotInfo,
  kGetTokenInfo,
  kGetMechanismList,
  kGetMechanismInfo,
  kOpenSession,
  kCloseSession,
  kCloseAllSessions,
  kGetSessionInfo,
  kLogin,
  kLogout,
  kCreateObject,
  kDestroyObject,
  kGetAttributeValue,
  kSetAttributeValue,
  kFindObjectsInit,
  kFindObjects,
  kFindObjectsFinal,
  kEncryptInit,
  kEncrypt,
  kDecryptInit,
  kDecrypt,
  kGenerateKey,
  kGenerateRandom,
  kEnd,  // one past the last
};

inline bool is_known_function(std::uint32_t fn) {
  return fn >= static_cast<std::uint32_t>(Fn::kHello) && fn < static_cast<std::uint32_t>(Fn::kEnd);
}

// Mechanism parameter kinds on the wire.
enum class ParamKind : std::uint8_t { kNone = 0, kBytes = 1, kGcm = 2 };

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
