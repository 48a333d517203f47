#include "cli/demo_identity.hpp"

#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "datadir/file_io.hpp"

namespace ssoc::cli {
namespace {

Error openssl_failed(const char* what) {
  return fail(Cause::Internal,
              std::string("OpenSSL could not ") + what + ": " + ossl::last_error());
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

bool add_extension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

}  // namespace

Result<DemoIdentity> make_demo_identity(const std::string& common_name, int days) {
  DemoIdentity id;
  id.key.reset(EVP_RSA_gen(2048));
  if (!id.key) return openssl_failed("make an RSA key");
  id.certificate.reset(X509_new());
  X509* cert = id.certificate.get();
  auto serial = TRY(ossl::random_bytes(16));
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial.data(), static_cast<int>(serial.size()), nullptr);
  bool ok = cert != nullptr && bn != nullptr && X509_set_version(cert, 2) == 1 &&
            BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr &&
            X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(cert), 86400L * days) != nullptr &&
            X509_set_pubkey(cert, id.key.get()) == 1;
  BN_free(bn);
  X509_NAME* name = X509_get_subject_name(cert);
  ok = ok &&
       X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                  -1, 0) == 1 &&
       X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                  reinterpret_cast<const unsigned char*>("SSO Connect demo"), -1,
                                  -1, 0) == 1 &&
       X509_set_issuer_name(cert, name) == 1 &&
       add_extension(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1") &&
       add_extension(cert, NID_basic_constraints, "critical,CA:FALSE") &&
       add_extension(cert, NID_key_usage, "critical,digitalSignature,keyEncipherment") &&
       add_extension(cert, NID_ext_key_usage, "serverAuth") &&
       X509_sign(cert, id.key.get(), EVP_sha256()) > 0;
  if (!ok) return openssl_failed("make a certificate");
  return id;
}

Result<void> write_demo_pkcs12(const fs::path& file, const DemoIdentity& id,
                               const SecretBytes& password) {
  std::string pass(as_text(password));
  ossl::Pkcs12 p12(PKCS12_create_ex(pass.c_str(), "sso connect", id.key.get(), id.certificate.get(),
                                    nullptr, NID_aes_256_cbc, NID_aes_256_cbc, 0, 0, 0, nullptr,
                                    nullptr));
  wipe(pass.data(), pass.size());
  if (!p12) return openssl_failed("make a PKCS#12 keystore");
  ossl::Bio bio(BIO_new(BIO_s_secmem()));
  if (!bio || i2d_PKCS12_bio(bio.get(), p12.get()) != 1) return openssl_failed("write PKCS#12");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return datadir::write_file_atomic(
      file, ByteView(reinterpret_cast<const std::uint8_t*>(data), static_cast<std::size_t>(size)));
}

std::string certificate_pem(const DemoIdentity& id) {
  ossl::Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), id.certificate.get()) != 1) return {};
  return bio_text(bio.get());
}

Result<void> write_demo_pem(const fs::path& key_file, const fs::path& cert_file,
                            const DemoIdentity& id) {
  ossl::Bio key_bio(BIO_new(BIO_s_secmem()));
  if (!key_bio || PEM_write_bio_PrivateKey(key_bio.get(), id.key.get(), nullptr, nullptr, 0,
                                           nullptr, nullptr) != 1)
    return openssl_failed("write a PEM key");
  char* data = nullptr;
  long size = BIO_get_mem_data(key_bio.get(), &data);
  TRY(datadir::write_file_atomic(key_file, ByteView(reinterpret_cast<const std::uint8_t*>(data),
                                                    static_cast<std::size_t>(size))));
  std::string cert = certificate_pem(id);
  if (cert.empty()) return openssl_failed("write a PEM certificate");
  return datadir::write_file_atomic(cert_file, as_bytes(cert));
}

}  // namespace ssoc::cli
