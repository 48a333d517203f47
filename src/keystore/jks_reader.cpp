// Java KeyStore (JKS) reading, read only, as sun.security.provider.JavaKeyStore writes it. All
// integers are big-endian; UTF is a u16 length then that many bytes of Java's modified UTF-8.
//
//   magic u32 0xFEEDFEED, version u32 (1 or 2), entry count u32, then each entry:
//     tag u32 = 1, private key:          alias UTF, date u64, key u32-length bytes (an
//                                        EncryptedPrivateKeyInfo, jks_protection.hpp),
//                                        chain length u32, then that many certificates
//     tag u32 = 2, trusted certificate:  alias UTF, date u64, one certificate
//     a certificate: (version 2 only) type UTF "X.509", then u32-length DER bytes
//   then the 20-byte integrity check (jks_protection.hpp), and nothing after it.
//
// The file is untrusted until its integrity check passes: the first pass only finds where the
// parts lie, checking every length against the bytes left; nothing is decoded before the check.
// JCEKS (magic 0xCECECECE) uses another key protection and is refused with how to convert it.
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keystore/der.hpp"
#include "keystore/jks_protection.hpp"
#include "keystore/keystore_contents.hpp"

namespace ssoc::keystore {
namespace {

constexpr std::uint32_t kJksMagic = 0xFEEDFEED;
constexpr std::uint32_t kJceksMagic = 0xCECECECE;
constexpr std::uint32_t kPrivateKeyTag = 1;
constexpr std::uint32_t kTrustedCertificateTag = 2;

using X509Sig = std::unique_ptr<X509_SIG, ossl::Deleter<X509_SIG_free>>;
using Pkcs8 = std::unique_ptr<PKCS8_PRIV_KEY_INFO, ossl::Deleter<PKCS8_PRIV_KEY_INFO_free>>;
using Asn1Object = std::unique_ptr<ASN1_OBJECT, ossl::Deleter<ASN1_OBJECT_free>>;

// Reads big-endian fields from untrusted bytes; a read past the end yields nothing.
class Cursor {
 public:
  explicit Cursor(ByteView data) : data_(data) {}

  std::optional<ByteView> bytes(std::size_t count) {
    if (count > data_.size() - offset_) return std::nullopt;
    ByteView out = data_.subspan(offset_, count);
    offset_ += count;
    return out;
  }
  std::optional<std::uint32_t> u32() { return number(4); }
  std::optional<ByteView> utf() {
    auto length = number(2);
    return length ? bytes(*length) : std::nullopt;
  }
  std::optional<ByteView> u32_bytes() {
    auto length = number(4);
    return length ? bytes(*length) : std::nullopt;
  }
  std::size_t offset() const { return offset_; }
  std::size_t left() const { return data_.size() - offset_; }

 private:
  std::optional<std::uint32_t> number(std::size_t size) {
    auto field = bytes(size);
    if (!field) return std::nullopt;
    std::uint32_t out = 0;
    for (std::uint8_t byte : *field) out = (out << 8) | byte;
    return out;
  }

