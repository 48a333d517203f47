// PEM (RFC 7468) reading: certificate blocks and one private key, in any order, with any text
// between them (such as the "Bag Attributes" lines `openssl pkcs12` writes).
#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>
#include <cstring>
#include <string>
#include <string_view>

#include "keystore/der.hpp"
#include "keystore/keystore_contents.hpp"

namespace ssoc::keystore {
namespace {

// One block as PEM_read_bio_ex returns it (PEM_FLAG_SECURE: from the secure heap when there is
// one); the data, possibly a private key, is wiped when freed.
struct PemBlock {
  PemBlock() = default;
  PemBlock(const PemBlock&) = delete;
  PemBlock& operator=(const PemBlock&) = delete;
  ~PemBlock() {
    OPENSSL_secure_free(name);
    OPENSSL_secure_free(header);
    OPENSSL_secure_clear_free(data, static_cast<std::size_t>(length));
  }
  ByteView bytes() const { return {data, static_cast<std::size_t>(length)}; }

  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long length = 0;
};

struct PasswordRequest {
  const SecretBytes* password;
  bool asked = false;
};

// pem_password_cb: hands the configured password to OpenSSL when a key turns out encrypted.
int give_password(char* buffer, int size, int /*rwflag*/, void* user) {
  auto* request = static_cast<PasswordRequest*>(user);
  request->asked = true;
  const SecretBytes& password = *request->password;
  if (size < 0 || password.size() > static_cast<std::size_t>(size)) return -1;
  if (!password.empty()) std::memcpy(buffer, password.data(), password.size());
  return static_cast<int>(password.size());
}

std::string block_label(int index, const PemBlock& block) {
  return "PEM block " + std::to_string(index) + " (" + block.name + ")";
}

// Decodes a private key block (PKCS#8, encrypted PKCS#8 or a traditional format) by writing it
// back as PEM and letting OpenSSL's decoders read it, with the password if it is encrypted.
Result<ossl::Pkey> read_key(const PemBlock& block, int index, const SecretBytes& password,
                            const KeystoreSource& source) {
  ossl::Bio pem(BIO_new(BIO_s_secmem()));
  if (pem == nullptr ||
      PEM_write_bio(pem.get(), block.name, block.header, block.data, block.length) <= 0) {
    return fail(Cause::Internal, "cannot copy the private key of " + source.what() + " (" +
                                     ossl::last_error() + ")");
  }
  PasswordRequest request{&password};
  ossl::Pkey key(
      PEM_read_bio_PrivateKey_ex(pem.get(), nullptr, give_password, &request, nullptr, nullptr));
  if (key != nullptr) return key;
  std::string detail = ossl::last_error();
  if (request.asked && password.empty()) {
    return source.refuse("the private key in " + source.what() +
                         " is encrypted and no password was given; set " +
                         std::string(source.password_key()));
  }
  if (request.asked) {
    return source.refuse("wrong password for " + source.what() +
                         ": its private key cannot be decrypted (" + detail + "); check " +
                         std::string(source.password_key()));
  }
  return source.refuse(block_label(index, block) + " of " + source.what() +
                       " is not a private key this build can read (" + detail +
                       "); export the key again as PKCS#8, or leave it out of the file");
}

}  // namespace

Result<KeystoreContents> read_pem(ByteView content, const SecretBytes& password,
                                  const KeystoreSource& source) {
  if (content.size() > static_cast<std::size_t>(INT_MAX))
    return source.refuse(source.what() + " is too large for a keystore");
  ERR_clear_error();
  ossl::Bio bio(BIO_new_mem_buf(content.data(), static_cast<int>(content.size())));
  if (bio == nullptr) return fail(Cause::Internal, "out of memory (" + ossl::last_error() + ")");

  KeystoreContents out;
  int index = 0;
  for (;;) {
    PemBlock block;
    if (PEM_read_bio_ex(bio.get(), &block.name, &block.header, &block.data, &block.length,
                        PEM_FLAG_SECURE | PEM_FLAG_EAY_COMPATIBLE) != 1) {
      unsigned long code = ERR_peek_last_error();
      if (ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE) break;
      return source.refuse("PEM block " + std::to_string(index + 1) + " of " + source.what() +
                           " is damaged (" + ossl::last_error() +
                           "); export the certificate chain again");
    }
    ++index;
    std::string_view name(block.name);
    if (name == PEM_STRING_X509 || name == PEM_STRING_X509_OLD) {
      out.certificates.push_back(parse_certificate(block.bytes()));
      if (out.certificates.back() == nullptr) {
        return source.refuse(block_label(index, block) + " of " + source.what() +
                             " is not a valid certificate (" + ossl::last_error() +
                             "); export the certificate chain again");
      }
    } else if (name.ends_with("PRIVATE KEY") && out.key == nullptr) {
      out.key = TRY(read_key(block, index, password, source));
    }
    // Other blocks (trusted certificates, CRLs, parameters, further keys) are not needed.
  }
  ERR_clear_error();  // the end of the file is reported as "no start line"
  if (index == 0) {
    return source.refuse(
        source.what() +
        " holds no PEM block (no \"-----BEGIN\" line); if it is a DER certificate, "
        "convert it with `openssl x509 -inform DER -in FILE -out FILE.pem`");
  }
  return out;
}

}  // namespace ssoc::keystore
