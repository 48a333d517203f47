// The store's schema and its versioned migrations. The schema version lives in the database
// header (PRAGMA user_version, changed in the same transaction as the tables) and, for tools that
// read tables only, in the metadata table; PRAGMA application_id marks the file as SSO Connect's.
//
// Version 1:
//   users               (id TEXT PK, email, first_name, last_name TEXT, encrypted_password BLOB,
//                        key_id TEXT, created, last_login INTEGER, disabled INTEGER 0/1)
//   login_transactions  (id TEXT PK, request_id TEXT, client_key BLOB, redirect_uri, state TEXT,
//                        created, expires INTEGER), indexed by expires
//   seen_assertions     (id TEXT PK, expires INTEGER), indexed by expires: the replay cache
//   metadata            (name TEXT PK, value INTEGER): schema_version, sync_revision, user_count
// All tables are STRICT and WITHOUT ROWID (the primary key is the row's only key, stored once).
// Triggers on users keep sync_revision (bumped by every insert, delete and effective update) and
// user_count (counting without scanning a million rows) in step with the table.
#pragma once

#include <cstdint>

#include "common/result.hpp"
#include "store/connection.hpp"

namespace ssoc::store {

inline constexpr int kSchemaVersion = 1;
// "SSOC" as a big-endian 32-bit number, in the header of every SSO Connect database.
inline constexpr std::int32_t kApplicationId = 0x53534f43;

// Brings the database to kSchemaVersion, each migration in an IMMEDIATE transaction. A database
// from a newer SSO Connect, or one that belongs to another program, is refused and not changed.
Result<void> migrate(Connection& connection);

}  // namespace ssoc::store
