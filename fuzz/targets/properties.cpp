// Properties files (instance.properties, shared.properties, sks.properties, answers files):
// Properties::parse, and for what it accepts, the promise that serialize() writes it back so
// that a parse gives the same entries (a change that rewrites a file must not alter the
// settings it did not touch).
#include "datadir/properties.hpp"
#include "fuzz_target.hpp"

using ssoc::datadir::Properties;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parsed = Properties::parse(ssoc::fuzz::input_bytes(data, size), "fuzz.properties");
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().message.empty());
    return 0;
  }
  for (const auto& [key, value] : parsed->entries()) {
    FUZZ_CHECK(parsed->get(key).has_value());
    FUZZ_CHECK(parsed->get(key)->size() == value.size());
  }
  ssoc::SecretBytes text = parsed->serialize("# written by the fuzz target");
  auto again = Properties::parse(text, "fuzz.properties");
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->entries() == parsed->entries());
  return 0;
}
