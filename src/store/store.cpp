#include "store/store.hpp"

#include "common/log.hpp"
#include "store/database_file.hpp"
#include "store/input_limits.hpp"
#include "store/schema.hpp"
#include "store/store_state.hpp"

namespace ssoc::store {
namespace {

// Users read per batch by list_users; each batch holds the lock for a millisecond or so.
constexpr std::int64_t kListBatch = 1000;

// Pages of cache for this connection (negative: KiB): 8 MiB holds the interior pages of the
// users table of a million users (about 1.5 MiB) and the hot pages of the login tables; more
// only fills with pages of the replay cache and the transactions that are never read again
// (32 MiB made the service's RSS grow past 30 MB over 100k logins).
constexpr const char* kSettings =
    "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA cache_size = -8192; "
    "PRAGMA journal_size_limit = 67108864;";

Result<void> configure(Connection& connection) {
  const std::string mode =
      TRY(connection.single_text("PRAGMA journal_mode = WAL", "switch the database to WAL"));
  if (mode != "wal") {
    return fail(Cause::Io, "cannot switch " + connection.file().string() +
                               " to write-ahead logging (it stays in mode \"" + mode +
                               "\"). Put the data folder on a local file system, then try "
                               "again.");
  }
  return connection.execute(kSettings, "configure the database");
}

// Makes the commits of this connection synced to disk while it lives. PRAGMA synchronous takes
// effect when it is prepared and cannot change inside a transaction, hence a guard around one.
class SyncedCommits {
 public:
  static Result<SyncedCommits> start(Connection& connection) {
    TRY(connection.execute("PRAGMA synchronous = FULL", "make the commit durable"));
    return SyncedCommits(connection);
  }
  SyncedCommits(SyncedCommits&& other) noexcept
      : connection_(std::exchange(other.connection_, nullptr)) {}
  SyncedCommits& operator=(SyncedCommits&&) = delete;
  ~SyncedCommits() {
    if (connection_ == nullptr) return;
    Result<void> restored = connection_->execute("PRAGMA synchronous = NORMAL", "restore syncing");
    if (!restored) log::warn(restored.error().describe());
  }

