// Login transactions and the replay cache: taken once, expiry, duplicates, purging.
#include "store_fixture.hpp"

namespace ssoc::test {
namespace {

class LoginRecordsTest : public StoreTest {
 protected:
  void SetUp() override {
    store_ = open_store();
    ASSERT_NE(store_, nullptr);
  }
  std::string count(const char* table) {
    return query_text(db_path(), std::string("SELECT count(*) FROM ") + table);
  }
  std::unique_ptr<store::Store> store_;
};

TEST_F(LoginRecordsTest, TakeReturnsTheTransactionAsAdded) {
  const auto added = sample_transaction("relay-1", 1000, 1300);
  ASSERT_TRUE(store_->add_transaction(added));
  auto taken = store_->take_transaction("relay-1", 1299);
  ASSERT_TRUE(taken) << taken.error().describe();
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ(**taken, added);
}

TEST_F(LoginRecordsTest, FindLeavesTheTransactionInPlaceUntilItIsTaken) {
  const auto added = sample_transaction("relay-1", 1000, 1300);
  ASSERT_TRUE(store_->add_transaction(added));
  for (int i = 0; i < 2; ++i) {
    auto found = store_->find_transaction("relay-1", 1100);
    ASSERT_TRUE(found) << found.error().describe();
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ(**found, added);
  }
  EXPECT_FALSE(store_->find_transaction("relay-1", 1300)->has_value());  // expired at 1300
  EXPECT_FALSE(store_->find_transaction("relay-2", 1100)->has_value());
  EXPECT_EQ(count("login_transactions"), "1");
  ASSERT_TRUE(store_->take_transaction("relay-1", 1100)->has_value());
  EXPECT_FALSE(store_->find_transaction("relay-1", 1100)->has_value());
}

TEST_F(LoginRecordsTest, SecondTakeGetsNothing) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  auto first = store_->take_transaction("relay-1", 1100);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->has_value());
  auto second = store_->take_transaction("relay-1", 1100);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->has_value());
  EXPECT_EQ(count("login_transactions"), "0");
}

TEST_F(LoginRecordsTest, UnknownTransactionGetsNothing) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  auto taken = store_->take_transaction("relay-2", 1100);
  ASSERT_TRUE(taken);
  EXPECT_FALSE(taken->has_value());
  EXPECT_EQ(count("login_transactions"), "1");
}

TEST_F(LoginRecordsTest, ExpiredTransactionIsNotReturnedAndIsRemoved) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  auto late = store_->take_transaction("relay-1", 1301);
  ASSERT_TRUE(late);
  EXPECT_FALSE(late->has_value());
  // Removed: not even a call with an earlier clock gets it afterwards.
  auto earlier = store_->take_transaction("relay-1", 1100);
  ASSERT_TRUE(earlier);
  EXPECT_FALSE(earlier->has_value());
}

TEST_F(LoginRecordsTest, TransactionExpiresAtItsExpiryTime) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  auto at_expiry = store_->take_transaction("relay-1", 1300);
  ASSERT_TRUE(at_expiry);
  EXPECT_FALSE(at_expiry->has_value());
}

TEST_F(LoginRecordsTest, DuplicateTransactionIdIsRefusedAndOriginalKept) {
  const auto original = sample_transaction("relay-1", 1000, 1300);
  ASSERT_TRUE(store_->add_transaction(original));
  auto other = sample_transaction("relay-1", 1001, 9999);
  other.redirect_uri = "http://127.0.0.1:1/evil";
  auto added = store_->add_transaction(other);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().cause, Cause::InvalidInput);
  auto taken = store_->take_transaction("relay-1", 1100);
  ASSERT_TRUE(taken);
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ(**taken, original);
}

TEST_F(LoginRecordsTest, EmptyClientKeyAndStateRoundTrip) {
  auto t = sample_transaction("relay-1", 1000, 1300);
  t.client_key.clear();
  t.state.clear();
  ASSERT_TRUE(store_->add_transaction(t));
  auto taken = store_->take_transaction("relay-1", 1000);
  ASSERT_TRUE(taken);
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ(**taken, t);
}

