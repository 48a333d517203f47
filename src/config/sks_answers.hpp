// The sks_* keys of an answers file (DESIGN.md "Properties files": sks.properties keys with the
// prefix sks_): which exist, and what they turn into.
#pragma once

#include <string_view>

#include "common/result.hpp"
#include "config/folder_state.hpp"
#include "datadir/properties.hpp"

namespace ssoc::config {

// True for sks_enabled, sks_type, sks_module, ... (the keys an answers file may set); an
// InvalidSetting naming the key for sks_instance_id, sks_key_label and sks_key_id (generated);
// false for anything else.
Result<bool> is_sks_answer_key(std::string_view key, std::string_view source);

// Sets plan.sks from the sks_* answers (already checked by is_sks_answer_key): an enable is
// tried first (module loaded, login, certificate chain read), a change of how the HSM is
// reached while SKS is on is refused. InvalidSetting naming the key for a bad value or check.
Result<void> plan_sks_answers(const FolderState& state, const datadir::Properties& answers,
                              Plan& plan);

}  // namespace ssoc::config
