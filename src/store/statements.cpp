#include "store/statements.hpp"

#include <array>
#include <string_view>
#include <utility>

namespace ssoc::store {
namespace {

#define SSOC_USER_COLUMNS \
  "id, email, first_name, last_name, encrypted_password, key_id, created, last_login, disabled"

constexpr std::array<std::pair<Sql, std::string_view>, static_cast<std::size_t>(Sql::Count)> kSql{{
    {Sql::BeginImmediate, "BEGIN IMMEDIATE"},
    {Sql::Commit, "COMMIT"},
    {Sql::FindUser, "SELECT " SSOC_USER_COLUMNS " FROM users WHERE id = ?1"},
    {Sql::InsertUser,
     "INSERT INTO users (" SSOC_USER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
     "ON CONFLICT (id) DO NOTHING"},
    {Sql::RecordLogin,
     "UPDATE users SET email = ?2, first_name = ?3, last_name = ?4, last_login = ?5 "
     "WHERE id = ?1"},
    {Sql::RecordEnabledLogin,
     "UPDATE users SET email = ?2, first_name = ?3, last_name = ?4, last_login = ?5 "
     "WHERE id = ?1 AND disabled = 0"},
    {Sql::ListUsers, "SELECT " SSOC_USER_COLUMNS " FROM users WHERE id > ?1 ORDER BY id LIMIT ?2"},
    {Sql::DeleteUser, "DELETE FROM users WHERE id = ?1"},
    {Sql::SetDisabled, "UPDATE users SET disabled = ?2 WHERE id = ?1"},
    {Sql::AddTransaction,
     "INSERT INTO login_transactions (id, request_id, client_key, redirect_uri, state, "
     "created, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"},
    {Sql::FindTransaction,
     "SELECT request_id, client_key, redirect_uri, state, created, expires "
     "FROM login_transactions WHERE id = ?1"},
    {Sql::TakeTransaction,
     "DELETE FROM login_transactions WHERE id = ?1 "
     "RETURNING request_id, client_key, redirect_uri, state, created, expires"},
    {Sql::RememberAssertion,
     "INSERT INTO seen_assertions (id, expires) VALUES (?1, ?2) ON CONFLICT (id) DO NOTHING"},
    {Sql::PurgeTransactions,
     "DELETE FROM login_transactions WHERE id IN "
     "(SELECT id FROM login_transactions WHERE expires <= ?1 LIMIT ?2)"},
    {Sql::PurgeAssertions,
     "DELETE FROM seen_assertions WHERE id IN "
     "(SELECT id FROM seen_assertions WHERE expires <= ?1 LIMIT ?2)"},
    {Sql::MetadataValue, "SELECT value FROM metadata WHERE name = ?1"},
    {Sql::UserVersion, "PRAGMA user_version"},
}};

#undef SSOC_USER_COLUMNS

constexpr bool in_order() {
  for (std::size_t i = 0; i < kSql.size(); ++i) {
    if (static_cast<std::size_t>(kSql[i].first) != i) return false;
  }
  return true;
}
static_assert(in_order(), "kSql must list the statements in the order of enum Sql");

}  // namespace

Result<Statements> Statements::prepare(const Connection& connection) {
  std::vector<Statement> statements;
  statements.reserve(kSql.size());
  for (const auto& [name, sql] : kSql)
    statements.push_back(TRY(Statement::prepare(connection, sql)));
  return Statements(std::move(statements));
}

}  // namespace ssoc::store
