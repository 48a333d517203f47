#include "vault/master_password.hpp"

#include <openssl/evp.h>

#include "common/openssl.hpp"
#include "vault/aes_gcm.hpp"

namespace ssoc::vault {
namespace {

constexpr std::string_view kAssociatedDataPrefix = "ssoc:mp:v1:";

}  // namespace

Result<SecretBytes> generate_master_password() {
  SecretBytes random = TRY(ossl::random_bytes(kMasterPasswordRandomBytes));
  // Encoded straight into wiped memory: base64url_encode would leave the text in a std::string.
  // EVP_EncodeBlock writes standard base64 with padding and a terminating NUL.
  SecretBytes text(4 * ((kMasterPasswordRandomBytes + 2) / 3) + 1);
  int length = EVP_EncodeBlock(text.data(), random.data(), static_cast<int>(random.size()));
  if (length < 0 || static_cast<std::size_t>(length) + 1 != text.size())
    return fail(Cause::Internal, "encoding a new master password failed");
  text.resize(kMasterPasswordLength);  // drops the padding '=' and the NUL
  for (std::uint8_t& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

Result<MasterPasswordCipher> MasterPasswordCipher::create(SecretBytes key, std::string key_id) {
  if (key.size() != kAesKeySize)
    return fail(Cause::InvalidSetting,
                "master_key must be 32 bytes (base64); restore the shared settings from a backup "
                "or regenerate them with 'ssoconnect config'");
  if (key_id.empty())
    return fail(Cause::InvalidSetting,
                "master_key_id is empty; it must name the master-password key (run "
                "'ssoconnect config')");
  if (key_id.find(':') != std::string::npos)
    return fail(Cause::InvalidSetting,
                "master_key_id '" + key_id + "' contains ':'; use an id without ':'");
  return MasterPasswordCipher(std::move(key), std::move(key_id));
}

std::string MasterPasswordCipher::associated_data(std::string_view user_id) const {
  std::string ad(kAssociatedDataPrefix);
  ad += key_id_;
  ad += ':';
  ad += user_id;
  return ad;
}

Result<Bytes> MasterPasswordCipher::seal(const SecretBytes& password,
                                         std::string_view user_id) const {
  SecretBytes nonce = TRY(ossl::random_bytes(kGcmNonceSize));
  Bytes stored(nonce.begin(), nonce.end());
  stored.reserve(kGcmNonceSize + password.size() + kGcmTagSize);
  TRY(aes_gcm_seal(key_, nonce, as_bytes(associated_data(user_id)), password, stored));
  return stored;
}

Result<SecretBytes> MasterPasswordCipher::open(ByteView stored, std::string_view user_id) const {
  auto integrity_failure = [this] {
    return fail(Cause::IntegrityFailure,
                "the stored master password of this user does not decrypt with key " + key_id_ +
                    "; the row was changed or copied (restore the users table from a backup "
                    "made with this key)");
  };
  if (stored.size() < kGcmNonceSize + kGcmTagSize) return integrity_failure();
  auto opened = aes_gcm_open(key_, stored.first(kGcmNonceSize), as_bytes(associated_data(user_id)),
                             stored.subspan(kGcmNonceSize));
  if (!opened) {
    if (opened.error().cause == Cause::IntegrityFailure) return integrity_failure();
    return std::move(opened).error();
  }
  return std::move(opened).value();
}

}  // namespace ssoc::vault
