// A JKS writer for the tests, written from the format (jks_reader.cpp) rather than from the
// reader's code: it makes what keytool 17 cannot (version 1, several key entries, other
// protection algorithms, other certificate types), and re-seals files after a change so that
// corruptions reach the parsing behind the integrity check. keytool reads what it writes
// (JksWriter.KeytoolListsWhatItWrites), which checks the writer itself. ASCII passwords only.
#pragma once

#include <openssl/objects.h>
#include <openssl/x509.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/openssl.hpp"

namespace ssoc::keystore::test {

struct JksWriterEntry {
  std::uint32_t tag = 1;  // 1 private key, 2 trusted certificate
  std::string alias;
  Bytes pkcs8;               // tag 1: PrivateKeyInfo DER
  std::string key_password;  // tag 1: empty for the store password
  std::string protection_oid = "1.3.6.1.4.1.42.2.17.1.1";
  std::vector<Bytes> certificates;  // tag 1: the chain; tag 2: one certificate
  std::string certificate_type = "X.509";
};

class JksWriter {
 public:
  // Java's char encoding of an ASCII password: UTF-16BE.
  static Bytes java_chars(const std::string& ascii) {
    Bytes out;
    for (char c : ascii) {
      out.push_back(0);
      out.push_back(static_cast<std::uint8_t>(c));
    }
    return out;
  }

  // Replaces the last 20 bytes of `jks` by the integrity check of the bytes before them.
  static void reseal(Bytes& jks, const std::string& password) {
    if (jks.size() < 20) throw std::invalid_argument("too short to reseal");
    jks.resize(jks.size() - 20);
    Bytes input = java_chars(password);
    for (char c : std::string("Mighty Aphrodite")) input.push_back(static_cast<std::uint8_t>(c));
    input.insert(input.end(), jks.begin(), jks.end());
    Bytes digest = ossl::sha1(input);
    jks.insert(jks.end(), digest.begin(), digest.end());
  }

  static Bytes write(std::uint32_t version, const std::string& password,
                     const std::vector<JksWriterEntry>& entries) {
    Bytes out;
    u32(out, 0xFEEDFEED);
    u32(out, version);
    u32(out, static_cast<std::uint32_t>(entries.size()));
    for (const JksWriterEntry& entry : entries) {
      u32(out, entry.tag);
      utf(out, entry.alias);
      for (int i = 0; i < 8; ++i) out.push_back(i == 7 ? 1 : 0);  // the date: 1 ms after 1970
      if (entry.tag == 1) {
        std::string key_password = entry.key_password.empty() ? password : entry.key_password;
        Bytes key = protect(entry.pkcs8, key_password, entry.protection_oid);
        u32(out, static_cast<std::uint32_t>(key.size()));
        out.insert(out.end(), key.begin(), key.end());
        u32(out, static_cast<std::uint32_t>(entry.certificates.size()));
      }
      for (const Bytes& certificate : entry.certificates) {
        if (version == 2) utf(out, entry.certificate_type);
        u32(out, static_cast<std::uint32_t>(certificate.size()));
        out.insert(out.end(), certificate.begin(), certificate.end());
      }
    }
    out.resize(out.size() + 20);
    reseal(out, password);
    return out;
  }

  // KeyProtector: salt ‖ (key XOR SHA-1 chain) ‖ SHA-1(password ‖ key), in an
  // EncryptedPrivateKeyInfo.
  static Bytes protect(const Bytes& pkcs8, const std::string& password, const std::string& oid) {
    Bytes pass = java_chars(password);
    Bytes data(20, 0x5A);  // a fixed salt
    Bytes block(data);
    for (std::size_t i = 0; i < pkcs8.size(); ++i) {
      if (i % 20 == 0) {
        Bytes input = pass;
        input.insert(input.end(), block.begin(), block.end());
        block = ossl::sha1(input);
      }
      data.push_back(pkcs8[i] ^ block[i % 20]);
    }
    Bytes check_input = pass;
    check_input.insert(check_input.end(), pkcs8.begin(), pkcs8.end());
    Bytes check = ossl::sha1(check_input);
    data.insert(data.end(), check.begin(), check.end());

    std::unique_ptr<X509_SIG, ossl::Deleter<X509_SIG_free>> info(X509_SIG_new());
    X509_ALGOR* algorithm = nullptr;
    ASN1_OCTET_STRING* digest = nullptr;
    X509_SIG_getm(info.get(), &algorithm, &digest);
    if (X509_ALGOR_set0(algorithm, OBJ_txt2obj(oid.c_str(), 1), V_ASN1_NULL, nullptr) != 1 ||
        ASN1_OCTET_STRING_set(digest, data.data(), static_cast<int>(data.size())) != 1)
      throw std::runtime_error("cannot build an EncryptedPrivateKeyInfo");
    int size = i2d_X509_SIG(info.get(), nullptr);
    Bytes der(static_cast<std::size_t>(size));
    unsigned char* cursor = der.data();
    i2d_X509_SIG(info.get(), &cursor);
    return der;
  }

 private:
  static void u32(Bytes& out, std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8)
      out.push_back(static_cast<std::uint8_t>(value >> shift));
  }
  static void utf(Bytes& out, const std::string& text) {
    out.push_back(static_cast<std::uint8_t>(text.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(text.size()));
    out.insert(out.end(), text.begin(), text.end());
  }
};

}  // namespace ssoc::keystore::test
