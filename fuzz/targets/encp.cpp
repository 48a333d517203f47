// The .encp container (sks/encp_file.hpp): EncpFile::parse on any bytes. What it accepts must
// serialize back to exactly the same bytes (the format has one encoding per file), and its
// associated data must be computable for both roles.
#include <algorithm>

#include "fuzz_target.hpp"
#include "sks/encp_file.hpp"

using ssoc::sks::EncpFile;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ssoc::ByteView input = ssoc::fuzz::input_bytes(data, size);
  auto parsed = EncpFile::parse(input, "instance.encp");
  if (!parsed) {
    FUZZ_CHECK(parsed.error().cause == ssoc::Cause::IntegrityFailure);
    return 0;
  }
  FUZZ_CHECK(parsed->ciphertext.size() >= ssoc::sks::kGcmTagSize);
  auto written = parsed->serialize();
  FUZZ_CHECK(written.ok());
  FUZZ_CHECK(std::equal(written->begin(), written->end(), input.begin(), input.end()));
  ssoc::Bytes header = parsed->header.serialize();
  for (std::string_view role : {"instance", "shared"}) {
    ssoc::Bytes ad = parsed->header.associated_data(role, "123456789012");
    FUZZ_CHECK(ad.size() == header.size() + 1 + role.size() + 1 + 12);
    FUZZ_CHECK(std::equal(header.begin(), header.end(), ad.begin()));
  }
  return 0;
}
