// Keystores made by the JDK's keytool, and openssl's view of them, for the keystore tests.
// Callers wrap these in ASSERT_NO_FATAL_FAILURE: a failed command fails the test.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "common/encoding.hpp"
#include "keystore_fixture.hpp"

namespace ssoc::keystore::test {

// Runs keytool in `dir`; its output is kept only when it fails.
inline void keytool(const fs::path& dir, const std::string& arguments) {
  shell(dir, "keytool -noprompt " + arguments);
}

// The store options of keytool for `store` in `dir`, protected by `password`.
inline std::string store_options(const std::string& store, const std::string& type,
                                 const std::string& password) {
  return "-storetype " + type + " -keystore '" + store + "' -storepass '" + password + "'";
}

// keytool -genkeypair: an RSA key with a self-signed certificate for CN=`name` (30 days), the
// key password equal to the store password unless `key_password` is given.
inline void keytool_key_pair(const fs::path& dir, const std::string& store, const std::string& type,
                             const std::string& password, const std::string& alias = "sso",
                             const std::string& name = "sso.test", const std::string& extra = "",
                             std::string key_password = "") {
  if (key_password.empty()) key_password = password;
  keytool(dir, "-genkeypair -keyalg RSA -keysize 2048 -alias " + alias + " -dname 'CN=" + name +
                   "' -validity 30 " + store_options(store, type, password) + " -keypass '" +
                   key_password + "' " + extra);
}

// A JKS `store` whose key entry "sso" (CN=sso.test) is signed by a CA made with keytool
// (CN=Keytool Test CA, in ca.jks, certificate in ca.crt); the CA is also a trusted entry "ca".
inline void keytool_ca_signed_jks(const fs::path& dir, const std::string& store,
                                  const std::string& password) {
  std::string ca = store_options("ca.jks", "JKS", password);
  std::string leaf = store_options(store, "JKS", password);
  keytool_key_pair(dir, "ca.jks", "JKS", password, "ca", "Keytool Test CA", "-ext bc:c");
  keytool_key_pair(dir, store, "JKS", password);
  keytool(dir, "-certreq -alias sso " + leaf + " -file sso.csr");
  keytool(dir, "-gencert -alias ca " + ca + " -infile sso.csr -outfile sso.crt -validity 30 -rfc");
  keytool(dir, "-exportcert -alias ca " + ca + " -rfc -file ca.crt");
  keytool(dir, "-importcert -alias ca " + leaf + " -file ca.crt");
  keytool(dir, "-importcert -alias sso " + leaf + " -file sso.crt");
}

// SHA-1 of the SubjectPublicKeyInfo of `alias`'s certificate, computed by openssl from the
// certificate keytool exports.
inline Bytes keytool_spki_sha1(const fs::path& dir, const std::string& store,
                               const std::string& type, const std::string& password,
                               const std::string& alias = "sso") {
  keytool(dir, "-exportcert -alias " + alias + " " + store_options(store, type, password) +
                   " -rfc -file exported.crt");
  std::string out;
  int status = ssoc::test::run_command(
      "cd '" + dir.string() +
          "' && openssl x509 -in exported.crt -noout -pubkey | openssl pkey -pubin -outform DER "
          "| openssl dgst -sha1 -r | cut -d' ' -f1",
      &out);
  EXPECT_EQ(status, 0) << out;
  auto bytes = hex_decode(out.substr(0, 40));
  EXPECT_TRUE(bytes.has_value()) << out;
  return bytes.value_or(Bytes{});
}

}  // namespace ssoc::keystore::test
