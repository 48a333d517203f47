// Opening a data folder with SKS on SoftHSM2: HSM calls (counted by the test shim) and wall time,
// beside opening the same settings from plaintext files (the peer: everything but the HSM).
//   bench_sks_open [--quick]
#include <cstdio>

#include "bench_util.hpp"
#include "common/log.hpp"
#include "pkcs11/module.hpp"
#include "settings/folder_settings.hpp"
#include "support/hsm_fixture.hpp"

using namespace ssoc;
using namespace ssoc::bench;

namespace {

std::vector<double> time_opens(const std::filesystem::path& folder, int runs) {
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    auto opened = settings::open_folder(folder);
    samples.push_back(ms_since(start));
    if (!opened) {
      std::fprintf(stderr, "open failed: %s\n", opened.error().describe().c_str());
      std::exit(1);
    }
  }
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = quick(argc, argv) ? 5 : 200;
  log::set_threshold(log::Level::Warn);

  // One token at a time: SoftHSM2 takes its configuration from the process environment.
  test::FolderFixture sks;
  std::filesystem::path plain = sks.dir / "plain";
  std::filesystem::copy(sks.data, plain);
  if (!settings::enable_sks(sks.data, sks.sks_config())) return 1;

  // Module load and C_Initialize alone: SoftHSM2 reads its token folder here.
  std::vector<double> init;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    auto module = pkcs11::Module::load(sks.token.module_path);
    init.push_back(ms_since(start));
    if (!module) return 1;
  }
  std::printf("Wall time to open the data folder, %d runs each:\n", runs);
  print_row("SKS on, SoftHSM2 (the product)", summarize(time_opens(sks.data, runs)), "ms");
  print_row("peer: same settings from .properties", summarize(time_opens(plain, runs)), "ms");
  print_row("of which: SoftHSM2 load + C_Initialize", summarize(init), "ms");
  std::printf("  target: SKS open under 20 ms (median)\n");

  // The HSM calls of one open, through the counting shim.
  test::Shim shim;
  test::FolderFixture counted(test::FolderFixture::Hsm::ShimOverSoftHsm);
  if (!settings::enable_sks(counted.data, counted.sks_config())) return 1;
  shim.reset();
  if (!settings::open_folder(counted.data)) return 1;
  std::printf("\nHSM calls to open a data folder with SKS on (SoftHSM2 2.6 through the shim):\n ");
  unsigned long total = 0;
  for (const char* fn : {"C_Initialize", "C_GetSlotList", "C_GetTokenInfo", "C_OpenSession",
                         "C_Login", "C_FindObjectsInit", "C_FindObjects", "C_FindObjectsFinal",
                         "C_DecryptInit", "C_Decrypt", "C_CloseSession", "C_Finalize"}) {
    unsigned long n = shim.count(fn);
    total += n;
    std::printf(" %s %lu", fn + 2, n);
  }
  std::printf("\n  total %lu calls: one session, one key lookup, two decrypts\n", total);
  return 0;
}
