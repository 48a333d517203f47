// The PKCS#11 information structs and handle lists on the wire: every field in struct order,
// CK_VERSION as two bytes, fixed-size character arrays as their raw bytes.
#pragma once

#include <vector>

#include "wire.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

void write_info(Writer& out, const CK_INFO& info);
[[nodiscard]] bool read_info(Reader& in, CK_INFO& info);

void write_slot_info(Writer& out, const CK_SLOT_INFO& info);
[[nodiscard]] bool read_slot_info(Reader& in, CK_SLOT_INFO& info);

void write_token_info(Writer& out, const CK_TOKEN_INFO& info);
[[nodiscard]] bool read_token_info(Reader& in, CK_TOKEN_INFO& info);

void write_session_info(Writer& out, const CK_SESSION_INFO& info);
[[nodiscard]] bool read_session_info(Reader& in, CK_SESSION_INFO& info);

void write_mechanism_info(Writer& out, const CK_MECHANISM_INFO& info);
[[nodiscard]] bool read_mechanism_info(Reader& in, CK_MECHANISM_INFO& info);

// ulong count | count x ulong (slot ids, mechanism types, object handles).
void write_list(Writer& out, const CK_ULONG* items, std::size_t count);
[[nodiscard]] bool read_list(Reader& in, std::vector<CK_ULONG>& items);

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
