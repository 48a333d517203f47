// A hook called at each durable step of a folder change (after an fsync, a rename, an unlink).
// The crash-safety tests install one that kills the process at the N-th step; the product never
// sets it, and an unset hook costs one pointer test.
#pragma once

#include <string_view>

namespace ssoc::datadir {

using StepHook = void (*)(std::string_view step);

void set_step_hook(StepHook hook);
// Marks a point at which everything before it is on disk.
void step(std::string_view name);

}  // namespace ssoc::datadir
