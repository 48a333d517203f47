#include "keystore/jks_protection.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <memory>
#include <string_view>

#include "common/openssl.hpp"

namespace ssoc::keystore::jks {
namespace {

constexpr std::string_view kIntegrityWhitener = "Mighty Aphrodite";

using Digest = std::array<std::uint8_t, kDigestSize>;

// Wipes a digest that is part of a keystream or a check of secret bytes.
struct WipedDigest {
  Digest bytes{};
  ~WipedDigest() { wipe(bytes.data(), bytes.size()); }
};

// SHA-1, fetched once and reused for every digest of one operation (an implicit fetch per
// digest would take OpenSSL's global locks some sixty times per private key).
class Sha1 {
 public:
  static Result<Sha1> make() {
    Sha1 out;
    out.md_.reset(EVP_MD_fetch(nullptr, "SHA1", nullptr));
    out.ctx_.reset(EVP_MD_CTX_new());
    if (out.md_ == nullptr || out.ctx_ == nullptr) return unavailable();
    return out;
  }

  // SHA-1 of the concatenated `parts` into `out`.
  Result<void> digest(std::initializer_list<ByteView> parts, Digest& out) {
    bool ok = EVP_DigestInit_ex2(ctx_.get(), md_.get(), nullptr) == 1;
    for (ByteView part : parts)
      ok = ok && EVP_DigestUpdate(ctx_.get(), part.data(), part.size()) == 1;
    unsigned int size = 0;
    ok = ok && EVP_DigestFinal_ex(ctx_.get(), out.data(), &size) == 1 && size == out.size();
    if (!ok) return unavailable();
    return success();
  }

 private:
  static Error unavailable() {
    return fail(Cause::Internal, "SHA-1 is not available (" + ossl::last_error() +
                                     "); check the OpenSSL installation");
  }

  std::unique_ptr<EVP_MD, ossl::Deleter<EVP_MD_free>> md_;
  ossl::MdCtx ctx_;
};

void push_unit(SecretBytes& out, std::uint32_t unit) {
  out.push_back(static_cast<std::uint8_t>(unit >> 8));
  out.push_back(static_cast<std::uint8_t>(unit & 0xFF));
}

}  // namespace

std::optional<SecretBytes> java_password(ByteView utf8) {
  SecretBytes out;
  out.reserve(utf8.size() * 2);  // never more: no reallocation leaves a copy behind
  for (std::size_t i = 0; i < utf8.size();) {
    std::uint32_t c = utf8[i];
    std::size_t length = 1;
    std::uint32_t smallest = 0;
    if (c >= 0x80) {
      if ((c & 0xE0) == 0xC0) {
        length = 2, c &= 0x1F, smallest = 0x80;
      } else if ((c & 0xF0) == 0xE0) {
        length = 3, c &= 0x0F, smallest = 0x800;
      } else if ((c & 0xF8) == 0xF0) {
        length = 4, c &= 0x07, smallest = 0x10000;
      } else {
        return std::nullopt;
      }
    }
    if (length > utf8.size() - i) return std::nullopt;
    for (std::size_t k = 1; k < length; ++k) {
      std::uint8_t next = utf8[i + k];
      if ((next & 0xC0) != 0x80) return std::nullopt;
      c = (c << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past Unicode are not UTF-8 (RFC 3629).
    if (c < smallest || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return std::nullopt;
    i += length;
    if (c >= 0x10000) {
      c -= 0x10000;
      push_unit(out, 0xD800 + (c >> 10));
      push_unit(out, 0xDC00 + (c & 0x3FF));
    } else {
      push_unit(out, c);
    }
  }
  return out;
}

Result<bool> integrity_matches(ByteView java_password, ByteView body, ByteView digest) {
  Sha1 sha1 = TRY(Sha1::make());
  Digest expected{};
  TRY(sha1.digest({java_password, as_bytes(kIntegrityWhitener), body}, expected));
  return equal_constant_time(expected, digest);
}

Result<std::optional<SecretBytes>> unprotect_key(ByteView java_password, ByteView encrypted_data) {
  if (encrypted_data.size() < 2 * kDigestSize) return std::optional<SecretBytes>();
  ByteView salt = encrypted_data.first(kDigestSize);
  ByteView check = encrypted_data.last(kDigestSize);
  ByteView ciphertext =
      encrypted_data.subspan(kDigestSize, encrypted_data.size() - 2 * kDigestSize);

  Sha1 sha1 = TRY(Sha1::make());
  SecretBytes plaintext(ciphertext.begin(), ciphertext.end());
  WipedDigest block;
  for (std::size_t offset = 0; offset < plaintext.size(); offset += kDigestSize) {
    TRY(sha1.digest({java_password, offset == 0 ? salt : ByteView(block.bytes)}, block.bytes));
    std::size_t count = std::min(kDigestSize, plaintext.size() - offset);
    for (std::size_t k = 0; k < count; ++k) plaintext[offset + k] ^= block.bytes[k];
  }
  WipedDigest computed;
  TRY(sha1.digest({java_password, plaintext}, computed.bytes));
  if (!equal_constant_time(computed.bytes, check)) return std::optional<SecretBytes>();
  return std::optional<SecretBytes>(std::move(plaintext));
}

}  // namespace ssoc::keystore::jks
