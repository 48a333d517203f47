#include "sks/hsm_deadline.hpp"

#include <atomic>

namespace ssoc::sks {
namespace {

std::atomic<int> g_abandoned{0};

}  // namespace

bool hsm_attempt_abandoned() {
  return g_abandoned.load() > 0;
}

namespace detail {

void count_abandoned(int delta) noexcept {
  g_abandoned.fetch_add(delta);
}

Error deadline_passed(std::chrono::milliseconds limit, const std::string& what) {
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(limit).count();
  return fail(Cause::HsmUnreachable,
              what + " did not finish within " + std::to_string(seconds) +
                  " s: the HSM or its network does not answer (hsm_timeout in sks.properties "
                  "sets this limit)");
}

Error earlier_attempt_stuck(const std::string& what) {
  return fail(Cause::HsmUnreachable,
              what +
                  " was not attempted: an earlier attempt that passed its deadline is still "
                  "waiting inside the PKCS#11 module for the HSM to answer; this process "
                  "makes no new one until it returns");
}

Error work_threw(const std::string& what, const char* why) {
  return fail(Cause::Internal, what + " failed: " + why);
}

}  // namespace detail
}  // namespace ssoc::sks
