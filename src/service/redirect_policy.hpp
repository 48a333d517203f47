// Where a vault client may ask to receive its token (DESIGN.md "Login protocol" step 1):
// a loopback HTTP listener of the client itself — http://127.0.0.1:PORT/..., http://[::1]:PORT/...
// or http://localhost:PORT/... (a port is required) — or a URI listed exactly in the shared
// setting redirect_allow. Nothing else: no other scheme, user info, fragment or other host.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ssoc::service {

inline constexpr std::size_t kMaxRedirectUri = 2048;

bool redirect_allowed(std::string_view uri, const std::vector<std::string>& allow_list);

}  // namespace ssoc::service
