// Backup archives (`ssoconnect restore FILE`, backup/archive_format.hpp): decode on any bytes.
// An archive it accepts must encode back to exactly the same bytes (one encoding per archive).
// Mutations almost never keep the final SHA-256 right, so each input also runs with its last 32
// bytes replaced by the right digest, which lets the fuzzer past the seal to the entries.
#include <algorithm>

#include "backup/archive_format.hpp"
#include "common/openssl.hpp"
#include "fuzz_target.hpp"

namespace {

void run(ssoc::ByteView data) {
  auto archive = ssoc::backup::decode(data, "fuzz.ssocbackup");
  if (!archive) {
    FUZZ_CHECK(archive.error().cause == ssoc::Cause::IntegrityFailure);
    return;
  }
  for (const auto& entry : archive->entries) {
    FUZZ_CHECK(ssoc::backup::refused_name_reason(entry.name).empty());
    FUZZ_CHECK(!ssoc::backup::is_reserved_name(entry.name));
  }
  auto encoded = ssoc::backup::encode(*archive);
  FUZZ_CHECK(encoded.ok());
  FUZZ_CHECK(std::equal(encoded->begin(), encoded->end(), data.begin(), data.end()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using ssoc::backup::kDigestSize;
  ssoc::ByteView input = ssoc::fuzz::input_bytes(data, size);
  run(input);
  if (size < kDigestSize) return 0;
  ssoc::Bytes sealed = ssoc::ossl::sha256(input.first(size - kDigestSize));
  ssoc::Bytes fixed(data, data + size - kDigestSize);
  fixed.insert(fixed.end(), sealed.begin(), sealed.end());
  run(fixed);
  return 0;
}
