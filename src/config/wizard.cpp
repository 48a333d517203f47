#include "config/wizard.hpp"

#include "config/folder_state.hpp"
#include "config/prompter.hpp"
#include "config/wizard_steps.hpp"

namespace ssoc::config {

Result<Outcome> run_wizard(const fs::path& folder, Console& console) {
  FolderState state = TRY(load_folder_state(folder));
  Prompter prompter(console);
  if (!state.configured)
    prompter.say("Configuring SSO Connect in the new data folder " + state.folder.string() + ".");
  Plan plan = TRY(start_plan(state));
  // Every answer is collected and checked first; nothing is written before the last one.
  TRY(ask_normal_questions(prompter, state, plan));
  TRY(ask_sks_questions(prompter, state, plan));
  TRY(finish_plan(plan));
  return commit_plan(state, std::move(plan));
}

}  // namespace ssoc::config
