// The SQLite store (DESIGN.md "Store"): users with their encrypted master passwords, login
// transactions, the replay cache of assertion ids and metadata, in one WAL database file
// (<data>/ssoconnect.db). Thread-safe: one connection behind a mutex, every statement prepared
// once at open, SQL only ever taking values as bound parameters; a second connection on a thread
// of its own copies the WAL back into the database file (checkpointer.hpp). Several processes
// may open the same file (SQLite's locks; a call waits up to 5 s for another one's lock).
//
// Durability: ordinary writes commit with synchronous=NORMAL (in the WAL, synced at checkpoints;
// a crash of the process loses nothing, a power loss may lose the last of them). Creating a user
// is the exception: its commit is synced to disk before insert_user_if_absent returns, so that a
// master password that leaves the service is never forgotten or generated twice.
//
// Limits: every id and text is at most kMaxTextBytes bytes, every blob at most kMaxBlobBytes
// (InvalidInput otherwise); ids are never empty. Texts are stored as given, byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::store {

inline constexpr std::size_t kMaxTextBytes = 1024;
inline constexpr std::size_t kMaxBlobBytes = 16 * 1024;

struct User {
  std::string id;  // the user id of DESIGN step 4 (lower-cased e-mail or NameID)
  std::string email, first_name, last_name;
  Bytes encrypted_password;  // nonce||ciphertext||tag, made by the vault part; never a plaintext
  std::string key_id;        // the master_key_id it was encrypted under
  std::int64_t created = 0, last_login = 0;  // seconds since the epoch
  bool disabled = false;

  bool operator==(const User&) const = default;
};

struct LoginTransaction {
  std::string id;          // RelayState: 32 random bytes base64url, made by the caller
  std::string request_id;  // the AuthnRequest ID; the response's InResponseTo must equal it
  Bytes client_key;        // SPKI DER of the vault client's one-time key
  std::string redirect_uri, state;
  std::int64_t created = 0, expires = 0;  // the transaction is live while now < expires

  bool operator==(const LoginTransaction&) const = default;
};

struct StoreState;  // the connection, its statements and the lock (store_state.hpp)

class Store {
 public:
  // Opens or creates `file` (mode 0600; a looser mode is tightened): WAL, foreign keys, a busy
  // timeout, versioned migrations (schema version 1). A database from a newer version, one of
  // another program, or a file that is not SQLite is refused and left unchanged.
  static Result<std::unique_ptr<Store>> open(const std::filesystem::path& file);

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;
  ~Store();

  Result<std::optional<User>> find_user(std::string_view id);
  // Inserts `user` unless a user with its id exists, committed durably (synced to disk) before it
  // returns. Returns the row now stored and whether this call created it: of simultaneous calls
  // for one id, all get the same row and exactly one gets true. No sync when the user exists.
  Result<std::pair<User, bool>> insert_user_if_absent(const User& user);
  // Updates the names and e-mail and sets last_login = now. A user that is not stored is an
  // InvalidInput error.
  Result<void> record_login(std::string_view id, std::string_view email,
                            std::string_view first_name, std::string_view last_name,
                            std::int64_t now);
  // All users, ordered by id. Read in batches (logins go on meanwhile), so it is not one snapshot:
  // a user created or deleted during the listing may or may not be in it, none twice.
  Result<std::vector<User>> list_users();
  // False when there was no such user.
  Result<bool> delete_user(std::string_view id);
  Result<bool> set_disabled(std::string_view id, bool disabled);

  // Records a login transaction; one whose id is stored already is refused (InvalidInput).
  Result<void> add_transaction(const LoginTransaction& t);
  // The transaction if it exists and is live at `now`, left in place (a response is checked
  // against it before it is taken: DESIGN.md, the first *accepted* response consumes it).
  Result<std::optional<LoginTransaction>> find_transaction(std::string_view id, std::int64_t now);
  // Atomically removes and returns the transaction if it exists and is live at `now`; an
  // expired one is removed too and nullopt returned. A transaction is taken at most once.
  Result<std::optional<LoginTransaction>> take_transaction(std::string_view id, std::int64_t now);

  // Replay cache: records the assertion id until `expires`. False when the id is recorded
  // already (a replay), expired or not, until purge_expired has removed it.
  Result<bool> remember_assertion(std::string_view assertion_id, std::int64_t expires);

  // The writes of one accepted response, in one transaction (one commit where there were three):
  // records the assertion id in the replay cache until `replay_until`, takes the login
  // transaction `transaction_id` and, when the user is stored and not disabled, records the
  // login (e-mail, names, last_login = now). All of it or nothing: a replay leaves the
  // transaction in place and a transaction already taken or expired leaves the assertion id
  // unrecorded (the response is refused either way, and it names that transaction alone
  // through InResponseTo).
  struct LoginRecord {
    std::string_view assertion_id;
    std::int64_t replay_until = 0;
    std::string_view user_id, email, first_name, last_name;
  };
  enum class LoginOutcome { Completed, Replay, TransactionGone };
  struct CompletedLogin {
    LoginOutcome outcome = LoginOutcome::TransactionGone;
    std::optional<LoginTransaction> transaction;  // when Completed
    std::optional<User> user;  // when Completed and the user is stored and not disabled
  };
  Result<CompletedLogin> complete_login(std::string_view transaction_id, std::int64_t now,
                                        const LoginRecord& login);

  // Removes the transactions and replay entries with expires <= now, in batches that let other
  // calls run in between; returns how many rows went. The caller decides when to call it.
  Result<std::size_t> purge_expired(std::int64_t now);

  Result<int> schema_version();
  // Bumped by every change to the users table (insert, delete, any changed column).
  Result<std::int64_t> sync_revision();
  // The number of users, kept by the database itself (no scan); 0 if it cannot be read.
  std::size_t user_count();

 private:
  explicit Store(std::unique_ptr<StoreState> state);

  std::unique_ptr<StoreState> state_;
};

}  // namespace ssoc::store
