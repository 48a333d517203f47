#include "datadir/properties.hpp"

#include <algorithm>
#include <unordered_map>

namespace ssoc::datadir {
namespace {

constexpr std::string_view kBlank = " \t\f";

bool is_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

bool is_valid_key(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), is_key_char);
}

std::string_view trim_left(std::string_view text) {
  std::size_t start = text.find_first_not_of(kBlank);
  return start == std::string_view::npos ? std::string_view{} : text.substr(start);
}

std::string_view trim(std::string_view text) {
  text = trim_left(text);
  std::size_t end = text.find_last_not_of(kBlank);
  return end == std::string_view::npos ? std::string_view{} : text.substr(0, end + 1);
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF, no
// sequence cut short.
bool is_valid_utf8(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = byte(i);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;   // overlong
      if (lead == 0xED) high = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;   // overlong
      if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
    } else {
      return false;  // a continuation byte, an overlong 2-byte lead (C0, C1), or F5..FF
    }
    if (text.size() - i < length) return false;
    if (byte(i + 1) < low || byte(i + 1) > high) return false;
    for (std::size_t k = 2; k < length; ++k) {
      if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return false;
    }
    i += length;
  }
  return true;
}

std::string name_or_default(const std::string& source) {
  return source.empty() ? "the settings" : source;
}

}  // namespace

Result<Properties> Properties::parse(ByteView bytes, std::string_view source) {
  Properties props;
  props.source_ = std::string(source);
  const std::string& name = props.source_;
  if (bytes.size() > kMaxSize) {
    return fail(Cause::InvalidSetting,
                name + " is " + std::to_string(bytes.size()) + " bytes long, more than the " +
                    std::to_string(kMaxSize) + " allowed; is it the right file?");
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto line_error = [&](std::size_t number, std::string_view problem) {
    return fail(Cause::InvalidSetting, "line " + std::to_string(number) + " of " + name + " " +
                                           std::string(problem) + ". Fix or remove that line.");
  };

  std::unordered_map<std::string_view, std::size_t> first_line;  // key -> line that set it
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    ++number;
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    if (line.find('\0') != std::string_view::npos) return line_error(number, "holds a NUL byte");
    // A CR elsewhere could only be kept in a value, which serialize() would then write as a
    // line ending to drop (found by fuzz/targets/properties.cpp); and a file with old Mac line
    // endings would silently become one line.
    if (line.find('\r') != std::string_view::npos)
      return line_error(number, "holds a carriage return that is not part of its line ending");
    if (!is_valid_utf8(line)) return line_error(number, "is not valid UTF-8 text");
    line = trim_left(line);
    if (line.empty() || line.front() == '#' || line.front() == '!') continue;

    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      return line_error(number, "has no '=': each setting is a key=value line");
    }
    const std::string_view key = trim(line.substr(0, equals));
    if (key.empty()) return line_error(number, "has no key before '='");
    // The text before '=' is not echoed: it may be a password pasted on the wrong line.
    if (!is_valid_key(key)) {
      return line_error(number,
                        "has an invalid key: keys use only letters, digits, '_', '.' and '-'");
    }
    if (auto [it, added] = first_line.emplace(key, number); !added) {
      return line_error(number, "sets " + std::string(key) + " again (it was set on line " +
                                    std::to_string(it->second) + ")");
    }
    const std::string_view value = trim_left(line.substr(equals + 1));
    props.entries_.emplace_back(std::string(key), secret_from(value));
  }
  return props;
}

SecretBytes Properties::serialize(std::string_view header) const {
  std::string_view comment_start = "# ";
  std::size_t total = header.empty() ? 0 : comment_start.size() + header.size() + 1;
  for (const auto& [key, value] : entries_) total += key.size() + value.size() + 2;

  SecretBytes out;
  out.reserve(total);
  auto append = [&](std::string_view text) { out.insert(out.end(), text.begin(), text.end()); };
  if (!header.empty()) {
    append(comment_start);
    for (char c : header) out.push_back(c == '\n' || c == '\r' ? ' ' : c);
    append("\n");
  }
  for (const auto& [key, value] : entries_) {
    append(key);
    append("=");
    out.insert(out.end(), value.begin(), value.end());
    append("\n");
  }
  return out;
}

std::optional<std::string_view> Properties::get(std::string_view key) const {
  for (const auto& [k, value] : entries_) {
    if (k == key) return as_text(value);
  }
  return std::nullopt;
}

Result<std::string_view> Properties::require(std::string_view key) const {
  std::optional<std::string_view> value = get(key);
  if (!value || value->empty()) {
    return fail(Cause::InvalidSetting, std::string(key) + " is missing from " +
                                           name_or_default(source_) +
                                           "; run `ssoconnect config` to set it.");
  }
  return *value;
}

Result<void> Properties::set(std::string_view key, std::string_view value) {
  if (!is_valid_key(key)) {
    return fail(Cause::InvalidSetting,
                "a setting key for " + name_or_default(source_) +
                    " is invalid: keys use only letters, digits, '_', '.' and '-'");
  }
  // What serialize() writes must parse back to the same value.
  if (value.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos) {
    return fail(Cause::InvalidSetting,
                "the value of " + std::string(key) + " holds a line break or a NUL byte, which " +
                    name_or_default(source_) + " cannot store; enter it on one line.");
  }
  if (!value.empty() && kBlank.find(value.front()) != std::string_view::npos) {
    return fail(Cause::InvalidSetting,
                "the value of " + std::string(key) + " starts with a space or tab, which " +
                    name_or_default(source_) + " cannot store; remove the leading space.");
  }
  if (!is_valid_utf8(value)) {
    return fail(Cause::InvalidSetting,
                "the value of " + std::string(key) + " is not valid UTF-8 text; enter it again.");
  }
  for (auto& [k, stored] : entries_) {
    if (k == key) {
      stored = secret_from(value);
      return success();
    }
  }
  entries_.emplace_back(std::string(key), secret_from(value));
  return success();
}

bool Properties::erase(std::string_view key) {
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const auto& entry) { return entry.first == key; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

}  // namespace ssoc::datadir
