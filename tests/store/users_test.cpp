// Users: insert-if-absent, lookups, logins, listing, deletion, disabling, the sync revision.
#include <cstdio>

#include "store_fixture.hpp"

namespace ssoc::test {
namespace {

using store::User;

class UsersTest : public StoreTest {
 protected:
  void SetUp() override {
    store_ = open_store();
    ASSERT_NE(store_, nullptr);
  }
  std::int64_t revision() {
    auto r = store_->sync_revision();
    EXPECT_TRUE(r);
    return r ? *r : -1;
  }
  std::unique_ptr<store::Store> store_;
};

TEST_F(UsersTest, FindsNothingForUnknownId) {
  auto found = store_->find_user("nobody@example.com");
  ASSERT_TRUE(found);
  EXPECT_FALSE(found->has_value());
}

TEST_F(UsersTest, InsertCreatesAndReturnsStoredRow) {
  User ada = sample_user("ada@example.com");
  ada.disabled = true;
  ada.last_login = 1700000123;
  auto inserted = store_->insert_user_if_absent(ada);
  ASSERT_TRUE(inserted) << inserted.error().describe();
  EXPECT_TRUE(inserted->second);
  EXPECT_EQ(inserted->first, ada);
  auto found = store_->find_user("ada@example.com");
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, ada);
}

TEST_F(UsersTest, InsertOfExistingIdReturnsExistingRowUnchanged) {
  const User first = sample_user("ada@example.com", 1);
  ASSERT_TRUE(store_->insert_user_if_absent(first));
  User second = sample_user("ada@example.com", 3);
  second.key_id = "mk-other";
  auto again = store_->insert_user_if_absent(second);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->second);
  EXPECT_EQ(again->first, first);
  EXPECT_EQ(store_->find_user("ada@example.com")->value(), first);
  EXPECT_EQ(store_->user_count(), 1u);
}

TEST_F(UsersTest, IdsAreCaseAndByteExact) {
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("ada@example.com")));
  EXPECT_FALSE(store_->find_user("ADA@example.com")->has_value());
  EXPECT_FALSE(store_->find_user("ada@example.com ")->has_value());
}

TEST_F(UsersTest, SqlLookingAndBinaryIdsAreStoredVerbatim) {
  const std::vector<std::string> ids = {
      "x'); DROP TABLE users; --",
      "' OR '1'='1",
      "robert\"; DELETE FROM metadata; --",
      "%",
      "_",
      "a%b_c\\",
      std::string("nul\0inside", 10),
      "\xc3\xa9l\xc3\xa8ve@exemple.fr",
      "?1",
  };
  for (const auto& id : ids) {
    auto inserted = store_->insert_user_if_absent(sample_user(id));
    ASSERT_TRUE(inserted) << inserted.error().describe();
    EXPECT_TRUE(inserted->second) << id;
  }
  EXPECT_EQ(store_->user_count(), ids.size());
  for (const auto& id : ids) {
    auto found = store_->find_user(id);
    ASSERT_TRUE(found);
    ASSERT_TRUE(found->has_value()) << id;
    EXPECT_EQ((*found)->id, id);
    EXPECT_EQ((*found)->email, id);
  }
  // Neither a wildcard nor a prefix of the NUL-bearing id matches anything else.
  EXPECT_FALSE(store_->find_user("nul")->has_value());
  EXPECT_FALSE(store_->find_user("a%")->has_value());
  auto listed = store_->list_users();
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), ids.size());
  EXPECT_EQ(query_text(db_path(), "SELECT count(*) FROM metadata"), "3");
}

TEST_F(UsersTest, EmptyNamesStayEmptyStrings) {
  User user = sample_user("nameless@example.com");
  user.first_name.clear();
  user.last_name.clear();
  user.email.clear();
  ASSERT_TRUE(store_->insert_user_if_absent(user));
  EXPECT_EQ(store_->find_user(user.id)->value(), user);
}

