// PKCS#12 (RFC 7292) reading. PKCS12_parse is not used: it decrypts in the process's default
// library context, where OpenSSL 3 lacks RC2-40, the certificate encryption of PKCS#12 files
// from Java keytool before 8u301/11.0.12, older Windows and `openssl pkcs12 -legacy`. The bags
// are decrypted here in a library context of our own that also has the legacy provider, so no
// other part of the process can use those old algorithms.
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/provider.h>

#include <algorithm>
#include <climits>
#include <string>

#include "keystore/keystore_contents.hpp"

namespace ssoc::keystore {
namespace {

using LibCtx = std::unique_ptr<OSSL_LIB_CTX, ossl::Deleter<OSSL_LIB_CTX_free>>;
using Provider = std::unique_ptr<OSSL_PROVIDER, ossl::Deleter<OSSL_PROVIDER_unload>>;
using Pkcs8 = std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO_free>>;

struct Pkcs7StackDeleter {
  void operator()(STACK_OF(PKCS7) * stack) const noexcept { sk_PKCS7_pop_free(stack, PKCS7_free); }
};
using Pkcs7Stack = std::unique_ptr<STACK_OF(PKCS7), Pkcs7StackDeleter>;

struct SafeBagStackDeleter {
  void operator()(STACK_OF(PKCS12_SAFEBAG) * stack) const noexcept {
    sk_PKCS12_SAFEBAG_pop_free(stack, PKCS12_SAFEBAG_free);
  }
};
using SafeBagStack = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), SafeBagStackDeleter>;

// Safe contents nested deeper than this are refused (real files nest at most once).
constexpr int kMaxNesting = 4;

// The library context the bags are decrypted in. Members die in reverse order: the providers
// are unloaded before their context is freed.
struct DecryptionContext {
  LibCtx libctx;
  Provider default_provider;
  Provider legacy_provider;  // null when OpenSSL's legacy provider is not installed
};

Result<DecryptionContext> make_decryption_context() {
  DecryptionContext context;
  context.libctx.reset(OSSL_LIB_CTX_new());
  if (context.libctx != nullptr)
    context.default_provider.reset(OSSL_PROVIDER_load(context.libctx.get(), "default"));
  if (context.default_provider == nullptr) {
    return fail(Cause::Internal, "OpenSSL's default provider cannot be loaded (" +
                                     ossl::last_error() + "); check the OpenSSL installation");
  }
  context.legacy_provider.reset(OSSL_PROVIDER_load(context.libctx.get(), "legacy"));
  if (context.legacy_provider == nullptr) ERR_clear_error();
  return context;
}

// The password in the form OpenSSL's PKCS#12 functions take: null for "no password" (which
// differs from "", an empty BMPString), else NUL-terminated with its length.
class Pkcs12Password {
 public:
  explicit Pkcs12Password(const SecretBytes& password)
      : storage_(password.begin(), password.end()),
        length_(static_cast<int>(std::min<std::size_t>(password.size(), INT_MAX / 2))) {
    storage_.push_back(0);
  }
  const char* text() const {
    return none_ ? nullptr : reinterpret_cast<const char*>(storage_.data());
  }
  int length() const { return length_; }
  void set_none() { none_ = true; }

 private:
  SecretBytes storage_;
  int length_;
  bool none_ = false;
};

Error wrong_password(const KeystoreSource& source, bool given) {
  std::string password_key(source.password_key());
  return source.refuse(
      "wrong password for " + source.what() +
      (given ? " (or the file is damaged): its integrity check fails; check " + password_key +
                   ", or export the file again"
             : ": it is protected by a password and none was given; set " + password_key));
}

Result<Pkcs12Password> check_password(PKCS12* p12, const SecretBytes& password,
                                      const KeystoreSource& source) {
  Pkcs12Password out(password);
  if (!PKCS12_mac_present(p12)) {
    if (out.length() == 0) out.set_none();  // as PKCS12_parse does
    return out;
  }
  if (out.length() > 0) {
    if (PKCS12_verify_mac(p12, out.text(), out.length()) != 1) return wrong_password(source, true);
  } else if (PKCS12_verify_mac(p12, nullptr, 0) == 1) {
    out.set_none();
  } else if (PKCS12_verify_mac(p12, "", 0) != 1) {
    return wrong_password(source, false);
  }
  ERR_clear_error();  // a failed attempt with no password
  return out;
}

class BagReader {
 public:
  BagReader(const DecryptionContext& context, const Pkcs12Password& password, bool mac_checked,
            const KeystoreSource& source)
      : context_(context), password_(password), mac_checked_(mac_checked), source_(source) {}

