#include "store/connection.hpp"

#include "common/log.hpp"

namespace ssoc::store {
namespace {

std::string advice(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "Another program kept the database locked for more than " +
             std::to_string(kBusyTimeoutMs / 1000) +
             " seconds; stop it or wait until it has finished, then try again.";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "The file is damaged or is not an SSO Connect database; restore the data folder "
             "from a backup.";
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      return "Check that the file, its -wal and -shm files and their folder belong to the user "
             "running SSO Connect and are writable by it, then try again.";
    case SQLITE_IOERR: return "Check the disk and the system log, then try again.";
    default: return "Check the database file and the disk, then try again.";
  }
}

}  // namespace

Error sqlite_error(const fs::path& file, std::string_view what, sqlite3* db, int rc) {
  // sqlite3_errmsg describes the last failure of this connection, which is this one.
  std::string reason = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = "cannot " + std::string(what) + " in " + file.string() + ": " + reason +
                        " (" + sqlite3_errstr(rc) + ", code " + std::to_string(rc) + "). ";
  if ((rc & 0xff) == SQLITE_FULL) {
    return fail(Cause::DiskFull, message +
                                     "The disk holding the database is full; free some space "
                                     "and try again. Nothing was changed by this operation.");
  }
  return fail(Cause::Io, message + advice(rc));
}

Result<std::unique_ptr<Connection>> Connection::open(const fs::path& file) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_EXRESCODE |
                    SQLITE_OPEN_NOMUTEX;  // callers serialise the use of one connection
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
  std::unique_ptr<sqlite3, DatabaseCloser> db(raw);
  if (rc != SQLITE_OK) return sqlite_error(file, "open the database", db.get(), rc);
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  for (auto [option, value] : {std::pair{SQLITE_DBCONFIG_DEFENSIVE, 1},
                               {SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0},
                               {SQLITE_DBCONFIG_DQS_DML, 0},
                               {SQLITE_DBCONFIG_DQS_DDL, 0},
                               {SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0}}) {
    const int set = sqlite3_db_config(db.get(), option, value, nullptr);
    if (set != SQLITE_OK) return sqlite_error(file, "configure the connection", db.get(), set);
  }
  return std::unique_ptr<Connection>(new Connection(std::move(db), file));
}

Result<void> Connection::execute(const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(file_, what, db_.get(), rc);
  return success();
}

Result<std::string> Connection::single_text(const char* sql, std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> statement(raw);
  if (rc != SQLITE_OK) return sqlite_error(file_, what, db_.get(), rc);
  Query query(statement.get(), *this, what);
  if (!TRY(query.step())) return std::string();
  std::string value = query.text(0);
  TRY(query.run());
  return value;
}

Result<std::int64_t> Connection::single_integer(const char* sql, std::string_view what) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> statement(raw);
  if (rc != SQLITE_OK) return sqlite_error(file_, what, db_.get(), rc);
  Query query(statement.get(), *this, what);
  if (!TRY(query.step())) return std::int64_t{0};
  const std::int64_t value = query.integer(0);
  TRY(query.run());
  return value;
}

void Connection::rollback_if_open() noexcept {
  if (sqlite3_get_autocommit(db_.get())) return;  // SQLite already rolled it back, or none open
  const int rc = sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    log::warn(sqlite_error(file_, "roll back a transaction", db_.get(), rc).describe());
}

Result<Statement> Statement::prepare(const Connection& connection, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(connection.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  std::unique_ptr<sqlite3_stmt, StatementFinalizer> statement(raw);
  if (rc != SQLITE_OK)
    return sqlite_error(connection.file(), "prepare a statement", connection.get(), rc);
  if (statement == nullptr || tail != sql.data() + sql.size()) {
    return fail(Cause::Internal,
                "a statement of the store is empty or holds more than one "
                "statement; this is a defect of SSO Connect, report it.");
  }
  return Statement(std::move(statement), connection);
}

Query Statement::use(std::string_view what) {
  return Query(statement_.get(), *connection_, what);
}

Query::~Query() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Query& Query::bind(std::string_view text) {
  // A null data pointer would bind NULL; an empty text is still a text.
  const char* data = text.data() != nullptr ? text.data() : "";
  const int rc = sqlite3_bind_text64(statement_, next_parameter_++, data, text.size(),
                                     SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_failure_ == SQLITE_OK) bind_failure_ = rc;
  return *this;
}

Query& Query::bind(ByteView blob) {
  const int index = next_parameter_++;
  const int rc = blob.empty() ? sqlite3_bind_zeroblob(statement_, index, 0)
                              : sqlite3_bind_blob64(statement_, index, blob.data(), blob.size(),
                                                    SQLITE_TRANSIENT);
  if (rc != SQLITE_OK && bind_failure_ == SQLITE_OK) bind_failure_ = rc;
  return *this;
}

Query& Query::bind(std::int64_t value) {
  const int rc = sqlite3_bind_int64(statement_, next_parameter_++, value);
  if (rc != SQLITE_OK && bind_failure_ == SQLITE_OK) bind_failure_ = rc;
  return *this;
}

Result<bool> Query::step() {
  if (bind_failure_ != SQLITE_OK) {
    failure_ = bind_failure_;
    return sqlite_error(connection_->file(), what_, connection_->get(), bind_failure_);
  }
  const int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  failure_ = rc;
  return sqlite_error(connection_->file(), what_, connection_->get(), rc);
}

Result<void> Query::run() {
  while (TRY(step())) {
  }
  return success();
}

std::string Query::text(int column) const {
  const auto* data = sqlite3_column_text(statement_, column);
  const int size = sqlite3_column_bytes(statement_, column);
  if (data == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
}

Bytes Query::blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, column));
  const int size = sqlite3_column_bytes(statement_, column);
  if (data == nullptr) return {};
  return Bytes(data, data + size);
}

std::int64_t Query::integer(int column) const {
  return sqlite3_column_int64(statement_, column);
}

}  // namespace ssoc::store
