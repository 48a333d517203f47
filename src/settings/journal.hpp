// The journal of a folder change: a small properties file ("transition.journal", 0600) written
// before anything irreversible, so that a crash at any instant leaves a folder that the next
// open completes or rolls back by itself. Its own atomic rewrite from phase=prepare to
// phase=commit is the commit point of every change. It holds the HSM access settings (a copy of
// sks.properties, so it is as sensitive as that file) and the keys to destroy.
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "datadir/properties.hpp"
#include "sks/instance_key.hpp"
#include "sks/sks_config.hpp"

namespace ssoc::settings {

struct Journal {
  enum class Phase { Prepare, Commit };
  enum class Op { Enable, Disable, Rotate, Update, Cleanup };

  Op op = Op::Update;
  Phase phase = Phase::Prepare;
  // SKS on after the change: the .encp files are staged and sks.properties becomes `sks`.
  // Off: the .properties files are staged and sks.properties is removed.
  bool sks_after = false;
  // How to reach the HSM (the sks.properties after the change, or before it when SKS goes off);
  // absent when the change involves no HSM.
  std::optional<sks::SksConfig> sks;
  std::optional<sks::KeyRef> created_key;  // destroyed if the change rolls back
  std::optional<sks::KeyRef> retired_key;  // destroyed once the change has committed

  datadir::Properties to_properties() const;
  static Result<Journal> from_properties(const datadir::Properties& properties);
};

std::string_view op_name(Journal::Op op);

}  // namespace ssoc::settings
