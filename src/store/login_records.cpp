// The short-lived records of logins: transactions (DESIGN step 2) and the replay cache (step 3).
#include "store/input_limits.hpp"
#include "store/store.hpp"
#include "store/store_state.hpp"

namespace ssoc::store {
namespace {

// Rows removed per batch by purge_expired; each batch holds the lock for a few milliseconds.
constexpr std::int64_t kPurgeBatch = 500;

bool is_primary_key_conflict(int rc) {
  return rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE;
}

// Runs a statement that yields at most one transaction row (request_id, client_key,
// redirect_uri, state, created, expires) for `id`, to its end; the row if it is live at `now`.
Result<std::optional<LoginTransaction>> one_transaction(Query& query, std::string_view id,
                                                        std::int64_t now) {
  query.bind(id);
  if (!TRY(query.step())) return std::optional<LoginTransaction>();
  LoginTransaction t{.id = std::string(id),
                     .request_id = query.text(0),
                     .client_key = query.blob(1),
                     .redirect_uri = query.text(2),
                     .state = query.text(3),
                     .created = query.integer(4),
                     .expires = query.integer(5)};
  // Finishing the statement commits a delete; only a committed take hands the row out.
  TRY(query.run());
  if (now >= t.expires) return std::optional<LoginTransaction>();
  return std::optional<LoginTransaction>(std::move(t));
}

}  // namespace

Result<void> Store::add_transaction(const LoginTransaction& t) {
  TRY(check_transaction(t));
  std::lock_guard lock(state_->mutex);
  Query query = state_->statements[Sql::AddTransaction].use("record a login transaction");
  query.bind(t.id).bind(t.request_id).bind(t.client_key).bind(t.redirect_uri).bind(t.state);
  query.bind(t.created).bind(t.expires);
  Result<void> added = query.run();
  if (!added && is_primary_key_conflict(query.failure_code())) {
    return fail(Cause::InvalidInput,
                "a login transaction with this id is recorded already; it was not replaced. "
                "Start the login again (each one needs a fresh random id).");
  }
  return added;
}

Result<std::optional<LoginTransaction>> Store::find_transaction(std::string_view id,
                                                                std::int64_t now) {
  TRY(check_id("the login transaction id", id));
  std::lock_guard lock(state_->mutex);
  Query query = state_->statements[Sql::FindTransaction].use("read a login transaction");
  return one_transaction(query, id, now);
}

Result<std::optional<LoginTransaction>> Store::take_transaction(std::string_view id,
                                                                std::int64_t now) {
  TRY(check_id("the login transaction id", id));
  std::lock_guard lock(state_->mutex);
  // One statement: the row is gone once it has been read, so no two calls can both get it.
  Query query = state_->statements[Sql::TakeTransaction].use("take a login transaction");
  return one_transaction(query, id, now);
}

Result<bool> Store::remember_assertion(std::string_view assertion_id, std::int64_t expires) {
  TRY(check_id("the assertion id", assertion_id));
  std::lock_guard lock(state_->mutex);
  Query query = state_->statements[Sql::RememberAssertion].use("record an assertion id");
  query.bind(assertion_id).bind(expires);
  TRY(query.run());
  return query.changes() == 1;
}

Result<Store::CompletedLogin> Store::complete_login(std::string_view transaction_id,
                                                    std::int64_t now, const LoginRecord& login) {
  TRY(check_id("the login transaction id", transaction_id));
  TRY(check_id("the assertion id", login.assertion_id));
  TRY(check_id("the user id", login.user_id));
  TRY(check_text("the e-mail address", login.email));
  TRY(check_text("the first name", login.first_name));
  TRY(check_text("the last name", login.last_name));
  StoreState& s = *state_;
  std::lock_guard lock(s.mutex);
  WriteTransaction transaction = TRY(WriteTransaction::begin(s, "record a login"));
  CompletedLogin out;

  Query remember = s.statements[Sql::RememberAssertion].use("record an assertion id");
  remember.bind(login.assertion_id).bind(login.replay_until);
  TRY(remember.run());
  if (remember.changes() != 1) {
    out.outcome = LoginOutcome::Replay;
    return out;  // rolled back
  }
  Query take = s.statements[Sql::TakeTransaction].use("take a login transaction");
  out.transaction = TRY(one_transaction(take, transaction_id, now));
  if (!out.transaction) {
    out.outcome = LoginOutcome::TransactionGone;
    return out;  // rolled back
  }
  // A disabled user's row is left as it is (the login is refused) and not returned.
  Query record = s.statements[Sql::RecordEnabledLogin].use("record a login");
  record.bind(login.user_id).bind(login.email).bind(login.first_name).bind(login.last_name);
  record.bind(now);
  TRY(record.run());
  if (record.changes() == 1) out.user = TRY(find_user_row(s, login.user_id));
  TRY(transaction.commit());
  out.outcome = LoginOutcome::Completed;
  return out;
}

Result<std::size_t> Store::purge_expired(std::int64_t now) {
  std::size_t removed = 0;
  for (Sql purge : {Sql::PurgeTransactions, Sql::PurgeAssertions}) {
    for (;;) {
      std::lock_guard lock(state_->mutex);
      Query query = state_->statements[purge].use("remove expired login records");
      query.bind(now).bind(kPurgeBatch);
      TRY(query.run());
      const std::int64_t batch = query.changes();
      removed += static_cast<std::size_t>(batch);
      if (batch < kPurgeBatch) break;
    }
  }
  return removed;
}

}  // namespace ssoc::store
