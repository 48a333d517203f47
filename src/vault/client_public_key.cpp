// ClientPublicKey: the checks on the key a vault client sends, and the seal to it.
#include "vault/client_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>

#include "common/encoding.hpp"
#include "vault/seal_format.hpp"

namespace ssoc::vault {
namespace {

using SubjectPublicKeyInfo = std::unique_ptr<X509_PUBKEY, ossl::Deleter<X509_PUBKEY_free>>;
using BigNum = std::unique_ptr<BIGNUM, ossl::Deleter<BN_free>>;

constexpr std::string_view kWhatToDo =
    "; the vault client must send ?key= with the base64url (no padding) DER SubjectPublicKeyInfo "
    "of a one-time X25519 or RSA (2048 to 8192 bits) public key";

Error refused(const std::string& what) {
  ERR_clear_error();
  return fail(Cause::InvalidInput, "the client key " + what + std::string(kWhatToDo));
}

constexpr int kMaxRsaExponentBits = 64;

// SEQUENCE { SEQUENCE { OID 1.3.101.110 (X25519) } BIT STRING (33 bytes: no unused bits, key) }
constexpr std::array<unsigned char, 12> kX25519SpkiPrefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                             0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};

// The longest base64url text that can decode to kMaxClientKeyDer bytes.
constexpr std::size_t kMaxClientKeyText = (kMaxClientKeyDer * 4 + 2) / 3;

// The algorithm's name as the SubjectPublicKeyInfo states it, for messages.
std::string algorithm_name(const X509_PUBKEY* spki) {
  ASN1_OBJECT* oid = nullptr;
  if (X509_PUBKEY_get0_param(&oid, nullptr, nullptr, nullptr, spki) != 1 || oid == nullptr)
    return "unknown";
  char name[128];
  int length = OBJ_obj2txt(name, sizeof name, oid, 0);
  if (length <= 0) return "unknown";
  return std::string(name,
                     std::min<std::size_t>(static_cast<std::size_t>(length), sizeof name - 1));
}

Result<BigNum> rsa_number(EVP_PKEY* key, const char* name) {
  BIGNUM* number = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &number) != 1 || number == nullptr)
    return refused("is an RSA key whose numbers cannot be read");
  return BigNum(number);
}

Result<void> check_rsa(EVP_PKEY* key) {
  const int bits = EVP_PKEY_get_bits(key);
  if (bits < kMinRsaBits)
    return refused("is an RSA key of " + std::to_string(bits) + " bits, under the minimum of " +
                   std::to_string(kMinRsaBits));
  if (bits > kMaxRsaBits)
    return refused("is an RSA key of " + std::to_string(bits) + " bits, over the maximum of " +
                   std::to_string(kMaxRsaBits));
  BigNum n = TRY(rsa_number(key, OSSL_PKEY_PARAM_RSA_N));
  BigNum e = TRY(rsa_number(key, OSSL_PKEY_PARAM_RSA_E));
  if (!BN_is_odd(n.get())) return refused("is an RSA key with an even modulus");
  // OpenSSL refuses exponents over 64 bits with moduli over 3072 bits; the same rule for all.
  if (!BN_is_odd(e.get()) || BN_is_one(e.get()) || BN_num_bits(e.get()) > kMaxRsaExponentBits)
    return refused(
        "is an RSA key with an unusable public exponent (it must be odd, > 1 and at "
        "most 64 bits; 65537 is usual)");
  return success();
}

}  // namespace

Result<ClientPublicKey> ClientPublicKey::from_base64url(std::string_view text) {
  if (text.empty()) return refused("is empty");
  if (text.size() > kMaxClientKeyText)
    return refused("is longer than " + std::to_string(kMaxClientKeyDer) + " bytes of DER");
  std::optional<SecretBytes> der = base64url_decode(text);
  if (!der) return refused("is not base64url without padding (RFC 4648 section 5)");
  return from_spki_der(*der);
}

