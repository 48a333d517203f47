#include "pkcs11/token.hpp"

#include <charconv>

namespace ssoc::pkcs11 {

std::string TokenSelector::describe() const {
  switch (by) {
    case By::Label: return "token labelled '" + value + "'";
    case By::Serial: return "token with serial number '" + value + "'";
    case By::Slot: return "slot " + value;
  }
  return value;
}

Result<CK_SLOT_ID> find_slot(const Module& module, const TokenSelector& selector) {
  if (selector.by == TokenSelector::By::Slot) {
    CK_SLOT_ID slot = 0;
    auto [end, ec] =
        std::from_chars(selector.value.data(), selector.value.data() + selector.value.size(), slot);
    if (ec != std::errc{} || end != selector.value.data() + selector.value.size())
      return fail(Cause::InvalidSetting, "slot '" + selector.value +
                                             "' is not a slot number; use the number lunacm or "
                                             "pkcs11-tool --list-slots shows");
    CK_TOKEN_INFO info = TRY(module.token_info(slot));
    (void)info;
    return slot;
  }
  std::vector<CK_SLOT_ID> slots = TRY(module.slots(true));
  std::string seen;
  for (CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info = TRY(module.token_info(slot));
    std::string label = trim_field(info.label, sizeof info.label);
    std::string serial = trim_field(info.serialNumber, sizeof info.serialNumber);
    const std::string& field = selector.by == TokenSelector::By::Label ? label : serial;
    if (field == selector.value) return slot;
    if (!seen.empty()) seen += ", ";
    seen += "'" + label + "' (serial " + serial + ")";
  }
  return fail(Cause::HsmUnreachable,
              "no " + selector.describe() + " is present in " + module.path() +
                  (seen.empty() ? " (no token is present: is the HSM connected?)"
                                : " (present: " + seen + ")"));
}

}  // namespace ssoc::pkcs11