  Result<void> read_authsafe(PKCS7* p7, KeystoreContents& out) {
    SafeBagStack bags;
    switch (OBJ_obj2nid(p7->type)) {
      case NID_pkcs7_data:
        bags.reset(PKCS12_unpack_p7data(p7));
        if (bags == nullptr) return damaged("a bag list cannot be decoded");
        break;
      case NID_pkcs7_encrypted: {
        if (p7->d.encrypted == nullptr || p7->d.encrypted->enc_data == nullptr)
          return damaged("an encrypted bag list has no content");
        const PKCS7_ENC_CONTENT* content = p7->d.encrypted->enc_data;
        bags.reset(static_cast<STACK_OF(PKCS12_SAFEBAG)*>(PKCS12_item_decrypt_d2i_ex(
            content->algorithm, ASN1_ITEM_rptr(PKCS12_SAFEBAGS), password_.text(),
            password_.length(), content->enc_data, 1, context_.libctx.get(), nullptr)));
        if (bags == nullptr) return cannot_decrypt("certificates", content->algorithm);
        break;
      }
      default: return success();  // enveloped (public-key) safes carry nothing we can read
    }
    return read_bags(bags.get(), 0, out);
  }

 private:
  Result<void> read_bags(const STACK_OF(PKCS12_SAFEBAG) * bags, int depth, KeystoreContents& out) {
    if (depth > kMaxNesting) return damaged("its bags are nested too deeply");
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
      const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
      switch (PKCS12_SAFEBAG_get_nid(bag)) {
        case NID_certBag:
          if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate) break;
          out.certificates.emplace_back(PKCS12_SAFEBAG_get1_cert(bag));
          if (out.certificates.back() == nullptr) return damaged("a certificate cannot be decoded");
          break;
        case NID_keyBag:
          if (out.key == nullptr) TRY(read_key(PKCS12_SAFEBAG_get0_p8inf(bag), out));
          break;
        case NID_pkcs8ShroudedKeyBag:
          if (out.key == nullptr) {
            Pkcs8 p8(PKCS12_decrypt_skey_ex(bag, password_.text(), password_.length(),
                                            context_.libctx.get(), nullptr));
            if (p8 == nullptr) {
              const X509_ALGOR* algorithm = nullptr;
              X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &algorithm, nullptr);
              return cannot_decrypt("private key", algorithm);
            }
            TRY(read_key(p8.get(), out));
          }
          break;
        case NID_safeContentsBag:
          TRY(read_bags(PKCS12_SAFEBAG_get0_safes(bag), depth + 1, out));
          break;
        default: break;  // CRL and secret bags
      }
    }
    return success();
  }

  // The key is decoded in the default context: it must outlive our decryption context.
  Result<void> read_key(const PKCS8_PRIV_KEY_INFO* p8, KeystoreContents& out) {
    if (p8 != nullptr) out.key.reset(EVP_PKCS82PKEY(p8));
    if (out.key == nullptr) return damaged("its private key cannot be decoded");
    return success();
  }

  Error damaged(const std::string& what) {
    return source_.refuse(source_.what() + " is not a valid PKCS#12 file: " + what + " (" +
                          ossl::last_error() + "); export the keystore again");
  }

  Error cannot_decrypt(const std::string& what, const X509_ALGOR* algorithm) {
    if (!mac_checked_) return wrong_password(source_, password_.length() > 0);
    char name[80] = "an unknown algorithm";
    if (algorithm != nullptr) OBJ_obj2txt(name, sizeof name, algorithm->algorithm, 0);
    std::string detail = ossl::last_error();
    std::string advice =
        context_.legacy_provider == nullptr
            ? "; it may need OpenSSL's legacy provider, which is not installed here: install "
              "it, or export the file again with current algorithms (e.g. `openssl pkcs12 "
              "-export` without -legacy, or keytool from Java 8u301/11.0.12 or later)"
            : "; export the keystore again with current algorithms";
    return source_.refuse("the " + what + " in " + source_.what() +
                          " cannot be decrypted (encrypted with " + name + ": " + detail + ")" +
                          advice);
  }

  const DecryptionContext& context_;
  const Pkcs12Password& password_;
  bool mac_checked_;
  const KeystoreSource& source_;
};

}  // namespace

Result<KeystoreContents> read_pkcs12(ByteView content, const SecretBytes& password,
                                     const KeystoreSource& source) {
  ERR_clear_error();
  if (content.size() > static_cast<std::size_t>(LONG_MAX))
    return source.refuse(source.what() + " is too large for a keystore");
  const unsigned char* cursor = content.data();
  ossl::Pkcs12 p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(content.size())));
  if (p12 == nullptr) {
    return source.refuse(source.what() + " is not a PKCS#12 file, or it is damaged or truncated (" +
                         ossl::last_error() + "); export the keystore again, or check that " +
                         std::string(source.file_key()) + " names it");
  }
  Pkcs12Password pass = TRY(check_password(p12.get(), password, source));
  DecryptionContext context = TRY(make_decryption_context());

  Pkcs7Stack authsafes(PKCS12_unpack_authsafes(p12.get()));
  if (authsafes == nullptr) {
    return source.refuse(source.what() +
                         " is not a valid PKCS#12 file: its contents cannot be decoded (" +
                         ossl::last_error() + "); export the keystore again");
  }
  BagReader reader(context, pass, PKCS12_mac_present(p12.get()) == 1, source);
  KeystoreContents out;
  for (int i = 0; i < sk_PKCS7_num(authsafes.get()); ++i)
    TRY(reader.read_authsafe(sk_PKCS7_value(authsafes.get(), i), out));
  ERR_clear_error();
  return out;
}

}  // namespace ssoc::keystore