  ByteView data_;
  std::size_t offset_ = 0;
};

struct JksCertificate {
  std::optional<ByteView> type;  // none in version 1
  ByteView der;
};

struct JksEntry {
  std::uint32_t tag = 0;
  ByteView alias;
  ByteView protected_key;  // private key entries only
  std::vector<JksCertificate> certificates;
};

struct JksLayout {
  std::vector<JksEntry> entries;
  ByteView body;    // what the integrity check covers
  ByteView digest;  // the integrity check
};

Error damaged(const KeystoreSource& source, const std::string& what) {
  return source.refuse(source.what() + " is not a valid Java KeyStore: " + what +
                       "; restore it from a backup or export it again, and check that " +
                       std::string(source.file_key()) + " names the right file");
}

std::string at(const Cursor& cursor) {
  return " at byte " + std::to_string(cursor.offset());
}

std::optional<JksCertificate> read_certificate(Cursor& cursor, std::uint32_t version) {
  JksCertificate out;
  if (version == 2) {
    auto type = cursor.utf();
    if (!type) return std::nullopt;
    out.type = *type;
  }
  auto der = cursor.u32_bytes();
  if (!der) return std::nullopt;
  out.der = *der;
  return out;
}

Result<JksLayout> read_layout(ByteView content, const KeystoreSource& source) {
  Cursor cursor(content);
  auto magic = cursor.u32();
  if (magic == kJceksMagic) {
    fs::path converted = source.file();
    converted.replace_extension(".p12");
    return source.refuse(source.what() +
                         " is a JCEKS keystore, which is not supported; convert it to PKCS#12 "
                         "with `keytool -importkeystore -srckeystore " +
                         source.file().string() + " -srcstoretype JCEKS -destkeystore " +
                         converted.string() + " -deststoretype pkcs12` and set " +
                         std::string(source.file_key()) + " to the new file");
  }
  if (magic != kJksMagic) return damaged(source, "it does not start with the JKS magic number");
  auto version = cursor.u32();
  if (!version) return damaged(source, "it is truncated in its header");
  if (*version != 1 && *version != 2) {
    return damaged(source, "its version is " + std::to_string(*version) + ", not 1 or 2");
  }
  auto count = cursor.u32();
  if (!count) return damaged(source, "it is truncated in its header");

  JksLayout layout;
  for (std::uint32_t i = 0; i < *count; ++i) {
    // Every entry takes at least 18 bytes, so a false count runs out of bytes, not of memory.
    std::string where = "entry " + std::to_string(i + 1) + " of " + std::to_string(*count);
    JksEntry entry;
    auto tag = cursor.u32();
    auto alias = tag ? cursor.utf() : std::nullopt;
    if (!alias || !cursor.bytes(8)) return damaged(source, where + " is truncated" + at(cursor));
    entry.tag = *tag;
    entry.alias = *alias;
    std::uint32_t certificates = 1;
    if (*tag == kPrivateKeyTag) {
      auto key = cursor.u32_bytes();
      auto chain_length = key ? cursor.u32() : std::nullopt;
      if (!chain_length) return damaged(source, where + " is truncated" + at(cursor));
      entry.protected_key = *key;
      certificates = *chain_length;
    } else if (*tag != kTrustedCertificateTag) {
      return damaged(source, where + " is of unknown type " + std::to_string(*tag));
    }
    for (std::uint32_t k = 0; k < certificates; ++k) {
      auto certificate = read_certificate(cursor, *version);
      if (!certificate) return damaged(source, where + " is truncated" + at(cursor));
      entry.certificates.push_back(*certificate);
    }
    layout.entries.push_back(std::move(entry));
  }
  if (cursor.left() < jks::kDigestSize) {
    return damaged(source, "it is truncated: its integrity check is missing");
  }
  if (cursor.left() > jks::kDigestSize) {
    return damaged(source, std::to_string(cursor.left() - jks::kDigestSize) +
                               " bytes follow its integrity check");
  }
  layout.body = content.first(cursor.offset());
  layout.digest = content.last(jks::kDigestSize);
  return layout;
}

Result<SecretBytes> check_integrity(const JksLayout& layout, const SecretBytes& password,
                                    const KeystoreSource& source) {
  std::string password_key(source.password_key());
  auto java_password = jks::java_password(password);
  if (!java_password) {
    return source.refuse(password_key + " for " + source.what() +
                         " is not valid UTF-8, so it cannot be the keystore password; correct " +
                         password_key);
  }
  if (TRY(jks::integrity_matches(*java_password, layout.body, layout.digest)))
    return std::move(*java_password);
  if (password.empty()) {
    return source.refuse(source.what() + " is protected by a password and none was given; set " +
                         password_key);
  }
  return source.refuse("wrong password for " + source.what() +
                       " (or the file was modified): its integrity check fails; check " +
                       password_key + ", or restore the file from a backup");
}

// "entry 2 (alias "sso")"; the alias is left out unless it is printable ASCII.
std::string entry_name(std::size_t index, const JksEntry& entry) {
  std::string name = "entry " + std::to_string(index + 1);
  bool printable = !entry.alias.empty() && entry.alias.size() <= 64;
  for (std::uint8_t c : entry.alias) printable = printable && c >= 0x20 && c < 0x7F && c != '"';
  if (printable) name += " (alias \"" + std::string(entry.alias.begin(), entry.alias.end()) + "\")";
  return name;
}

Result<ossl::Pkey> decrypt_key(const JksEntry& entry, const std::string& name,
                               const SecretBytes& java_password, const KeystoreSource& source) {
  const unsigned char* cursor = entry.protected_key.data();
  X509Sig info(entry.protected_key.size() <= LONG_MAX
                   ? d2i_X509_SIG(nullptr, &cursor, static_cast<long>(entry.protected_key.size()))
                   : nullptr);
  if (info == nullptr || cursor != entry.protected_key.data() + entry.protected_key.size())
    return damaged(source, "the private key of " + name + " is not an EncryptedPrivateKeyInfo");
  const X509_ALGOR* algorithm = nullptr;
  const ASN1_OCTET_STRING* data = nullptr;
  X509_SIG_get0(info.get(), &algorithm, &data);
  const ASN1_OBJECT* algorithm_oid = nullptr;
  X509_ALGOR_get0(&algorithm_oid, nullptr, nullptr, algorithm);
  Asn1Object protector(OBJ_txt2obj(jks::kKeyProtectorOid, 1));
  if (protector == nullptr || OBJ_cmp(algorithm_oid, protector.get()) != 0) {
    char oid[80] = "?";
    OBJ_obj2txt(oid, sizeof oid, algorithm_oid, 1);
    return source.refuse("the private key of " + name + " in " + source.what() +
                         " is protected with algorithm " + oid +
                         ", not JKS's; convert the keystore with `keytool -importkeystore "
                         "-deststoretype pkcs12` and use the PKCS#12 file");
  }
  ByteView encrypted(ASN1_STRING_get0_data(data),
                     static_cast<std::size_t>(ASN1_STRING_length(data)));
  if (encrypted.size() < 2 * jks::kDigestSize)
    return damaged(source, "the private key of " + name + " is too short");
  auto plaintext = TRY(jks::unprotect_key(java_password, encrypted));
  if (!plaintext) {
    return source.refuse("the private key of " + name + " in " + source.what() +
                         " has a password other than the keystore password, or is damaged; give "
                         "it the keystore password with `keytool -keypasswd -keystore " +
                         source.file().string() + "`, and check " +
                         std::string(source.password_key()));
  }
  const unsigned char* p8_cursor = plaintext->data();
  Pkcs8 p8(d2i_PKCS8_PRIV_KEY_INFO(nullptr, &p8_cursor, static_cast<long>(plaintext->size())));
  ossl::Pkey key(p8 != nullptr && p8_cursor == plaintext->data() + plaintext->size()
                     ? EVP_PKCS82PKEY(p8.get())
                     : nullptr);
  if (key == nullptr) {
    return damaged(
        source, "the private key of " + name + " cannot be decoded (" + ossl::last_error() + ")");
  }
  return key;
}

Result<void> add_certificates(const JksEntry& entry, const std::string& name,
                              const KeystoreSource& source, KeystoreContents& out) {
  for (std::size_t k = 0; k < entry.certificates.size(); ++k) {
    const JksCertificate& certificate = entry.certificates[k];
    std::string label = "certificate " + std::to_string(k + 1) + " of " + name;
    if (certificate.type && !std::ranges::equal(*certificate.type, std::string_view("X.509"))) {
      return source.refuse(label + " in " + source.what() +
                           " is not an X.509 certificate; keep only X.509 certificates in it");
    }
    out.certificates.push_back(parse_certificate(certificate.der));
    if (out.certificates.back() == nullptr) {
      return damaged(source, label + " cannot be decoded (" + ossl::last_error() + ")");
    }
  }
  return success();
}

}  // namespace

Result<KeystoreContents> read_jks(ByteView content, const SecretBytes& password,
                                  const KeystoreSource& source) {
  ERR_clear_error();
  JksLayout layout = TRY(read_layout(content, source));
  SecretBytes java_password = TRY(check_integrity(layout, password, source));

  KeystoreContents out;
  std::size_t key_entry = layout.entries.size();
  for (std::size_t i = 0; i < layout.entries.size() && key_entry == layout.entries.size(); ++i) {
    if (layout.entries[i].tag == kPrivateKeyTag) key_entry = i;
  }
  if (key_entry < layout.entries.size()) {
    const JksEntry& entry = layout.entries[key_entry];
    std::string name = entry_name(key_entry, entry);
    out.key = TRY(decrypt_key(entry, name, java_password, source));
    TRY(add_certificates(entry, name, source, out));
  }
  for (std::size_t i = 0; i < layout.entries.size(); ++i) {
    const JksEntry& entry = layout.entries[i];
    if (entry.tag == kTrustedCertificateTag)
      TRY(add_certificates(entry, entry_name(i, entry), source, out));
  }
  ERR_clear_error();
  return out;
}

}  // namespace ssoc::keystore
