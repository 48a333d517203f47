// The one ERROR line of a Secure Key Storage failure (DESIGN.md "Failure diagnosis"):
//   Unable to use Secure Key Storage: <cause>: <what happened>. <what to do>
#pragma once

#include <string>
#include <string_view>

#include "common/error.hpp"

namespace ssoc::sks {

// What an administrator should do about a cause, as one sentence.
std::string_view advice(Cause cause);

std::string failure_line(const Error& error);

}  // namespace ssoc::sks
