#include "datadir/step_hook.hpp"

#include <atomic>

namespace ssoc::datadir {
namespace {
std::atomic<StepHook> g_hook{nullptr};
}

void set_step_hook(StepHook hook) {
  g_hook.store(hook);
}

void step(std::string_view name) {
  if (StepHook hook = g_hook.load()) hook(name);
}

}  // namespace ssoc::datadir
