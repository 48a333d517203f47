#include "vault/aes_gcm.hpp"

#include <openssl/err.h>

#include <climits>

#include "common/openssl.hpp"

namespace ssoc::vault {
namespace {

using Cipher = std::unique_ptr<EVP_CIPHER, ossl::Deleter<EVP_CIPHER_free>>;

// Fetched once (thread-safe static initialisation) instead of an implicit fetch per operation.
const EVP_CIPHER* aes_256_gcm() {
  static const Cipher cipher(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
  return cipher.get();
}

// Lengths OpenSSL takes as int; a master password is 43 bytes, so anything near this is a bug.
constexpr std::size_t kMaxLength = INT_MAX / 2;

Result<void> check_sizes(ByteView key, ByteView nonce, ByteView associated_data,
                         std::size_t text_size) {
  if (key.size() != kAesKeySize)
    return fail(Cause::InvalidInput, "an AES-256-GCM key must be 32 bytes");
  if (nonce.size() != kGcmNonceSize)
    return fail(Cause::InvalidInput, "an AES-256-GCM nonce must be 12 bytes");
  if (associated_data.size() > kMaxLength || text_size > kMaxLength)
    return fail(Cause::InvalidInput, "the data to encrypt or decrypt is too large");
  return success();
}

Error openssl_failure(const char* what) {
  return fail(Cause::Internal,
              std::string("AES-256-GCM: ") + what + " failed (" + ossl::last_error() + ")");
}

Result<ossl::CipherCtx> start(ByteView key, ByteView nonce, ByteView associated_data,
                              bool encrypt) {
  const EVP_CIPHER* cipher = aes_256_gcm();
  if (cipher == nullptr) return openssl_failure("fetching the cipher");
  ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return openssl_failure("allocating a context");
  // The default GCM IV length is 12 bytes, the size of our nonce.
  if (EVP_CipherInit_ex2(ctx.get(), cipher, key.data(), nonce.data(), encrypt ? 1 : 0, nullptr) !=
      1)
    return openssl_failure("initialisation");
  int ignored = 0;
  if (!associated_data.empty() &&
      EVP_CipherUpdate(ctx.get(), nullptr, &ignored, associated_data.data(),
                       static_cast<int>(associated_data.size())) != 1)
    return openssl_failure("adding the associated data");
  return ctx;
}

}  // namespace

Result<void> aes_gcm_seal(ByteView key, ByteView nonce, ByteView associated_data,
                          ByteView plaintext, Bytes& out) {
  TRY(check_sizes(key, nonce, associated_data, plaintext.size()));
  ossl::CipherCtx ctx = TRY(start(key, nonce, associated_data, true));
  const std::size_t offset = out.size();
  out.resize(offset + plaintext.size() + kGcmTagSize);
  std::uint8_t* cursor = out.data() + offset;
  int written = 0;
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx.get(), cursor, &written, plaintext.data(),
                                              static_cast<int>(plaintext.size())) != 1) {
    out.resize(offset);
    return openssl_failure("encryption");
  }
  int final_written = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), cursor + written, &final_written) != 1 ||
      static_cast<std::size_t>(written + final_written) != plaintext.size() ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(kGcmTagSize),
                          cursor + plaintext.size()) != 1) {
    out.resize(offset);
    return openssl_failure("finishing the encryption");
  }
  return success();
}

Result<SecretBytes> aes_gcm_open(ByteView key, ByteView nonce, ByteView associated_data,
                                 ByteView ciphertext_and_tag) {
  TRY(check_sizes(key, nonce, associated_data, ciphertext_and_tag.size()));
  if (ciphertext_and_tag.size() < kGcmTagSize)
    return fail(Cause::IntegrityFailure, "the AES-256-GCM ciphertext is shorter than its tag");
  ByteView ciphertext = ciphertext_and_tag.first(ciphertext_and_tag.size() - kGcmTagSize);
  ByteView tag = ciphertext_and_tag.last(kGcmTagSize);
  ossl::CipherCtx ctx = TRY(start(key, nonce, associated_data, false));
  SecretBytes plaintext(ciphertext.size());
  int written = 0;
  if (!ciphertext.empty() &&
      EVP_DecryptUpdate(ctx.get(), plaintext.data(), &written, ciphertext.data(),
                        static_cast<int>(ciphertext.size())) != 1)
    return openssl_failure("decryption");
  // OpenSSL only reads the tag, but its prototype takes a non-const pointer.
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(kGcmTagSize),
                          const_cast<std::uint8_t*>(tag.data())) != 1)
    return openssl_failure("setting the tag");
  int final_written = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), plaintext.data() + written, &final_written) != 1) {
    ERR_clear_error();
    return fail(Cause::IntegrityFailure, "the AES-256-GCM tag does not match");
  }
  if (static_cast<std::size_t>(written + final_written) != ciphertext.size())
    return openssl_failure("finishing the decryption");
  return plaintext;
}

}  // namespace ssoc::vault
