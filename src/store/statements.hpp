// Every statement the store runs, prepared once when it opens (no preparation per call).
#pragma once

#include <cstddef>
#include <vector>

#include "common/result.hpp"
#include "store/connection.hpp"

namespace ssoc::store {

enum class Sql : std::size_t {
  BeginImmediate,
  Commit,
  FindUser,  // -> the user columns, in the order of read_user()
  InsertUser,
  RecordLogin,
  RecordEnabledLogin,  // RecordLogin for a user who is not disabled
  ListUsers,           // (after id, limit) -> the user columns, ordered by id
  DeleteUser,
  SetDisabled,
  AddTransaction,
  FindTransaction,
  TakeTransaction,
  RememberAssertion,
  PurgeTransactions,
  PurgeAssertions,
  MetadataValue,
  UserVersion,
  Count,
};

class Statements {
 public:
  static Result<Statements> prepare(const Connection& connection);

  Statement& operator[](Sql sql) { return statements_[static_cast<std::size_t>(sql)]; }

 private:
  explicit Statements(std::vector<Statement> statements) : statements_(std::move(statements)) {}
  std::vector<Statement> statements_;
};

}  // namespace ssoc::store