Result<ClientPublicKey> ClientPublicKey::from_spki_der(ByteView der) {
  if (der.empty()) return refused("is empty");
  if (der.size() > kMaxClientKeyDer)
    return refused("is " + std::to_string(der.size()) + " bytes of DER, over the maximum of " +
                   std::to_string(kMaxClientKeyDer));
  // The usual case, an X25519 key, without OpenSSL's generic decoder (which takes as long as
  // the rest of a login's crypto): its one canonical DER is this prefix and the 32 key bytes.
  if (der.size() == kX25519SpkiPrefix.size() + 32 &&
      std::equal(kX25519SpkiPrefix.begin(), kX25519SpkiPrefix.end(), der.begin())) {
    Bytes raw(der.begin() + kX25519SpkiPrefix.size(), der.end());
    ossl::Pkey key(
        EVP_PKEY_new_raw_public_key_ex(nullptr, "X25519", nullptr, raw.data(), raw.size()));
    if (!key) return refused("holds an X25519 key that cannot be used");
    return ClientPublicKey(std::move(key), Kind::X25519, Bytes(der.begin(), der.end()),
                           std::move(raw));
  }
  const unsigned char* cursor = der.data();
  SubjectPublicKeyInfo spki(d2i_X509_PUBKEY(nullptr, &cursor, static_cast<long>(der.size())));
  if (!spki) return refused("is not a DER SubjectPublicKeyInfo");
  if (cursor != der.data() + der.size())
    return refused("has " + std::to_string(der.data() + der.size() - cursor) +
                   " bytes after its SubjectPublicKeyInfo");
  // One encoding per key: BER forms (long lengths, indefinite lengths...) are refused.
  unsigned char* encoded = nullptr;
  int encoded_length = i2d_X509_PUBKEY(spki.get(), &encoded);
  const bool canonical =
      encoded_length == static_cast<int>(der.size()) && std::equal(der.begin(), der.end(), encoded);
  OPENSSL_free(encoded);
  if (!canonical) return refused("is not in canonical DER");

  const std::string algorithm = algorithm_name(spki.get());
  ossl::Pkey key(X509_PUBKEY_get(spki.get()));
  if (!key)
    return refused("holds a " + algorithm + " key that cannot be decoded or is unsupported");
  Bytes raw;
  Kind kind;
  if (EVP_PKEY_is_a(key.get(), "X25519")) {
    kind = Kind::X25519;
    raw = TRY(seal_format::raw_x25519_public(key.get()));
  } else if (EVP_PKEY_is_a(key.get(), "RSA")) {
    kind = Kind::Rsa;
    TRY(check_rsa(key.get()));
  } else {
    const char* type = EVP_PKEY_get0_type_name(key.get());
    return refused("is a key of type " + std::string(type != nullptr ? type : "unknown") + " (" +
                   algorithm + "), which SSO Connect does not seal to");
  }
  return ClientPublicKey(std::move(key), kind, Bytes(der.begin(), der.end()), std::move(raw));
}

Result<std::string> ClientPublicKey::seal(const SecretBytes& password,
                                          std::string_view session_id) const {
  return kind_ == Kind::X25519 ? seal_x25519(password, session_id) : seal_rsa(password);
}

Result<std::string> ClientPublicKey::seal_x25519(const SecretBytes& password,
                                                 std::string_view session_id) const {
  // An X25519 private key is any 32 random bytes (RFC 7748 §5 clamps them when used); made
  // from them directly, without a key-generation context for every login.
  SecretBytes esk = TRY(ossl::random_bytes(32));
  ossl::Pkey ephemeral(
      EVP_PKEY_new_raw_private_key_ex(nullptr, "X25519", nullptr, esk.data(), esk.size()));
  if (!ephemeral)
    return fail(Cause::Internal,
                "generating an ephemeral X25519 key failed (" + ossl::last_error() + ")");
  Bytes epk = TRY(seal_format::raw_x25519_public(ephemeral.get()));
  SecretBytes shared = TRY(seal_format::x25519_shared_secret(ephemeral.get(), key_.get()));
  SecretBytes k = TRY(seal_format::seal_key(shared, epk, raw_x25519_));
  SecretBytes nonce = TRY(ossl::random_bytes(kGcmNonceSize));

  Bytes sealed;
  sealed.reserve(seal_format::kX25519Header + password.size() + kGcmTagSize);
  sealed.push_back(seal_format::kX25519Version);
  sealed.insert(sealed.end(), epk.begin(), epk.end());
  sealed.insert(sealed.end(), nonce.begin(), nonce.end());
  TRY(aes_gcm_seal(k, nonce, as_bytes(session_id), password, sealed));
  return base64url_encode(sealed);
}

Result<std::string> ClientPublicKey::seal_rsa(const SecretBytes& password) const {
  // RSA-OAEP with SHA-256 carries at most (modulus bytes - 2 * 32 - 2) bytes.
  const std::size_t modulus_bytes = static_cast<std::size_t>(EVP_PKEY_get_size(key_.get()));
  if (password.size() + 2 * 32 + 2 > modulus_bytes)
    return fail(Cause::InvalidInput, "the master password (" + std::to_string(password.size()) +
                                         " bytes) is too long for RSA-OAEP with the client key");
  ossl::PkeyCtx ctx = TRY(seal_format::oaep_context(key_.get(), true));
  Bytes sealed(1 + modulus_bytes);
  sealed[0] = seal_format::kRsaVersion;
  std::size_t length = modulus_bytes;
  if (EVP_PKEY_encrypt(ctx.get(), sealed.data() + 1, &length, password.data(), password.size()) !=
          1 ||
      length != modulus_bytes)
    return fail(Cause::Internal, "RSA-OAEP encryption failed (" + ossl::last_error() + ")");
  return base64url_encode(sealed);
}

}  // namespace ssoc::vault