TEST_F(LoginRecordsTest, OversizedTransactionValuesAreRefused) {
  const std::string over(store::kMaxTextBytes + 1, 'r');
  auto refused = [&](store::LoginTransaction t) {
    return cause_of(store_->add_transaction(t)) == Cause::InvalidInput;
  };
  auto t = sample_transaction(over, 1, 2);
  EXPECT_TRUE(refused(t));
  t = sample_transaction("", 1, 2);
  EXPECT_TRUE(refused(t));
  t = sample_transaction("r", 1, 2);
  t.request_id = over;
  EXPECT_TRUE(refused(t));
  t = sample_transaction("r", 1, 2);
  t.redirect_uri = over;
  EXPECT_TRUE(refused(t));
  t = sample_transaction("r", 1, 2);
  t.state = over;
  EXPECT_TRUE(refused(t));
  t = sample_transaction("r", 1, 2);
  t.client_key = Bytes(store::kMaxBlobBytes + 1, 1);
  EXPECT_TRUE(refused(t));
  EXPECT_EQ(count("login_transactions"), "0");
  t.client_key = Bytes(store::kMaxBlobBytes, 1);  // at the limit: accepted
  ASSERT_TRUE(store_->add_transaction(t));
  EXPECT_EQ(cause_of(store_->take_transaction(over, 1)), Cause::InvalidInput);
  EXPECT_EQ(cause_of(store_->remember_assertion(over, 1)), Cause::InvalidInput);
  EXPECT_EQ(cause_of(store_->remember_assertion("", 1)), Cause::InvalidInput);
}

TEST_F(LoginRecordsTest, SqlLookingTransactionIdIsTakenVerbatim) {
  const std::string id = "x' OR 1=1; DELETE FROM login_transactions; --";
  ASSERT_TRUE(store_->add_transaction(sample_transaction(id, 1, 100)));
  ASSERT_TRUE(store_->add_transaction(sample_transaction("other", 1, 100)));
  auto taken = store_->take_transaction(id, 2);
  ASSERT_TRUE(taken);
  ASSERT_TRUE(taken->has_value());
  EXPECT_EQ((*taken)->id, id);
  EXPECT_EQ(count("login_transactions"), "1");
}

TEST_F(LoginRecordsTest, SecondRememberOfAnAssertionIsAReplay) {
  auto first = store_->remember_assertion("_assertion-1", 1300);
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  auto second = store_->remember_assertion("_assertion-1", 1300);
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  auto later_expiry = store_->remember_assertion("_assertion-1", 99999);
  ASSERT_TRUE(later_expiry);
  EXPECT_FALSE(*later_expiry);
  auto other = store_->remember_assertion("_assertion-2", 1300);
  ASSERT_TRUE(other);
  EXPECT_TRUE(*other);
}

TEST_F(LoginRecordsTest, PurgeRemovesOnlyExpiredRows) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("old", 100, 200)));
  ASSERT_TRUE(store_->add_transaction(sample_transaction("at-now", 100, 500)));
  ASSERT_TRUE(store_->add_transaction(sample_transaction("live", 100, 501)));
  ASSERT_TRUE(store_->remember_assertion("_old", 200));
  ASSERT_TRUE(store_->remember_assertion("_at-now", 500));
  ASSERT_TRUE(store_->remember_assertion("_live", 900));
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("a@x")));
  auto purged = store_->purge_expired(500);
  ASSERT_TRUE(purged) << purged.error().describe();
  EXPECT_EQ(*purged, 4u);
  EXPECT_EQ(count("login_transactions"), "1");
  EXPECT_EQ(count("seen_assertions"), "1");
  EXPECT_EQ(store_->user_count(), 1u);
  auto live = store_->take_transaction("live", 500);
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->has_value());
  // The purged assertion id is forgotten; the live one is still a replay.
  EXPECT_TRUE(*store_->remember_assertion("_old", 2000));
  EXPECT_FALSE(*store_->remember_assertion("_live", 2000));
}

