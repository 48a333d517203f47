// An SQLite connection and its prepared statements, held by move-only RAII types. Every SQLite
// return code that is not a plain success passes through sqlite_error(), which turns it into an
// Error naming the file, what failed, SQLite's reason and what to do.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::store {

namespace fs = std::filesystem;

// How long a statement waits for a lock held by another connection before it gives up.
inline constexpr int kBusyTimeoutMs = 5000;

// SQLITE_FULL -> DiskFull; anything else -> Io. `what` says what was being done ("read the user").
Error sqlite_error(const fs::path& file, std::string_view what, sqlite3* db, int rc);

struct DatabaseCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StatementFinalizer {
  void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};

// One open connection to a database file: read-write, no symlink followed, extended result
// codes, defensive mode (no writable_schema tricks), no double-quoted string literals, untrusted
// schema, a busy timeout. Opens only a file that exists (Store creates it first, with mode 0600).
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const fs::path& file);

  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* get() const { return db_.get(); }
  const fs::path& file() const { return file_; }

  // Runs SQL text that takes no parameters (schema scripts, PRAGMAs, which act when they are
  // prepared and so cannot be kept prepared). Never used with text made from values.
  Result<void> execute(const char* sql, std::string_view what);
  // Runs a statement that returns one value (a PRAGMA, a count) and returns it.
  Result<std::string> single_text(const char* sql, std::string_view what);
  Result<std::int64_t> single_integer(const char* sql, std::string_view what);
  // Ends an open transaction, if there is one; used on failure paths (errors are logged).
  void rollback_if_open() noexcept;

 private:
  Connection(std::unique_ptr<sqlite3, DatabaseCloser> db, fs::path file)
      : db_(std::move(db)), file_(std::move(file)) {}

  std::unique_ptr<sqlite3, DatabaseCloser> db_;
  fs::path file_;
};

class Query;

// A statement prepared once (SQLITE_PREPARE_PERSISTENT) and used many times through Query.
class Statement {
 public:
  static Result<Statement> prepare(const Connection& connection, std::string_view sql);

  // Starts one use; `what` names it in errors ("store the user").
  Query use(std::string_view what);

 private:
  Statement(std::unique_ptr<sqlite3_stmt, StatementFinalizer> statement, const Connection& c)
      : statement_(std::move(statement)), connection_(&c) {}

  std::unique_ptr<sqlite3_stmt, StatementFinalizer> statement_;
  const Connection* connection_;
};

// One use of a prepared statement: bind the parameters in order (?1, ?2, ...), step, read the
// columns of the current row. The statement is reset and its bindings cleared when the Query
// dies, which also ends the implicit transaction of a statement run outside BEGIN ... COMMIT.
class Query {
 public:
  Query(sqlite3_stmt* statement, const Connection& connection, std::string_view what)
      : statement_(statement), connection_(&connection), what_(what) {}
  Query(const Query&) = delete;
  Query& operator=(const Query&) = delete;
  ~Query();

  // Values are copied by SQLite (SQLITE_TRANSIENT). An empty text or blob is bound as an empty
  // value, never as NULL.
  Query& bind(std::string_view text);
  Query& bind(ByteView blob);
  Query& bind(std::int64_t value);

  // True when a row is ready, false when the statement has finished.
  Result<bool> step();
  // Steps until the statement finishes (rows, if any, are skipped).
  Result<void> run();

  std::string text(int column) const;
  Bytes blob(int column) const;
  std::int64_t integer(int column) const;
  // Rows inserted, changed or deleted by the last run of this connection's statements.
  std::int64_t changes() const { return sqlite3_changes64(connection_->get()); }
  // The extended result code of the last failed step (0 before any failure).
  int failure_code() const { return failure_; }

 private:
  sqlite3_stmt* statement_;
  const Connection* connection_;
  std::string_view what_;
  int next_parameter_ = 1;
  int bind_failure_ = SQLITE_OK;
  int failure_ = SQLITE_OK;
};

}  // namespace ssoc::store
