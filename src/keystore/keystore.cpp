#include "keystore/keystore.hpp"

#include <openssl/asn1.h>

#include <optional>
#include <string>

#include "keystore/der.hpp"
#include "keystore/keystore_contents.hpp"

namespace ssoc::keystore {
namespace {

std::optional<std::time_t> seconds_since_epoch(const ASN1_TIME* time) {
  std::tm fields{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &fields) != 1) return std::nullopt;
  return ::timegm(&fields);
}

// "2025-01-31 23:59:59 UTC"
std::string utc_text(std::time_t time) {
  std::tm fields{};
  char text[40] = "?";
  if (::gmtime_r(&time, &fields) != nullptr)
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &fields);
  return text;
}

struct Validity {
  std::time_t not_before;
  std::time_t not_after;
};

Result<Validity> check_validity(const CertificateChain& chain, std::time_t now,
                                const KeystoreSource& source) {
  ossl::X509Ptr leaf = parse_certificate(chain.leaf());
  std::optional<std::time_t> not_before, not_after;
  if (leaf != nullptr) {
    not_before = seconds_since_epoch(X509_get0_notBefore(leaf.get()));
    not_after = seconds_since_epoch(X509_get0_notAfter(leaf.get()));
  }
  std::string certificate =
      "the certificate " + chain.fields(0).subject_text + " of " + source.what();
  if (!not_before || !not_after) {
    return source.refuse(certificate +
                         " has validity dates that cannot be read; issue the certificate again");
  }
  if (now < *not_before) {
    return source.refuse(certificate + " is not valid before " + utc_text(*not_before) +
                         " (it is now " + utc_text(now) +
                         "); check this computer's clock, or wait until then");
  }
  if (now > *not_after) {
    return source.refuse(certificate + " expired on " + utc_text(*not_after) + " (it is now " +
                         utc_text(now) +
                         "); renew it and put the new certificate in the keystore with its key");
  }
  return Validity{*not_before, *not_after};
}

}  // namespace

Result<Keystore> read_keystore(const fs::path& file, const SecretBytes& password, std::time_t now) {
  KeystoreSource source(file, kKeystoreSetting);
  KeystoreContents contents = TRY(read_keystore_contents(source, password));
  if (contents.key == nullptr) {
    return source.refuse(source.what() +
                         " holds no private key: export the key with its certificate (e.g. "
                         "`openssl pkcs12 -export -inkey KEY -in CERT -certfile CHAIN`) into it");
  }
  // The leaf is the certificate of the key: a key that matches no certificate is refused here.
  std::vector<Bytes> der = TRY(order_chain(contents, source));
  auto chain = CertificateChain::from_der(std::move(der));
  if (!chain.ok()) {
    return source.refuse("a certificate of " + source.what() +
                         " cannot be used: " + chain.error().message);
  }
  Validity validity = TRY(check_validity(*chain, now, source));
  return Keystore(std::move(chain).value(), std::move(contents.key), validity.not_before,
                  validity.not_after);
}

}  // namespace ssoc::keystore
