// The token the vault client receives from the browser (client/token.hpp): parse_token on any
// text. A token it accepts, written back the way the service writes one (LoginFlow's token page,
// json_string for every string), must parse again to the same fields: the client and the
// service must agree on what a token says.
#include "client/token.hpp"
#include "common/json.hpp"
#include "fuzz_target.hpp"

namespace {

// json_string turns bytes that are not UTF-8 into U+FFFD; only valid text survives unchanged.
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || text.size() - i < length) return false;
    std::uint32_t code = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    constexpr std::uint32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
      return false;
    i += length;
  }
  return true;
}

std::string written(const ssoc::client::Token& t) {
  using ssoc::json_string;
  return "{\"user\":" + json_string(t.user) + ",\"email\":" + json_string(t.email) +
         ",\"first_name\":" + json_string(t.first_name) +
         ",\"last_name\":" + json_string(t.last_name) + ",\"password\":" + json_string(t.password) +
         ",\"new_user\":" + (t.new_user ? "true" : "false") +
         ",\"session_id\":" + json_string(t.session_id) +
         ",\"issued_at\":" + std::to_string(t.issued_at) + ",\"state\":" + json_string(t.state) +
         "}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto token = ssoc::client::parse_token(ssoc::fuzz::input_text(data, size));
  if (!token) {
    FUZZ_CHECK(token.error().cause == ssoc::Cause::InvalidInput);
    return 0;
  }
  FUZZ_CHECK(size <= ssoc::client::kMaxTokenSize);
  FUZZ_CHECK(token->issued_at >= 0);
  std::string text = written(*token);
  if (text.size() > ssoc::client::kMaxTokenSize) return 0;
  auto again = ssoc::client::parse_token(text);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->new_user == token->new_user && again->issued_at == token->issued_at);
  const auto& a = *token;
  const auto& b = *again;
  for (auto [x, y] : {std::pair{&a.user, &b.user},
                      {&a.email, &b.email},
                      {&a.first_name, &b.first_name},
                      {&a.last_name, &b.last_name},
                      {&a.password, &b.password},
                      {&a.session_id, &b.session_id},
                      {&a.state, &b.state}}) {
    if (valid_utf8(*x)) FUZZ_CHECK(*x == *y);
  }
  return 0;
}
