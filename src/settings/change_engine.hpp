// Crash-safe changes of the data folder's settings (enable SKS, disable SKS, rotate the key,
// update settings), all run by one engine:
//
//   1. write the journal, phase=prepare (names any key this change will create)
//   2. stage: create the HSM key if any, write each new settings file as "<name>.next"
//   3. rewrite the journal with phase=commit           <- the commit point (one atomic rename)
//   4. install: rename each "<name>.next" over "<name>"; write or remove sks.properties;
//      remove the settings files of the other kind (.properties when SKS is on, .encp when off)
//   5. destroy the retired HSM key if any, then remove the journal
//
// Every write is atomic and durable (datadir/file_io.hpp). Opening the folder first runs
// recover(): a journal in phase prepare is rolled back (staged files removed, the created key
// destroyed), one in phase commit is completed (steps 4-5 are idempotent). A key that cannot be
// destroyed because the HSM is unreachable stays recorded in the journal (op=cleanup) and is
// destroyed on a later open. So after a crash at any instant the folder opens as the complete
// old or the complete new state, and once SKS is committed no plaintext settings file is left.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "settings/journal.hpp"
#include "sks/hsm_connection.hpp"

namespace ssoc::settings {

namespace fs = std::filesystem;

struct StagedFile {
  std::string name;  // final name, e.g. "instance.encp"
  SecretBytes content;
};

using Stager = std::function<Result<std::vector<StagedFile>>()>;

// Runs one change as above; the caller holds the folder's change lock. `hsm` (may be null) is
// used to destroy keys; without it a connection is opened from journal.sks when one is needed.
// On a failure before the commit the change is rolled back and the error returned; the folder
// is left in its old state. Returns warnings (e.g. a retired key left for a later clean-up).
Result<std::vector<std::string>> run_change(const fs::path& folder, const Journal& journal,
                                            const Stager& stage, const sks::HsmConnection* hsm);

// Completes or rolls back an interrupted change, if the folder has a journal. The caller holds
// the change lock. Returns warnings.
Result<std::vector<std::string>> recover(const fs::path& folder);

}  // namespace ssoc::settings
