#include "store_fixture.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace ssoc::test {

std::string numbered(std::string_view prefix, long n, std::string_view suffix) {
  std::string text(prefix);
  text += std::to_string(n);
  text += suffix;
  return text;
}

store::User sample_user(const std::string& id, std::uint8_t seed) {
  store::User user;
  user.id = id;
  user.email = id;
  user.first_name = "Ada";
  user.last_name = "Lovelace";
  // Like the vault's output: 12-byte nonce, 43-byte ciphertext, 16-byte tag; zeros included.
  for (int i = 0; i < 71; ++i)
    user.encrypted_password.push_back(static_cast<std::uint8_t>(i * seed));
  user.key_id = "mk-0123456789abcdef";
  user.created = 1700000000;
  user.last_login = 1700000000;
  return user;
}

store::LoginTransaction sample_transaction(const std::string& id, std::int64_t created,
                                           std::int64_t expires) {
  store::LoginTransaction t;
  t.id = id;
  t.request_id = "_req-" + id;
  t.client_key = Bytes(44, 0x30);
  t.client_key[5] = 0;
  t.redirect_uri = "http://127.0.0.1:51234/callback";
  t.state = "opaque-state";
  t.created = created;
  t.expires = expires;
  return t;
}

namespace {

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};

std::unique_ptr<sqlite3, Closer> open_raw(const fs::path& file) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<sqlite3, Closer> db(raw);
  if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + file.string());
  sqlite3_busy_timeout(db.get(), 5000);
  return db;
}

}  // namespace

void run_sql(const fs::path& file, const std::string& script) {
  auto db = open_raw(file);
  char* message = nullptr;
  if (sqlite3_exec(db.get(), script.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message != nullptr ? message : "?";
    sqlite3_free(message);
    throw std::runtime_error("SQL failed: " + text);
  }
}

std::string query_text(const fs::path& file, const std::string& query) {
  auto db = open_raw(file);
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db.get(), query.c_str(), -1, &statement, nullptr) != SQLITE_OK)
    throw std::runtime_error("cannot prepare " + query);
  std::string value;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    const auto* text = sqlite3_column_text(statement, 0);
    if (text != nullptr) value = reinterpret_cast<const char*>(text);
  }
  sqlite3_finalize(statement);
  return value;
}

std::unique_ptr<store::Store> StoreTest::open_store() {
  auto opened = store::Store::open(db_path());
  EXPECT_TRUE(opened) << (opened ? "" : opened.error().describe());
  if (!opened) return nullptr;
  return std::move(opened).value();
}

}  // namespace ssoc::test
