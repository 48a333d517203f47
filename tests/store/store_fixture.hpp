// Helpers shared by the store tests: sample rows, a store in a temporary folder, and direct
// SQLite access to the file (to stamp a version, read a PRAGMA) beside the store under test.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "store/store.hpp"
#include "support/test_env.hpp"

namespace ssoc::test {

// prefix + n + suffix, e.g. numbered("tx-", 7) == "tx-7". (GCC 12 warns wrongly, -Wrestrict,
// about "literal" + std::to_string(n) at -O3; appending avoids it.)
std::string numbered(std::string_view prefix, long n, std::string_view suffix = {});

store::User sample_user(const std::string& id, std::uint8_t seed = 1);
store::LoginTransaction sample_transaction(const std::string& id, std::int64_t created,
                                           std::int64_t expires);

// Runs `script` on `file` (created if absent) with a connection of its own; throws on failure.
void run_sql(const fs::path& file, const std::string& script);
// The first column of the first row of `query` on `file`, as text ("" when there is no row).
std::string query_text(const fs::path& file, const std::string& query);

// The error cause of a failed Result, for EXPECT_EQ; Cause::Internal if it did not fail.
template <class T>
Cause cause_of(const Result<T>& result) {
  return result ? Cause::Internal : result.error().cause;
}

class StoreTest : public ::testing::Test {
 protected:
  fs::path db_path() const { return dir_ / "ssoconnect.db"; }
  // Opens (or creates) the store at db_path(); fails the test when it cannot.
  std::unique_ptr<store::Store> open_store();

  TempDir dir_;
};

}  // namespace ssoc::test