TEST_F(UsersTest, RecordLoginUpdatesNamesAndLastLogin) {
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("ada@example.com")));
  ASSERT_TRUE(
      store_->record_login("ada@example.com", "Ada@Example.com", "Augusta", "King", 1800000000));
  User expected = sample_user("ada@example.com");
  expected.email = "Ada@Example.com";
  expected.first_name = "Augusta";
  expected.last_name = "King";
  expected.last_login = 1800000000;
  EXPECT_EQ(store_->find_user("ada@example.com")->value(), expected);
}

TEST_F(UsersTest, RecordLoginOfUnknownUserIsRefused) {
  auto recorded = store_->record_login("ghost@example.com", "g", "G", "H", 1);
  ASSERT_FALSE(recorded);
  EXPECT_EQ(recorded.error().cause, Cause::InvalidInput);
  EXPECT_EQ(store_->user_count(), 0u);
}

TEST_F(UsersTest, ListIsOrderedById) {
  for (const char* id : {"carol@x", "alice@x", "bob@x", "Zed@x"})
    ASSERT_TRUE(store_->insert_user_if_absent(sample_user(id)));
  auto listed = store_->list_users();
  ASSERT_TRUE(listed);
  std::vector<std::string> ids;
  for (const auto& user : *listed) ids.push_back(user.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"Zed@x", "alice@x", "bob@x", "carol@x"}));
  EXPECT_EQ((*listed)[1], sample_user("alice@x"));
}

TEST_F(UsersTest, ListReturnsEveryUserOnceAcrossBatches) {
  // Rows written behind the store's back (the triggers still count them): 2500 users, more
  // than two of list_users' batches.
  store_.reset();
  run_sql(db_path(),
          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2500) "
          "INSERT INTO users SELECT printf('user%05d@x', 2501 - i), '', '', '', x'01', 'k', 0, "
          "0, 0 FROM n;");
  store_ = open_store();
  ASSERT_NE(store_, nullptr);
  EXPECT_EQ(store_->user_count(), 2500u);
  auto listed = store_->list_users();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2500u);
  for (std::size_t i = 0; i < listed->size(); ++i) {
    char expected[32];
    std::snprintf(expected, sizeof expected, "user%05zu@x", i + 1);
    ASSERT_EQ((*listed)[i].id, expected);
  }
}

TEST_F(UsersTest, DeleteRemovesOnlyThatUser) {
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("a@x")));
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("b@x")));
  auto deleted = store_->delete_user("a@x");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  auto again = store_->delete_user("a@x");
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  EXPECT_FALSE(store_->find_user("a@x")->has_value());
  EXPECT_TRUE(store_->find_user("b@x")->has_value());
  EXPECT_EQ(store_->user_count(), 1u);
}

TEST_F(UsersTest, DeletedUserGetsANewRowOnNextInsert) {
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("a@x", 1)));
  ASSERT_TRUE(store_->delete_user("a@x"));
  auto inserted = store_->insert_user_if_absent(sample_user("a@x", 5));
  ASSERT_TRUE(inserted);
  EXPECT_TRUE(inserted->second);
  EXPECT_EQ(inserted->first, sample_user("a@x", 5));
}

TEST_F(UsersTest, SetDisabledChangesOnlyTheFlag) {
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("a@x")));
  auto set = store_->set_disabled("a@x", true);
  ASSERT_TRUE(set);
  EXPECT_TRUE(*set);
  User expected = sample_user("a@x");
  expected.disabled = true;
  EXPECT_EQ(store_->find_user("a@x")->value(), expected);
  ASSERT_TRUE(store_->set_disabled("a@x", false));
  EXPECT_EQ(store_->find_user("a@x")->value(), sample_user("a@x"));
  auto unknown = store_->set_disabled("nobody@x", true);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(*unknown);
}

