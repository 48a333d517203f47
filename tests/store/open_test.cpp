// Opening the store: creation, reopening, file modes, WAL, versions, foreign files.
#include <sys/stat.h>
#include <unistd.h>

#include "store_fixture.hpp"

namespace ssoc::test {
namespace {

using store::Store;

mode_t mode_of(const fs::path& file) {
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

class OpenTest : public StoreTest {};

TEST_F(OpenTest, CreatesDatabaseAtSchemaVersionOne) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto version = store->schema_version();
  ASSERT_TRUE(version);
  EXPECT_EQ(*version, 1);
  EXPECT_EQ(store->user_count(), 0u);
  auto revision = store->sync_revision();
  ASSERT_TRUE(revision);
  EXPECT_EQ(*revision, 0);
  EXPECT_EQ(query_text(db_path(), "PRAGMA application_id"), "1397968707");
  EXPECT_EQ(query_text(db_path(), "SELECT value FROM metadata WHERE name = 'schema_version'"), "1");
}

TEST_F(OpenTest, ReopenKeepsUsersTransactionsAndReplayEntries) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->insert_user_if_absent(sample_user("ada@example.com")));
    ASSERT_TRUE(store->add_transaction(sample_transaction("tx-1", 100, 400)));
    ASSERT_TRUE(store->remember_assertion("_assertion-1", 400));
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto user = store->find_user("ada@example.com");
  ASSERT_TRUE(user);
  ASSERT_TRUE(user->has_value());
  EXPECT_EQ(**user, sample_user("ada@example.com"));
  EXPECT_EQ(store->user_count(), 1u);
  auto taken = store->take_transaction("tx-1", 200);
  ASSERT_TRUE(taken);
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ(**taken, sample_transaction("tx-1", 100, 400));
  auto again = store->remember_assertion("_assertion-1", 400);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_F(OpenTest, CreatesFilesWithMode0600EvenUnderPermissiveUmask) {
  const mode_t old = ::umask(0);
  auto store = open_store();
  ::umask(old);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->insert_user_if_absent(sample_user("ada@example.com")));
  EXPECT_EQ(mode_of(db_path()), 0600);
  ASSERT_TRUE(fs::exists(db_path().string() + "-wal"));
  EXPECT_EQ(mode_of(db_path().string() + "-wal"), 0600);
  EXPECT_EQ(mode_of(db_path().string() + "-shm"), 0600);
}

TEST_F(OpenTest, TightensLooserModeOfExistingDatabase) {
  { ASSERT_NE(open_store(), nullptr); }
  fs::permissions(db_path(), fs::perms(0644));
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(mode_of(db_path()), 0600);
}

TEST_F(OpenTest, DatabaseIsInWalModeAfterOpen) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(query_text(db_path(), "PRAGMA journal_mode"), "wal");
}

TEST_F(OpenTest, RefusesDatabaseFromNewerVersionAndLeavesItUnchanged) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->insert_user_if_absent(sample_user("ada@example.com")));
  }
  run_sql(db_path(), "PRAGMA user_version = 2");
  const Bytes before = read_all(db_path());
  auto opened = Store::open(db_path());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().cause, Cause::Io);
  EXPECT_NE(opened.error().message.find("newer SSO Connect (schema version 2"), std::string::npos)
      << opened.error().message;
  EXPECT_NE(opened.error().message.find("not changed"), std::string::npos);
  EXPECT_EQ(read_all(db_path()), before);
  EXPECT_EQ(query_text(db_path(), "PRAGMA user_version"), "2");
}

TEST_F(OpenTest, RefusesFileThatIsNotSqliteAndLeavesItUntouched) {
  const std::string text = "this is a properties file, not a database\n" + std::string(200, 'x');
  write_all(db_path(), as_bytes(text));
  auto opened = Store::open(db_path());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().cause, Cause::Io);
  EXPECT_NE(opened.error().message.find("not an SQLite database"), std::string::npos);
  EXPECT_EQ(read_all(db_path()), Bytes(text.begin(), text.end()));
  EXPECT_FALSE(fs::exists(db_path().string() + "-wal"));
  EXPECT_FALSE(fs::exists(db_path().string() + "-shm"));
}

TEST_F(OpenTest, RefusesTruncatedSqliteHeader) {
  const std::string text("SQLite format 3\0short", 21);
  write_all(db_path(), as_bytes(text));
  auto opened = Store::open(db_path());
  ASSERT_FALSE(opened);
  EXPECT_EQ(read_all(db_path()), Bytes(text.begin(), text.end()));
}

TEST_F(OpenTest, RefusesSqliteDatabaseOfAnotherProgramAndLeavesItUnchanged) {
  run_sql(db_path(), "CREATE TABLE accounts (name TEXT); INSERT INTO accounts VALUES ('x');");
  const Bytes before = read_all(db_path());
  auto opened = Store::open(db_path());
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("another program"), std::string::npos)
      << opened.error().message;
  EXPECT_EQ(read_all(db_path()), before);
  EXPECT_EQ(query_text(db_path(), "SELECT count(*) FROM sqlite_schema WHERE name = 'users'"), "0");
}

TEST_F(OpenTest, RefusesVersionedDatabaseWithForeignApplicationId) {
  run_sql(db_path(), "CREATE TABLE users (id TEXT); PRAGMA user_version = 1;");
  auto opened = Store::open(db_path());
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("application id 0"), std::string::npos)
      << opened.error().message;
}

TEST_F(OpenTest, EmptyFileBecomesNewDatabase) {
  write_all(db_path(), {});
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->insert_user_if_absent(sample_user("ada@example.com")));
  EXPECT_EQ(store->user_count(), 1u);
}

TEST_F(OpenTest, RefusesSymbolicLink) {
  { ASSERT_NE(open_store(), nullptr); }
  const fs::path link = dir_ / "link.db";
  fs::create_symlink(db_path(), link);
  auto opened = Store::open(link);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("symbolic link"), std::string::npos)
      << opened.error().message;
}

TEST_F(OpenTest, MissingFolderIsAnError) {
  auto opened = Store::open(dir_ / "absent" / "ssoconnect.db");
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().cause, Cause::Io);
  EXPECT_FALSE(fs::exists(dir_ / "absent"));
}

TEST_F(OpenTest, ClosingRemovesTheWalFile) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->insert_user_if_absent(sample_user("ada@example.com")));
    ASSERT_TRUE(fs::exists(db_path().string() + "-wal"));
  }
  EXPECT_FALSE(fs::exists(db_path().string() + "-wal"));
  EXPECT_EQ(query_text(db_path(), "SELECT count(*) FROM users"), "1");
}

}  // namespace
}  // namespace ssoc::test
