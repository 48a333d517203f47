// Seal/open round trips of a 4 KiB settings file with the instance key in SoftHSM2 and in NSS
// softokn, beside the same AES-256-GCM in software (OpenSSL), the floor of the work.
//   bench_sks_seal [--quick]
#include <openssl/evp.h>

#include <cstdio>

#include "bench_util.hpp"
#include "common/log.hpp"
#include "common/openssl.hpp"
#include "keystore/cert_chain.hpp"
#include "sks/folder_cipher.hpp"
#include "sks/hsm_connection.hpp"
#include "support/hsm_fixture.hpp"

using namespace ssoc;
using namespace ssoc::bench;

namespace {

constexpr std::size_t kSize = 4096;

double hsm_round_trips_per_second(test::FolderFixture::Hsm kind, double seconds) {
  test::FolderFixture fx(kind);
  sks::SksConfig config = fx.sks_config();
  auto chain = keystore::read_certificate_chain(fx.chain.p12, config.cert_chain_password);
  auto hsm = sks::HsmConnection::open(config, true);
  if (!chain || !hsm) return -1;
  auto ref = sks::next_free_key(hsm->session(), test::kInstanceId, *chain);
  if (!ref) return -1;
  auto key = sks::create_instance_key(hsm->module(), hsm->session(), *ref, *chain);
  if (!key) return -1;
  sks::FolderCipher cipher(hsm->session(), *key, *ref, sks::IvMode::Caller, test::kInstanceId);
  Bytes text(kSize, 'x');
  long count = 0;
  auto start = Clock::now();
  while (ms_since(start) < seconds * 1000) {
    auto sealed = cipher.seal(sks::kRoleShared, text);
    if (!sealed || !cipher.open(sks::kRoleShared, *sealed, "bench")) return -1;
    ++count;
  }
  return count / (ms_since(start) / 1000);
}

double software_round_trips_per_second(double seconds) {
  Bytes key(32, 7), iv(12, 9), text(kSize, 'x'), out(kSize + 16), back(kSize), tag(16);
  long count = 0;
  int n = 0;
  auto start = Clock::now();
  while (ms_since(start) < seconds * 1000) {
    ossl::CipherCtx enc(EVP_CIPHER_CTX_new());
    EVP_EncryptInit_ex(enc.get(), EVP_aes_256_gcm(), nullptr, key.data(), iv.data());
    EVP_EncryptUpdate(enc.get(), out.data(), &n, text.data(), static_cast<int>(text.size()));
    EVP_EncryptFinal_ex(enc.get(), out.data() + n, &n);
    EVP_CIPHER_CTX_ctrl(enc.get(), EVP_CTRL_GCM_GET_TAG, 16, tag.data());
    ossl::CipherCtx dec(EVP_CIPHER_CTX_new());
    EVP_DecryptInit_ex(dec.get(), EVP_aes_256_gcm(), nullptr, key.data(), iv.data());
    EVP_DecryptUpdate(dec.get(), back.data(), &n, out.data(), static_cast<int>(kSize));
    EVP_CIPHER_CTX_ctrl(dec.get(), EVP_CTRL_GCM_SET_TAG, 16, tag.data());
    if (EVP_DecryptFinal_ex(dec.get(), back.data() + n, &n) != 1) return -1;
    ++count;
  }
  return count / (ms_since(start) / 1000);
}

}  // namespace

int main(int argc, char** argv) {
  const double seconds = quick(argc, argv) ? 0.2 : 3.0;
  log::set_threshold(log::Level::Warn);
  double softhsm = hsm_round_trips_per_second(test::FolderFixture::Hsm::SoftHsm, seconds);
  double nss = hsm_round_trips_per_second(test::FolderFixture::Hsm::Nss, seconds);
  double software = software_round_trips_per_second(seconds);
  if (softhsm < 0 || nss < 0 || software < 0) {
    std::fprintf(stderr, "a round trip failed\n");
    return 1;
  }
  std::printf("Seal + open round trips of a 4 KiB settings file (%.1f s each):\n", seconds);
  std::printf("  %-44s %10.0f /s\n", "SoftHSM2 2.6 (CKM_AES_GCM in the module)", softhsm);
  std::printf("  %-44s %10.0f /s\n", "NSS softokn (CKM_AES_GCM in the module)", nss);
  std::printf("  %-44s %10.0f /s\n", "peer: OpenSSL AES-256-GCM in software", software);
  return 0;
}
