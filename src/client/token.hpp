// The token a vault client receives (DESIGN.md "Login protocol" step 5): a flat JSON object
//   {"user","email","first_name","last_name","password","new_user","session_id","issued_at",
//    "state"}
// read strictly: an object of unique keys whose values are strings, true/false or a
// non-negative integer; every DESIGN.md key present with its type; at most 64 KiB. Unknown keys
// are allowed (a later server may add some) but may not repeat a known one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace ssoc::client {

inline constexpr std::size_t kMaxTokenSize = 64 * 1024;

struct Token {
  std::string user, email, first_name, last_name;
  std::string password;  // sealed (base64url), not the master password itself
  bool new_user = false;
  std::string session_id;
  std::int64_t issued_at = 0;
  std::string state;
};

// InvalidInput saying what is wrong.
Result<Token> parse_token(std::string_view json);

}  // namespace ssoc::client
