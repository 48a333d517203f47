// The two halves of the interactive wizard: the normal questions (settings of the two properties
// files) and the Secure Key Storage questions (DESIGN.md "Commands").
#pragma once

#include "common/result.hpp"
#include "config/folder_state.hpp"
#include "config/prompter.hpp"

namespace ssoc::config {

// Asks the normal questions in order, each checked at once, and records the answers in
// plan.instance / plan.shared (which start as the folder's current settings).
Result<void> ask_normal_questions(Prompter& prompter, const FolderState& state, Plan& plan);

// Asks the SKS questions in DESIGN.md's wording and order and sets plan.sks (and
// plan.sks_config for an enable). Tries the module, the login (at most three refused passwords)
// and the certificate chain before it returns.
Result<void> ask_sks_questions(Prompter& prompter, const FolderState& state, Plan& plan);

}  // namespace ssoc::config
