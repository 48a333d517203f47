// What a Store holds, shared by the files that implement it (not part of the interface).
#pragma once

#include <memory>
#include <mutex>

#include "store/checkpointer.hpp"
#include "store/connection.hpp"
#include "store/statements.hpp"
#include "store/store.hpp"

namespace ssoc::store {

struct StoreState {
  StoreState(std::unique_ptr<Connection> c, Statements s, std::unique_ptr<Checkpointer> k)
      : connection(std::move(c)), statements(std::move(s)), checkpointer(std::move(k)) {}

  // Guards the connection and its statements: one call at a time uses them.
  std::mutex mutex;
  std::unique_ptr<Connection> connection;  // declared first: the statements die before it
  Statements statements;
  std::unique_ptr<Checkpointer> checkpointer;  // hooked into the connection: dies first
};

// BEGIN IMMEDIATE (the write lock is taken at once, so the transaction never has to be retried
// for a lock another connection took after it read) ... COMMIT; rolled back unless committed.
class WriteTransaction {
 public:
  static Result<WriteTransaction> begin(StoreState& state, std::string_view what);
  WriteTransaction(WriteTransaction&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)), what_(other.what_) {}
  WriteTransaction& operator=(WriteTransaction&&) = delete;
  ~WriteTransaction();

  Result<void> commit();

 private:
  WriteTransaction(StoreState& state, std::string_view what) : state_(&state), what_(what) {}
  StoreState* state_;  // null once committed
  std::string_view what_;
};

// Reads the user columns of FindUser/ListUsers from the current row.
User read_user(const Query& query);
// The user `id` if stored; the caller holds the lock.
Result<std::optional<User>> find_user_row(StoreState& state, std::string_view id);

}  // namespace ssoc::store
