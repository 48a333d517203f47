#include "store/schema.hpp"

#include <iterator>
#include <string>

#include "common/log.hpp"

namespace ssoc::store {
namespace {

constexpr const char* kVersion1 = R"sql(
CREATE TABLE metadata (
  name TEXT NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO metadata (name, value) VALUES ('schema_version', 1), ('sync_revision', 0),
                                          ('user_count', 0);

CREATE TABLE users (
  id TEXT NOT NULL PRIMARY KEY,
  email TEXT NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  encrypted_password BLOB NOT NULL,
  key_id TEXT NOT NULL,
  created INTEGER NOT NULL,
  last_login INTEGER NOT NULL,
  disabled INTEGER NOT NULL CHECK (disabled IN (0, 1))
) STRICT, WITHOUT ROWID;

CREATE TRIGGER users_inserted AFTER INSERT ON users BEGIN
  UPDATE metadata SET value = value + 1 WHERE name IN ('sync_revision', 'user_count');
END;
CREATE TRIGGER users_deleted AFTER DELETE ON users BEGIN
  UPDATE metadata SET value = value + (CASE name WHEN 'user_count' THEN -1 ELSE 1 END)
   WHERE name IN ('sync_revision', 'user_count');
END;
CREATE TRIGGER users_updated AFTER UPDATE ON users
  WHEN OLD.id IS NOT NEW.id OR OLD.email IS NOT NEW.email OR OLD.first_name IS NOT NEW.first_name
    OR OLD.last_name IS NOT NEW.last_name OR OLD.encrypted_password IS NOT NEW.encrypted_password
    OR OLD.key_id IS NOT NEW.key_id OR OLD.created IS NOT NEW.created
    OR OLD.last_login IS NOT NEW.last_login OR OLD.disabled IS NOT NEW.disabled
BEGIN
  UPDATE metadata SET value = value + 1 WHERE name = 'sync_revision';
END;

CREATE TABLE login_transactions (
  id TEXT NOT NULL PRIMARY KEY,
  request_id TEXT NOT NULL,
  client_key BLOB NOT NULL,
  redirect_uri TEXT NOT NULL,
  state TEXT NOT NULL,
  created INTEGER NOT NULL,
  expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX login_transactions_by_expiry ON login_transactions (expires);

CREATE TABLE seen_assertions (
  id TEXT NOT NULL PRIMARY KEY,
  expires INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX seen_assertions_by_expiry ON seen_assertions (expires);

PRAGMA application_id = 1397968707;
PRAGMA user_version = 1;
)sql";

struct Migration {
  int version;  // the version the database has once `sql` has run
  const char* sql;
};
constexpr Migration kMigrations[] = {{1, kVersion1}};
static_assert(std::size(kMigrations) == kSchemaVersion);
static_assert(kApplicationId == 1397968707);

// Refuses a database this version must not change; returns its schema version otherwise.
Result<std::int64_t> checked_version(Connection& c) {
  const std::string file = c.file().string();
  const std::int64_t version = TRY(c.single_integer("PRAGMA user_version", "read the version"));
  const std::int64_t application =
      TRY(c.single_integer("PRAGMA application_id", "read the application id"));
  if (version > kSchemaVersion) {
    return fail(Cause::Io, file + " was written by a newer SSO Connect (schema version " +
                               std::to_string(version) + "; this version knows up to " +
                               std::to_string(kSchemaVersion) +
                               "); it was not changed. Run the newer SSO Connect again, or "
                               "restore a backup made by this version.");
  }
  if (version > 0 && application != kApplicationId) {
    return fail(Cause::Io, file + " is an SQLite database of another program (application id " +
                               std::to_string(application) +
                               "); it was not changed. Check the data folder's path.");
  }
  if (version == 0) {
    const std::int64_t objects =
        TRY(c.single_integer("SELECT count(*) FROM sqlite_schema", "read the schema"));
    if (objects > 0) {
      return fail(Cause::Io, file +
                                 " holds tables of another program and none of SSO Connect's; "
                                 "it was not changed. Check the data folder's path.");
    }
  }
  return version;
}

Result<void> apply_migrations(Connection& c) {
  // Another process may have migrated since the first look; read again under the write lock.
  const std::int64_t version = TRY(checked_version(c));
  for (const Migration& migration : kMigrations) {
    if (migration.version <= version) continue;
    TRY(c.execute(migration.sql, "upgrade the database schema"));
    log::info(c.file().string() + ": database schema now at version " +
              std::to_string(migration.version));
  }
  return success();
}

}  // namespace

Result<void> migrate(Connection& connection) {
  if (TRY(checked_version(connection)) == kSchemaVersion) return success();
  TRY(connection.execute("BEGIN IMMEDIATE", "start upgrading the database"));
  Result<void> applied = apply_migrations(connection);
  if (applied) applied = connection.execute("COMMIT", "commit the database upgrade");
  if (!applied) {
    connection.rollback_if_open();
    return applied;
  }
  return success();
}

}  // namespace ssoc::store
