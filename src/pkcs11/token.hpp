// Choosing the token a data folder's key lives on: by label, serial number or slot id.
#pragma once

#include <string>

#include "common/result.hpp"
#include "pkcs11/module.hpp"

namespace ssoc::pkcs11 {

struct TokenSelector {
  enum class By { Label, Serial, Slot };
  By by = By::Label;
  std::string value;  // label or serial; for Slot the decimal slot id

  std::string describe() const;  // "token labelled 'x'", "token with serial 'y'", "slot 3"
};

// The slot holding the selected token. HsmUnreachable when no present token matches (the
// message lists the tokens that are present, so a typo is easy to see), InvalidSetting when a
// slot id is not a number.
Result<CK_SLOT_ID> find_slot(const Module& module, const TokenSelector& selector);

}  // namespace ssoc::pkcs11
