#include "client/token.hpp"

#include <map>

namespace ssoc::client {
namespace {

// One JSON value of the kinds a token holds. (A struct, not std::variant: GCC 12 under ASan
// warns falsely about a variant holding a string.)
struct Value {
  enum class Kind { String, Boolean, Integer } kind = Kind::String;
  std::string text;
  bool flag = false;
  std::int64_t number = 0;
  static Value of(std::string s) { return {Kind::String, std::move(s), false, 0}; }
  static Value of(bool b) { return {Kind::Boolean, {}, b, 0}; }
  static Value of(std::int64_t n) { return {Kind::Integer, {}, false, n}; }
};

Error bad(std::string what) {
  return fail(Cause::InvalidInput, "the token " + what);
}

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool eat(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool at_end() {
    skip_space();
    return pos_ == text_.size();
  }

  Result<std::string> string() {
    skip_space();
    if (pos_ >= text_.size() || text_[pos_] != '"') return bad("has a value that is not a string");
    ++pos_;
    std::string out;
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return bad("has a control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': TRY(unicode_escape(out)); break;
        default: return bad("has a bad escape in a string");
      }
    }
    return bad("ends inside a string");
  }

  Result<Value> value() {
    skip_space();
    if (pos_ >= text_.size()) return bad("ends before a value");
    char c = text_[pos_];
    if (c == '"') return Value::of(TRY(string()));
    if (text_.substr(pos_, 4) == "true") {
      pos_ += 4;
      return Value::of(true);
    }
    if (text_.substr(pos_, 5) == "false") {
      pos_ += 5;
      return Value::of(false);
    }
    if (c >= '0' && c <= '9') {
      std::int64_t n = 0;
      std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (pos_ - start >= 18) return bad("has a number that is too large");
        n = n * 10 + (text_[pos_++] - '0');
      }
      if (pos_ - start > 1 && text_[start] == '0') return bad("has a number with a leading zero");
      return Value::of(n);
    }
    return bad("has a value that is not a string, boolean or integer");
  }

 private:
  Result<unsigned> hex4() {
    if (pos_ + 4 > text_.size()) return bad("ends inside a \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; ++i) {
      char h = text_[pos_++];
      v <<= 4;
      if (h >= '0' && h <= '9')
        v |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        v |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        v |= static_cast<unsigned>(h - 'A' + 10);
      else
        return bad("has a bad \\u escape");
    }
    return v;
  }
  Result<void> unicode_escape(std::string& out) {
    unsigned cp = TRY(hex4());
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      if (text_.substr(pos_, 2) != "\\u") return bad("has a lone surrogate");
      pos_ += 2;
      unsigned low = TRY(hex4());
      if (low < 0xDC00 || low > 0xDFFF) return bad("has a lone surrogate");
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
      return bad("has a lone surrogate");
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return success();
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

Result<const Value*> field(const std::map<std::string, Value>& fields, const char* key,
                           Value::Kind kind) {
  auto it = fields.find(key);
  if (it == fields.end()) return bad(std::string("has no \"") + key + "\"");
  if (it->second.kind != kind) return bad(std::string("has \"") + key + "\" of the wrong type");
  return &it->second;
}
Result<std::string> text(const std::map<std::string, Value>& fields, const char* key) {
  return TRY(field(fields, key, Value::Kind::String))->text;
}

}  // namespace

Result<Token> parse_token(std::string_view json) {
  if (json.size() > kMaxTokenSize) return bad("is larger than 64 KiB");
  Reader reader(json);
  if (!reader.eat('{')) return bad("is not a JSON object");
  std::map<std::string, Value> fields;
  if (!reader.eat('}')) {
    do {
      std::string key = TRY(reader.string());
      if (!reader.eat(':')) return bad("lacks a ':' after a key");
      Value value = TRY(reader.value());
      if (!fields.emplace(std::move(key), std::move(value)).second) return bad("repeats a key");
    } while (reader.eat(','));
    if (!reader.eat('}')) return bad("is not a well-formed JSON object");
  }
  if (!reader.at_end()) return bad("has text after the object");
  Token token;
  token.user = TRY(text(fields, "user"));
  token.email = TRY(text(fields, "email"));
  token.first_name = TRY(text(fields, "first_name"));
  token.last_name = TRY(text(fields, "last_name"));
  token.password = TRY(text(fields, "password"));
  token.new_user = TRY(field(fields, "new_user", Value::Kind::Boolean))->flag;
  token.session_id = TRY(text(fields, "session_id"));
  token.issued_at = TRY(field(fields, "issued_at", Value::Kind::Integer))->number;
  token.state = TRY(text(fields, "state"));
  return token;
}

}  // namespace ssoc::client