TEST_F(UsersTest, SyncRevisionCountsEveryChangeToUsersAndNothingElse) {
  EXPECT_EQ(revision(), 0);
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("a@x")));
  EXPECT_EQ(revision(), 1);
  ASSERT_TRUE(store_->insert_user_if_absent(sample_user("a@x")));  // exists: no change
  EXPECT_EQ(revision(), 1);
  ASSERT_TRUE(store_->record_login("a@x", "a@x", "Ada", "Lovelace", 1800000000));
  EXPECT_EQ(revision(), 2);
  ASSERT_TRUE(store_->record_login("a@x", "a@x", "Ada", "Lovelace", 1800000000));  // same values
  EXPECT_EQ(revision(), 2);
  ASSERT_TRUE(store_->set_disabled("a@x", true));
  EXPECT_EQ(revision(), 3);
  ASSERT_TRUE(store_->set_disabled("a@x", true));  // already disabled
  EXPECT_EQ(revision(), 3);
  ASSERT_TRUE(store_->add_transaction(sample_transaction("tx", 1, 2)));
  ASSERT_TRUE(store_->remember_assertion("_a", 2));
  ASSERT_TRUE(store_->find_user("a@x"));
  EXPECT_EQ(revision(), 3);
  ASSERT_TRUE(store_->delete_user("a@x"));
  EXPECT_EQ(revision(), 4);
  ASSERT_TRUE(store_->delete_user("a@x"));  // gone already
  EXPECT_EQ(revision(), 4);
}

TEST_F(UsersTest, UserCountFollowsInsertsAndDeletes) {
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(store_->insert_user_if_absent(sample_user(numbered("u", i))));
  for (int i = 0; i < 50; i += 5) ASSERT_TRUE(store_->delete_user(numbered("u", i)));
  EXPECT_EQ(store_->user_count(), 40u);
  EXPECT_EQ(query_text(db_path(), "SELECT count(*) FROM users"), "40");
}

TEST_F(UsersTest, OversizedOrEmptyValuesAreRefusedAndNothingIsStored) {
  const std::string at_limit(store::kMaxTextBytes, 'i');
  const std::string over(store::kMaxTextBytes + 1, 'i');
  auto check_refused = [&](const User& user, const char* what) {
    auto inserted = store_->insert_user_if_absent(user);
    ASSERT_FALSE(inserted) << what;
    EXPECT_EQ(inserted.error().cause, Cause::InvalidInput) << what;
  };
  User user = sample_user(over);
  check_refused(user, "id");
  user = sample_user("");
  check_refused(user, "empty id");
  user = sample_user("a@x");
  user.email = over;
  check_refused(user, "email");
  user = sample_user("a@x");
  user.first_name = over;
  check_refused(user, "first name");
  user = sample_user("a@x");
  user.last_name = over;
  check_refused(user, "last name");
  user = sample_user("a@x");
  user.key_id = over;
  check_refused(user, "key id");
  user = sample_user("a@x");
  user.encrypted_password = Bytes(store::kMaxBlobBytes + 1, 7);
  check_refused(user, "password");
  user = sample_user("a@x");
  user.encrypted_password.clear();
  check_refused(user, "empty password");
  EXPECT_EQ(store_->user_count(), 0u);

  User big = sample_user(at_limit);
  big.email = big.first_name = big.last_name = big.key_id = at_limit;
  big.encrypted_password = Bytes(store::kMaxBlobBytes, 9);
  auto inserted = store_->insert_user_if_absent(big);
  ASSERT_TRUE(inserted) << inserted.error().describe();
  EXPECT_EQ(store_->find_user(at_limit)->value(), big);

  EXPECT_EQ(cause_of(store_->find_user(over)), Cause::InvalidInput);
  EXPECT_EQ(cause_of(store_->find_user("")), Cause::InvalidInput);
  EXPECT_EQ(cause_of(store_->delete_user(over)), Cause::InvalidInput);
  EXPECT_EQ(cause_of(store_->set_disabled(over, true)), Cause::InvalidInput);
  EXPECT_EQ(cause_of(store_->record_login(at_limit, over, "", "", 1)), Cause::InvalidInput);
  EXPECT_EQ(cause_of(store_->record_login(at_limit, "", over, "", 1)), Cause::InvalidInput);
  EXPECT_EQ(cause_of(store_->record_login(at_limit, "", "", over, 1)), Cause::InvalidInput);
  EXPECT_EQ(store_->find_user(at_limit)->value(), big);
}

}  // namespace
}  // namespace ssoc::test