 private:
  explicit SyncedCommits(Connection& connection) : connection_(&connection) {}
  Connection* connection_;
};

// Inserts the user unless its id is taken; true when it did.
Result<bool> insert(StoreState& s, const User& user) {
  Query query = s.statements[Sql::InsertUser].use("store a new user");
  query.bind(user.id).bind(user.email).bind(user.first_name).bind(user.last_name);
  query.bind(user.encrypted_password).bind(user.key_id).bind(user.created);
  query.bind(user.last_login).bind(std::int64_t{user.disabled ? 1 : 0});
  TRY(query.run());
  return query.changes() == 1;
}

Result<std::int64_t> metadata(StoreState& s, std::string_view name) {
  Query query = s.statements[Sql::MetadataValue].use("read the metadata");
  query.bind(name);
  if (!TRY(query.step())) {
    return fail(Cause::Io, s.connection->file().string() + " has no metadata value " +
                               std::string(name) +
                               "; the database is damaged. Restore the data folder from a "
                               "backup.");
  }
  const std::int64_t value = query.integer(0);
  TRY(query.run());
  return value;
}

}  // namespace

Result<WriteTransaction> WriteTransaction::begin(StoreState& state, std::string_view what) {
  TRY(state.statements[Sql::BeginImmediate].use(what).run());
  return WriteTransaction(state, what);
}

WriteTransaction::~WriteTransaction() {
  if (state_ != nullptr) state_->connection->rollback_if_open();
}

Result<void> WriteTransaction::commit() {
  TRY(state_->statements[Sql::Commit].use(what_).run());
  state_ = nullptr;
  return success();
}

Result<std::optional<User>> find_user_row(StoreState& s, std::string_view id) {
  Query query = s.statements[Sql::FindUser].use("read a user");
  query.bind(id);
  if (!TRY(query.step())) return std::optional<User>();
  User user = read_user(query);
  TRY(query.run());
  return std::optional<User>(std::move(user));
}

User read_user(const Query& q) {
  return User{.id = q.text(0),
              .email = q.text(1),
              .first_name = q.text(2),
              .last_name = q.text(3),
              .encrypted_password = q.blob(4),
              .key_id = q.text(5),
              .created = q.integer(6),
              .last_login = q.integer(7),
              .disabled = q.integer(8) != 0};
}

Store::Store(std::unique_ptr<StoreState> state) : state_(std::move(state)) {}
Store::~Store() = default;

Result<std::unique_ptr<Store>> Store::open(const std::filesystem::path& file) {
  const bool created = TRY(prepare_database_file(file));
  std::unique_ptr<Connection> connection = TRY(Connection::open(file));
  TRY(migrate(*connection));
  TRY(configure(*connection));
  Statements statements = TRY(Statements::prepare(*connection));
  std::unique_ptr<Checkpointer> checkpointer = TRY(Checkpointer::start(*connection));
  if (created) log::info("created the store " + file.string());
  return std::unique_ptr<Store>(new Store(std::make_unique<StoreState>(
      std::move(connection), std::move(statements), std::move(checkpointer))));
}

Result<std::optional<User>> Store::find_user(std::string_view id) {
  TRY(check_id("the user id", id));
  std::lock_guard lock(state_->mutex);
  return find_user_row(*state_, id);
}

Result<std::pair<User, bool>> Store::insert_user_if_absent(const User& user) {
  TRY(check_user(user));
  StoreState& s = *state_;
  std::lock_guard lock(s.mutex);
  // The usual case, an existing user, costs one read and no sync. Every row found here was
  // committed durably by the call that created it.
  if (std::optional<User> existing = TRY(find_user_row(s, user.id)))
    return std::pair{*existing, false};

  SyncedCommits synced = TRY(SyncedCommits::start(*s.connection));
  WriteTransaction transaction = TRY(WriteTransaction::begin(s, "store a new user"));
  // Another process may have stored the user between the read above and the write lock.
  const bool created = TRY(insert(s, user));
  std::optional<User> stored = TRY(find_user_row(s, user.id));
  TRY(transaction.commit());
  if (!stored) {
    return fail(Cause::Internal, "the user just stored in " + s.connection->file().string() +
                                     " cannot be read back; report this defect.");
  }
  return std::pair{std::move(*stored), created};
}

Result<void> Store::record_login(std::string_view id, std::string_view email,
                                 std::string_view first_name, std::string_view last_name,
                                 std::int64_t now) {
  TRY(check_id("the user id", id));
  TRY(check_text("the e-mail address", email));
  TRY(check_text("the first name", first_name));
  TRY(check_text("the last name", last_name));
  std::lock_guard lock(state_->mutex);
  Query query = state_->statements[Sql::RecordLogin].use("record a login");
  query.bind(id).bind(email).bind(first_name).bind(last_name).bind(now);
  TRY(query.run());
  if (query.changes() == 0) {
    return fail(Cause::InvalidInput,
                "cannot record the login of user " + std::string(id) +
                    ": no such user is stored (it may have been deleted meanwhile). Let the "
                    "user log in again.");
  }
  return success();
}

Result<std::vector<User>> Store::list_users() {
  std::vector<User> users;
  for (;;) {
    // A batch at a time, so that logins go on while a million users are listed.
    std::lock_guard lock(state_->mutex);
    Query query = state_->statements[Sql::ListUsers].use("list the users");
    query.bind(users.empty() ? std::string_view() : std::string_view(users.back().id));
    query.bind(kListBatch);
    std::int64_t rows = 0;
    for (; TRY(query.step()); ++rows) users.push_back(read_user(query));
    if (rows < kListBatch) return users;
  }
}

Result<bool> Store::delete_user(std::string_view id) {
  TRY(check_id("the user id", id));
  std::lock_guard lock(state_->mutex);
  Query query = state_->statements[Sql::DeleteUser].use("delete a user");
  query.bind(id);
  TRY(query.run());
  return query.changes() > 0;
}

Result<bool> Store::set_disabled(std::string_view id, bool disabled) {
  TRY(check_id("the user id", id));
  std::lock_guard lock(state_->mutex);
  Query query = state_->statements[Sql::SetDisabled].use("disable or enable a user");
  query.bind(id).bind(std::int64_t{disabled ? 1 : 0});
  TRY(query.run());
  return query.changes() > 0;
}

Result<int> Store::schema_version() {
  std::lock_guard lock(state_->mutex);
  Query query = state_->statements[Sql::UserVersion].use("read the schema version");
  if (!TRY(query.step())) return 0;
  const auto version = static_cast<int>(query.integer(0));
  TRY(query.run());
  return version;
}

Result<std::int64_t> Store::sync_revision() {
  std::lock_guard lock(state_->mutex);
  return metadata(*state_, "sync_revision");
}

std::size_t Store::user_count() {
  std::lock_guard lock(state_->mutex);
  Result<std::int64_t> count = metadata(*state_, "user_count");
  if (!count) {
    log::warn(count.error().describe());
    return 0;
  }
  return *count > 0 ? static_cast<std::size_t>(*count) : 0;
}

}  // namespace ssoc::store
