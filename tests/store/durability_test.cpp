// What survives: a user created by a process killed right after insert_user_if_absent returned;
// which writes are synced to disk before the call returns (through a VFS shim that watches
// xWrite/xSync); a full disk; the write-ahead log staying bounded without SQLite's own
// automatic checkpoints.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store_fixture.hpp"
#include "sync_tracking_vfs.hpp"

namespace ssoc::test {
namespace {

using store::Store;

class DurabilityTest : public StoreTest {};

// In the child: open, log in an existing user, create a new one, tell the parent, wait to die.
[[noreturn]] void child_inserts_then_waits(const fs::path& file, int report_fd) {
  auto opened = Store::open(file);
  if (!opened) ::_exit(2);
  Store& store = **opened;
  if (!store.record_login("old@example.com", "old@example.com", "Old", "Timer", 1800000000))
    ::_exit(3);
  auto inserted = store.insert_user_if_absent(sample_user("new@example.com", 7));
  if (!inserted || !inserted->second) ::_exit(4);
  const char done = 'y';
  if (::write(report_fd, &done, 1) != 1) ::_exit(5);
  for (;;) ::pause();
}

TEST_F(DurabilityTest, UserCreatedByProcessKilledRightAfterInsertIsThereOnReopen) {
  {
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->insert_user_if_absent(sample_user("old@example.com")));
  }  // no store (and no checkpoint thread) open in this process while it forks
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    child_inserts_then_waits(db_path(), fds[1]);
  }
  ::close(fds[1]);
  char report = 0;
  const ssize_t got = ::read(fds[0], &report, 1);
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ::close(fds[0]);
  ASSERT_EQ(got, 1) << "the child failed with exit status "
                    << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  ASSERT_TRUE(WIFSIGNALED(status));

  EXPECT_TRUE(fs::exists(db_path().string() + "-wal"));  // killed: nothing was checkpointed
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto found = store->find_user("new@example.com");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, sample_user("new@example.com", 7));
  EXPECT_EQ((*store->find_user("old@example.com"))->last_login, 1800000000);
  EXPECT_EQ(store->user_count(), 2u);
}

class SyncTest : public StoreTest {
 protected:
  void SetUp() override {
    store_ = open_store();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override { store_.reset(); }  // closed before the VFS goes

  SyncTrackingVfs vfs_;  // declared first: registered before, unregistered after the store
  std::unique_ptr<Store> store_;
};

TEST_F(SyncTest, NewUserIsSyncedToDiskBeforeInsertReturns) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("tx", 1, 100)));
  ASSERT_TRUE(vfs_.unsynced(FileKind::Wal));  // an ordinary write: in the WAL, not yet synced
  const int before = vfs_.syncs(FileKind::Wal);
  auto inserted = store_->insert_user_if_absent(sample_user("new@example.com"));
  ASSERT_TRUE(inserted);
  ASSERT_TRUE(inserted->second);
  EXPECT_GT(vfs_.syncs(FileKind::Wal), before);
  EXPECT_FALSE(vfs_.unsynced(FileKind::Wal));
}

TEST_F(SyncTest, LoginsOfExistingUsersAreNotSynced) {
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("ada@example.com")));
  ASSERT_TRUE(store_->add_transaction(sample_transaction("tx", 1, 100)));
  const int before = vfs_.syncs(FileKind::Wal) + vfs_.syncs(FileKind::Database);
  auto again = store_->insert_user_if_absent(sample_user("ada@example.com", 9));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->second);
  ASSERT_TRUE(store_->take_transaction("tx", 2));
  ASSERT_TRUE(store_->remember_assertion("_a", 100));
  ASSERT_TRUE(store_->record_login("ada@example.com", "ada@example.com", "Ada", "L", 5));
  ASSERT_TRUE(store_->set_disabled("ada@example.com", true));
  EXPECT_EQ(vfs_.syncs(FileKind::Wal) + vfs_.syncs(FileKind::Database), before);
  EXPECT_TRUE(vfs_.unsynced(FileKind::Wal));
}

TEST_F(SyncTest, FullDiskIsReportedAsDiskFullAndTheStoreRecovers) {
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("ada@example.com")));
  vfs_.fail_writes(true);
  auto added = store_->add_transaction(sample_transaction("tx", 1, 100));
  auto inserted = store_->insert_user_if_absent(sample_user("new@example.com"));
  vfs_.fail_writes(false);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().cause, Cause::DiskFull) << added.error().describe();
  EXPECT_NE(added.error().message.find("free some space"), std::string::npos);
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().cause, Cause::DiskFull) << inserted.error().describe();

  EXPECT_FALSE(store_->find_user("new@example.com")->has_value());
  EXPECT_FALSE(store_->take_transaction("tx", 2)->has_value());
  ASSERT_TRUE(store_->add_transaction(sample_transaction("tx", 1, 100)));
  auto retried = store_->insert_user_if_absent(sample_user("new@example.com"));
  ASSERT_TRUE(retried) << retried.error().describe();
  EXPECT_TRUE(retried->second);
  EXPECT_EQ(store_->user_count(), 2u);
}

TEST_F(DurabilityTest, WriteAheadLogStaysBoundedUnderLongWriteStream) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->insert_user_if_absent(sample_user("ada@example.com")));
  // Each transaction carries a 16 KiB key: about six 4 KiB pages per commit, some 120 MiB of
  // WAL frames in all, which a WAL never copied back would hold.
  constexpr int kCommits = 5000;
  const fs::path wal = db_path().string() + "-wal";
  std::uintmax_t largest = 0;
  for (int i = 0; i < kCommits; ++i) {
    auto t = sample_transaction(numbered("tx-", i), 1, 100);
    t.client_key = Bytes(store::kMaxBlobBytes, static_cast<std::uint8_t>(i));
    ASSERT_TRUE(store->add_transaction(t));
    if (i % 250 == 0) largest = std::max(largest, fs::file_size(wal));
  }
  largest = std::max(largest, fs::file_size(wal));
  EXPECT_LT(largest, 100u << 20);
  EXPECT_EQ(query_text(db_path(), "SELECT count(*) FROM login_transactions"),
            std::to_string(kCommits));
  auto taken = store->take_transaction("tx-4321", 2);
  ASSERT_TRUE(taken);
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ((*taken)->client_key, Bytes(store::kMaxBlobBytes, static_cast<std::uint8_t>(4321)));
}

}  // namespace
}  // namespace ssoc::test