TEST_F(LoginRecordsTest, PurgeOfManyRowsRemovesThemAllAcrossBatches) {
  constexpr int kRows = 1234;  // more than two batches
  for (int i = 0; i < kRows; ++i) {
    const std::string n = std::to_string(i);
    ASSERT_TRUE(store_->add_transaction(sample_transaction("tx-" + n, 1, i % 2 ? 10 : 1000)));
    ASSERT_TRUE(store_->remember_assertion("_a-" + n, i % 2 ? 10 : 1000));
  }
  auto purged = store_->purge_expired(10);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, static_cast<std::size_t>(kRows));  // half of each table
  EXPECT_EQ(count("login_transactions"), std::to_string(kRows / 2));
  EXPECT_EQ(count("seen_assertions"), std::to_string(kRows / 2));
  auto none = store_->purge_expired(10);
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 0u);
}

// complete_login: one accepted response's writes, all or nothing.
class CompleteLoginTest : public LoginRecordsTest {
 protected:
  store::Store::LoginRecord record(const std::string& assertion, const std::string& user) {
    assertion_ = assertion;
    user_ = user;
    return {assertion_, 2000, user_, "New@Example.test", "New", "Name"};
  }
  std::string assertion_, user_;
};

TEST_F(CompleteLoginTest, TakesTheTransactionRemembersTheAssertionAndRecordsAKnownUser) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("alice")));
  auto done = store_->complete_login("relay-1", 1100, record("_a1", "alice"));
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->outcome, store::Store::LoginOutcome::Completed);
  ASSERT_TRUE(done->transaction);
  EXPECT_EQ(*done->transaction, sample_transaction("relay-1", 1000, 1300));
  ASSERT_TRUE(done->user);
  EXPECT_EQ(done->user->email, "New@Example.test");
  EXPECT_EQ(done->user->last_login, 1100);
  EXPECT_EQ(count("login_transactions"), "0");
  EXPECT_EQ(count("seen_assertions"), "1");
}

TEST_F(CompleteLoginTest, AnUnknownUserGetsNoRowAndNothingIsMade) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  auto done = store_->complete_login("relay-1", 1100, record("_a1", "bob"));
  ASSERT_TRUE(done) << done.error().describe();
  EXPECT_EQ(done->outcome, store::Store::LoginOutcome::Completed);
  EXPECT_FALSE(done->user);
  EXPECT_EQ(count("users"), "0");
}

TEST_F(CompleteLoginTest, AReplayWritesNothingAndLeavesTheTransaction) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-2", 1000, 1300)));
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("alice")));
  ASSERT_EQ(store_->complete_login("relay-1", 1100, record("_a1", "alice"))->outcome,
            store::Store::LoginOutcome::Completed);
  auto again = store_->complete_login("relay-2", 1150, record("_a1", "alice"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, store::Store::LoginOutcome::Replay);
  EXPECT_TRUE(store_->find_transaction("relay-2", 1150)->has_value());
  EXPECT_EQ((*store_->find_user("alice"))->last_login, 1100);
}

TEST_F(CompleteLoginTest, ATransactionGoneOrExpiredLeavesTheAssertionUnrecorded) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  auto expired = store_->complete_login("relay-1", 1300, record("_a1", "alice"));
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->outcome, store::Store::LoginOutcome::TransactionGone);
  auto unknown = store_->complete_login("relay-9", 1100, record("_a2", "alice"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->outcome, store::Store::LoginOutcome::TransactionGone);
  EXPECT_EQ(count("seen_assertions"), "0");
}

TEST_F(CompleteLoginTest, ADisabledUserIsNeitherRecordedNorReturned) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("alice")));
  ASSERT_TRUE(store_->set_disabled("alice", true));
  const auto before = (*store_->find_user("alice"))->last_login;
  auto done = store_->complete_login("relay-1", 1100, record("_a1", "alice"));
  ASSERT_TRUE(done);
  EXPECT_FALSE(done->user);
  EXPECT_EQ((*store_->find_user("alice"))->last_login, before);
}

TEST_F(CompleteLoginTest, OversizedValuesAreRefusedBeforeAnyWrite) {
  ASSERT_TRUE(store_->add_transaction(sample_transaction("relay-1", 1000, 1300)));
  std::string huge(100 * 1024, 'x');
  auto done = store_->complete_login("relay-1", 1100, record(huge, "alice"));
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error().cause, Cause::InvalidInput);
  EXPECT_TRUE(store_->find_transaction("relay-1", 1100)->has_value());
}

}  // namespace
}  // namespace ssoc::test
