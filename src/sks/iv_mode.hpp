// How an HSM handles the IV of CKM_AES_GCM (DESIGN.md "Cipher").
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ssoc::sks {

enum class IvMode : std::uint8_t {
  Caller = 1,       // IV from C_GenerateRandom, passed in by us
  Hsm = 2,          // the module writes its IV back into pIv (AWS CloudHSM)
  HsmAppended = 3,  // the module makes a 16-byte IV and appends it to the ciphertext (Luna FIPS)
};

std::string_view iv_mode_name(IvMode mode);                  // "caller", "hsm", "hsm-appended"
std::optional<IvMode> parse_iv_mode(std::string_view text);  // not "auto"
std::optional<IvMode> iv_mode_from_byte(std::uint8_t value);

}  // namespace ssoc::sks
