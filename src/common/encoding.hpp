// Base64 (standard and URL-safe) and hex, for settings values, key ids and tokens.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/secret.hpp"

namespace ssoc {

std::string base64_encode(ByteView data);
// Standard alphabet with padding; rejects anything else (whitespace included).
std::optional<SecretBytes> base64_decode(std::string_view text);

// URL-safe alphabet, no padding (RFC 4648 §5).
std::string base64url_encode(ByteView data);
std::optional<SecretBytes> base64url_decode(std::string_view text);

std::string hex_encode(ByteView data);

// `text` for XML or HTML text and attribute values: & < > " ' as &amp; &lt; &gt; &quot; &#39;.
std::string markup_escape(std::string_view text);

// Percent-encodes every byte except the RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~),
// with upper-case hex digits: safe for a query value, a form value and a path segment.
std::string percent_encode(std::string_view text);
std::optional<Bytes> hex_decode(std::string_view text);

}  // namespace ssoc
