// ssoconnect.db is copied with SQLite's online backup API: a live WAL database, with committed
// rows still in its -wal file and a writer holding an uncommitted transaction, is archived as
// one consistent database holding exactly the committed rows.
#include <sqlite3.h>

#include "backup/archive_format.hpp"
#include "backup/backup.hpp"
#include "backup_fixture.hpp"

namespace ssoc::backup {
namespace {

using test::FolderFixture;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

Db open_db(const fs::path& path) {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
  return Db(raw);
}

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << (error ? error : "");
}

std::string query_text(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::string text = "<no row>";
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* value = sqlite3_column_text(stmt, 0);
    text = value ? reinterpret_cast<const char*>(value) : "<null>";
  }
  sqlite3_finalize(stmt);
  return text;
}

TEST(Backup, CopiesTheCommittedRowsOfALiveWalDatabase) {
  FolderFixture fx;
  const fs::path db_path = fx.data / "ssoconnect.db";
  Db service = open_db(db_path);
  exec(service.get(), "PRAGMA journal_mode=WAL");
  exec(service.get(), "PRAGMA wal_autocheckpoint=0");  // committed rows stay in the -wal file
  exec(service.get(), "CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL)");
  exec(service.get(), "BEGIN");
  for (int i = 0; i < 200; ++i)
    exec(service.get(), "INSERT INTO users(email) VALUES('user" + std::to_string(i) + "@x.test')");
  exec(service.get(), "COMMIT");
  ASSERT_EQ(::chmod(db_path.c_str(), 0600), 0);
  ASSERT_GT(fs::file_size(fx.data / "ssoconnect.db-wal"), 0u);

  // A second connection in the middle of a write transaction, never committed.
  Db writer = open_db(db_path);
  exec(writer.get(), "BEGIN IMMEDIATE");
  exec(writer.get(), "INSERT INTO users(email) VALUES('uncommitted@x.test')");

  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(made->files, (std::vector<std::string>{"instance.properties", "shared.properties",
                                                   "ssoconnect.db"}));
  // The writer still holds its transaction: the backup did not disturb it.
  exec(writer.get(), "INSERT INTO users(email) VALUES('still-writing@x.test')");

  // The archived database, taken out by hand.
  Bytes bytes = ssoc::test::read_all(fx.dir / "backup.ssocbkp");
  auto archive = decode(bytes, "backup.ssocbkp");
  ASSERT_TRUE(archive.ok()) << archive.error().describe();
  ASSERT_EQ(archive->entries.size(), 3u);
  const ArchiveEntry& db_entry = archive->entries[2];
  ASSERT_EQ(db_entry.name, "ssoconnect.db");
  EXPECT_EQ(db_entry.mode, 0600u);
  fs::create_directories(fx.dir / "extracted");
  ssoc::test::write_all(fx.dir / "extracted" / "copy.db", db_entry.contents);
  {
    Db copy = open_db(fx.dir / "extracted" / "copy.db");
    EXPECT_EQ(query_text(copy.get(), "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(query_text(copy.get(), "SELECT count(*) FROM users"), "200");
    EXPECT_EQ(query_text(copy.get(), "SELECT email FROM users WHERE id = 200"), "user199@x.test");
    EXPECT_EQ(query_text(copy.get(), "SELECT count(*) FROM users WHERE email LIKE 'uncommitted%'"),
              "0");
  }

  exec(writer.get(), "ROLLBACK");
  writer.reset();
  service.reset();
  fs::remove_all(fx.data);
  auto restored = restore(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  EXPECT_FALSE(fs::exists(fx.data / "ssoconnect.db-wal"));
  Db back = open_db(db_path);
  EXPECT_EQ(query_text(back.get(), "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(query_text(back.get(), "SELECT count(*) FROM users"), "200");
}

TEST(Backup, LeavesNoSqliteFilesBehindInTheFolder) {
  FolderFixture fx;
  {
    Db db = open_db(fx.data / "ssoconnect.db");
    exec(db.get(), "PRAGMA journal_mode=WAL");
    exec(db.get(), "CREATE TABLE t(x)");
  }
  ASSERT_EQ(::chmod((fx.data / "ssoconnect.db").c_str(), 0600), 0);
  ASSERT_FALSE(fs::exists(fx.data / "ssoconnect.db-wal"));
  auto files = fx.snapshot();

  auto made = create(fx.data, fx.dir / "backup.ssocbkp");
  ASSERT_TRUE(made.ok()) << made.error().describe();
  EXPECT_EQ(fx.snapshot(), files);
  // Nor a temporary folder beside the backup.
  for (const auto& entry : fs::directory_iterator(fx.dir.path()))
    EXPECT_FALSE(entry.path().filename().string().starts_with(".ssoc-backup-")) << entry.path();
}

}  // namespace
}  // namespace ssoc::backup
