// Many threads (and two connections to one file) at once: one row per user, transactions taken
// once, and no lock error (SQLITE_BUSY) ever reaching a caller.
#include <atomic>
#include <latch>
#include <random>
#include <set>
#include <thread>

#include "store_fixture.hpp"

namespace ssoc::test {
namespace {

using store::Store;
using store::User;

class ConcurrencyTest : public StoreTest {
 protected:
  // Runs `body(thread index)` on `count` threads released at the same moment.
  template <class Body>
  void run_threads(int count, Body body) {
    std::latch start(count);
    std::vector<std::thread> threads;
    for (int i = 0; i < count; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        body(i);
      });
    }
    for (auto& thread : threads) thread.join();
  }

  // 8 threads insert the same ids, each with its own password; threads use `stores` in turn.
  void expect_one_row_per_id(std::vector<Store*> stores) {
    constexpr int kThreads = 8, kIds = 20;
    std::vector<std::vector<Result<std::pair<User, bool>>>> results(kThreads);
    run_threads(kThreads, [&](int t) {
      Store& store = *stores[t % stores.size()];
      for (int id = 0; id < kIds; ++id) {
        results[t].push_back(
            store.insert_user_if_absent(sample_user(numbered("user", id, "@example.com"), t + 1)));
      }
    });
    for (int id = 0; id < kIds; ++id) {
      const std::string name = numbered("user", id, "@example.com");
      auto stored = stores[0]->find_user(name);
      ASSERT_TRUE(stored);
      ASSERT_TRUE(stored->has_value());
      int created = 0;
      for (int t = 0; t < kThreads; ++t) {
        const auto& result = results[t][id];
        ASSERT_TRUE(result) << result.error().describe();
        EXPECT_EQ(result->first, **stored) << name << " thread " << t;
        if (result->second) {
          ++created;
          EXPECT_EQ(result->first, sample_user(name, t + 1));  // the creator's own password
        }
      }
      EXPECT_EQ(created, 1) << name;
    }
    EXPECT_EQ(stores[0]->user_count(), static_cast<std::size_t>(kIds));
  }
};

TEST_F(ConcurrencyTest, SimultaneousFirstLoginsGetOneRowAndOneCreator) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  expect_one_row_per_id({store.get()});
}

TEST_F(ConcurrencyTest, SimultaneousFirstLoginsThroughTwoConnectionsGetOneRow) {
  auto first = open_store();
  auto second = open_store();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  expect_one_row_per_id({first.get(), second.get()});
}

TEST_F(ConcurrencyTest, RacingTakesGetEachTransactionExactlyOnce) {
  auto first = open_store();
  auto second = open_store();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kTransactions = 200, kThreads = 8;
  for (int i = 0; i < kTransactions; ++i)
    ASSERT_TRUE(first->add_transaction(sample_transaction(numbered("tx-", i), 1, 100)));
  std::vector<int> taken_by(kTransactions, 0);
  std::atomic<int> failures{0};
  std::mutex mutex;
  run_threads(kThreads, [&](int t) {
    Store& store = t % 2 ? *second : *first;
    for (int k = 0; k < kTransactions; ++k) {
      const int i = (k * 7 + t * 31) % kTransactions;  // each thread in its own order
      auto taken = store.take_transaction(numbered("tx-", i), 50);
      if (!taken) {
        ++failures;
      } else if (taken->has_value()) {
        std::lock_guard lock(mutex);
        ++taken_by[i];
      }
    }
  });
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < kTransactions; ++i) EXPECT_EQ(taken_by[i], 1) << "tx-" << i;
}

TEST_F(ConcurrencyTest, RacingRemembersSeeEachAssertionAsNewOnce) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  constexpr int kIds = 100, kThreads = 8;
  std::vector<std::atomic<int>> fresh(kIds);
  std::atomic<int> failures{0};
  run_threads(kThreads, [&](int) {
    for (int i = 0; i < kIds; ++i) {
      auto remembered = store->remember_assertion(numbered("_a", i), 100);
      if (!remembered)
        ++failures;
      else if (*remembered)
        ++fresh[i];
    }
  });
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < kIds; ++i) EXPECT_EQ(fresh[i].load(), 1) << i;
}

TEST_F(ConcurrencyTest, ManyThreadsMixingEveryCallSeeNoErrors) {
  auto first = open_store();
  auto second = open_store();
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  constexpr int kThreads = 8, kRounds = 150;
  std::atomic<int> failures{0};
  std::mutex mutex;
  std::vector<std::string> errors;
  auto check = [&](const auto& result) {
    if (result) return;
    ++failures;
    std::lock_guard lock(mutex);
    errors.push_back(result.error().describe());
  };
  run_threads(kThreads, [&](int t) {
    Store& store = t % 4 == 3 ? *second : *first;  // a quarter of the threads on another connection
    std::mt19937 random(t);
    for (int round = 0; round < kRounds; ++round) {
      const std::string user = numbered("u", random() % 40);
      const std::string tx = numbered("tx-", t * kRounds + round);
      const std::int64_t now = 1000 + round;
      check(store.add_transaction(sample_transaction(tx, now, now + (random() % 3 ? 300 : 1))));
      switch (random() % 10) {
        case 0: check(store.delete_user(user)); break;
        case 1: check(store.set_disabled(user, random() % 2)); break;
        case 2: check(store.list_users()); break;
        case 3: check(store.purge_expired(now)); break;
        case 4: check(store.sync_revision()); break;
        default: break;
      }
      // A login: the transaction, the replay cache, the user, the login record.
      check(store.take_transaction(tx, now + 2));
      check(store.remember_assertion("_" + tx, now + 300));
      auto found = store.find_user(user);
      check(found);
      check(store.insert_user_if_absent(sample_user(user)));
      auto recorded = store.record_login(user, user, "A", "B", now);
      // A thread may delete the user in between; that refusal is the only one allowed.
      if (!recorded && recorded.error().cause != Cause::InvalidInput) check(recorded);
      (void)store.user_count();
    }
  });
  EXPECT_EQ(failures.load(), 0) << (errors.empty() ? "" : errors.front());
  auto listed = first->list_users();
  ASSERT_TRUE(listed);
  EXPECT_EQ(first->user_count(), listed->size());
  EXPECT_EQ(second->user_count(), listed->size());
}

}  // namespace
}  // namespace ssoc::test
