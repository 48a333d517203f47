#include "sks/iv_mode.hpp"

namespace ssoc::sks {

std::string_view iv_mode_name(IvMode mode) {
  switch (mode) {
    case IvMode::Caller: return "caller";
    case IvMode::Hsm: return "hsm";
    case IvMode::HsmAppended: return "hsm-appended";
  }
  return "caller";
}

std::optional<IvMode> parse_iv_mode(std::string_view text) {
  for (IvMode mode : {IvMode::Caller, IvMode::Hsm, IvMode::HsmAppended})
    if (text == iv_mode_name(mode)) return mode;
  return std::nullopt;
}

std::optional<IvMode> iv_mode_from_byte(std::uint8_t value) {
  if (value >= 1 && value <= 3) return static_cast<IvMode>(value);
  return std::nullopt;
}

}  // namespace ssoc::sks
