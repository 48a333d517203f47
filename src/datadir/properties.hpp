// Properties files (DESIGN.md "Properties files"): UTF-8 "key=value" lines, '#' or '!' comments.
//
// Parsing rules: lines end with "\n" (a "\r" before it is dropped); leading whitespace is
// ignored; blank and comment lines are skipped; the key is the text before the first '=',
// trimmed, and must match [A-Za-z0-9_.-]+; the value is the text after it with leading
// whitespace removed (trailing whitespace is kept: passwords may end with a space). No escapes.
// Refused, each as InvalidSetting naming the source and line number (never the value): invalid
// UTF-8, a NUL byte, a carriage return other than the one before "\n", a line without '=', an
// empty or invalid key, a duplicate key, more than kMaxSize bytes. Values are secrets (they
// include keys and passwords), so they are held in SecretBytes and the serialized text is
// SecretBytes too.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::datadir {

class Properties {
 public:
  static constexpr std::size_t kMaxSize = 1u << 20;

  // `source` names the file in error messages, e.g. "instance.properties".
  static Result<Properties> parse(ByteView text, std::string_view source);

  // "key=value\n" per entry, in insertion order, after a one-line '#' header if given.
  SecretBytes serialize(std::string_view header = {}) const;

  std::optional<std::string_view> get(std::string_view key) const;
  // InvalidSetting "<key> is missing from <source>" when absent or empty.
  Result<std::string_view> require(std::string_view key) const;
  // Replaces the value of an existing key (keeping its place) or appends. InvalidSetting if the
  // key is invalid or the value holds a line break or NUL.
  Result<void> set(std::string_view key, std::string_view value);
  bool erase(std::string_view key);
  bool empty() const { return entries_.empty(); }

  const std::vector<std::pair<std::string, SecretBytes>>& entries() const { return entries_; }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<std::pair<std::string, SecretBytes>> entries_;
};

}  // namespace ssoc::datadir
