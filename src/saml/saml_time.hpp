// SAML time values (SAML core §1.3.3): xs:dateTime in UTC, e.g. "2026-12-01T18:40:38Z" or
// "2026-12-01T18:40:38.123Z". Fractions of a second are accepted and dropped (SAML entities
// must not rely on a finer resolution than seconds here). A value without a zone is taken as
// UTC; a zone offset other than "Z" is refused, as are out-of-range fields and any other text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssoc::saml {

// Seconds since the epoch, or nullopt when `text` is not a SAML time.
std::optional<std::int64_t> parse_saml_time(std::string_view text);

// "YYYY-MM-DDThh:mm:ssZ".
std::string format_saml_time(std::int64_t seconds);

}  // namespace ssoc::saml
