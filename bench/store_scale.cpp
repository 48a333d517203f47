// Scale of the store (SQLite): the store work of a login and get-or-create of a master password
// with 10 k, 100 k and 1 M users, beside the same at 1 k users (the peer, same run, same file),
// with the depth of the users table's B-tree and the database size per user. What must hold:
// latency, p99 included, grows with the user count no more than the B-tree depth does.
//
// Per level, through the real store API (store::Store, opened afresh on the filled file as after
// a restart, then warmed up by untimed logins):
//  - login of an existing user (random among all): add_transaction (GET /sso/login), then
//    find_transaction + complete_login (POST /saml/acs: replay cache, transaction taken, login
//    time; one commit, synchronous=NORMAL);
//  - get-or-create, existing user: insert_user_if_absent of a user that is stored (one read);
//  - get-or-create, new user: generate_master_password + MasterPasswordCipher::seal +
//    insert_user_if_absent (a durable commit: fsync of the WAL), at ids scattered over the key
//    range as real e-mail addresses are.
//
// The bulk of the users is written beforehand through a connection of this program, with the
// store's own INSERT statement (so its triggers keep user_count and sync_revision) in
// transactions of 20,000 rows without syncing; every row is what the store writes: its own
// generated master password sealed for its own id (AES-256-GCM, associated data naming the id),
// inserted in a scattered order so the pages fill as they do when users arrive one by one.
// Depth and sizes come from SQLite's dbstat table after a full checkpoint.
//
//   bench_store_scale [--quick] [--max-users N] [--logins N] [--creates N]
#include <sqlite3.h>
#include <time.h>

#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include "bench_util.hpp"
#include "common/encoding.hpp"
#include "common/log.hpp"
#include "common/openssl.hpp"
#include "store/store.hpp"
#include "support/test_env.hpp"
#include "vault/master_password.hpp"

namespace ssoc::bench {
namespace {

namespace fs = std::filesystem;

// The store's InsertUser statement (src/store/statements.cpp), word for word.
constexpr const char* kInsertUser =
    "INSERT INTO users (id, email, first_name, last_name, encrypted_password, key_id, created, "
    "last_login, disabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING";
constexpr std::size_t kFillBatch = 20000;
// A prime above every level: k * kStride mod n visits 0..n-1 once each, in a scattered order.
constexpr std::uint64_t kStride = 1000003;

template <class T>
T must(Result<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().describe());
  return std::move(r).value();
}
void must(Result<void> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().describe());
}

std::string user_id(std::uint64_t n) {
  return "user" + std::to_string(n) + "@example.test";
}

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StatementCloser {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};

// This program's own connection to the file, for the bulk fill and the statistics.
class Direct {
 public:
  explicit Direct(const fs::path& file) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + file.string());
    // The fill needs no durability (a crash only spoils the benchmark) and a cache that holds
    // the whole table, or it would measure the disk instead of writing rows.
    exec("PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576");
  }
  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string why = message ? message : "?";
      sqlite3_free(message);
      throw std::runtime_error(std::string(sql) + ": " + why);
    }
  }
  std::unique_ptr<sqlite3_stmt, StatementCloser> prepare(const char* sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string(sql) + ": " + sqlite3_errmsg(db_.get()));
    return std::unique_ptr<sqlite3_stmt, StatementCloser>(raw);
  }
  std::int64_t integer(const char* sql) {
    auto s = prepare(sql);
    if (sqlite3_step(s.get()) != SQLITE_ROW)
      throw std::runtime_error(std::string("no row: ") + sql);
    return sqlite3_column_int64(s.get(), 0);
  }

 private:
  std::unique_ptr<sqlite3, DbCloser> db_;
};

// Inserts users lo..hi-1 (an id taken already, by a get-or-create of the level before, is
// skipped by the statement's ON CONFLICT, as the store would).
void fill(Direct& db, const vault::MasterPasswordCipher& cipher, std::uint64_t lo, std::uint64_t hi,
          std::int64_t now) {
  auto insert = db.prepare(kInsertUser);
  const std::uint64_t n = hi - lo;
  db.exec("BEGIN");
  for (std::uint64_t k = 0; k < n; ++k) {
    std::string id = user_id(lo + (k * kStride) % n);
    std::string last = "User" + id.substr(4, id.find('@') - 4);
    Bytes sealed =
        must(cipher.seal(must(vault::generate_master_password(), "generate"), id), "seal");
    sqlite3_stmt* s = insert.get();
    sqlite3_bind_text(s, 1, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_text(s, 2, id.data(), static_cast<int>(id.size()), SQLITE_STATIC);
    sqlite3_bind_text(s, 3, "Bench", -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, last.data(), static_cast<int>(last.size()), SQLITE_STATIC);
    sqlite3_bind_blob(s, 5, sealed.data(), static_cast<int>(sealed.size()), SQLITE_STATIC);
    sqlite3_bind_text(s, 6, cipher.key_id().data(), static_cast<int>(cipher.key_id().size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(s, 7, now);
    sqlite3_bind_int64(s, 8, now);
    sqlite3_bind_int64(s, 9, 0);
    if (sqlite3_step(s) != SQLITE_DONE) throw std::runtime_error("bulk insert failed");
    sqlite3_reset(s);
    if ((k + 1) % kFillBatch == 0) db.exec("COMMIT; BEGIN");
  }
  db.exec("COMMIT");
}

struct Shape {
  std::int64_t depth = 0, pages = 0, leaves = 0, table_bytes = 0, file_bytes = 0, page_size = 0;
};

// After a full checkpoint (the WAL emptied into the file): the users table's B-tree from dbstat
// (depth = slashes in the path of its deepest page: "/" is the root, "/000/" a child of it).
Shape shape(const fs::path& file) {
  Direct db(file);
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  Shape s;
  s.depth = db.integer(
      "SELECT max(length(path) - length(replace(path, '/', ''))) FROM dbstat "
      "WHERE name = 'users' AND pagetype <> 'overflow'");
  s.pages = db.integer("SELECT count(*) FROM dbstat WHERE name = 'users'");
  s.leaves = db.integer("SELECT count(*) FROM dbstat WHERE name = 'users' AND pagetype = 'leaf'");
  s.table_bytes = db.integer("SELECT sum(pgsize) FROM dbstat WHERE name = 'users'");
  s.page_size = db.integer("PRAGMA page_size");
  s.file_bytes = static_cast<std::int64_t>(fs::file_size(file));
  return s;
}

struct Sample {
  std::vector<double> login, login_cpu, complete, existing, create;
};

// CPU time of the calling thread: unlike wall time it leaves out waits for other processes on
// a shared machine (and the store's waits for its locks and the disk).
double thread_cpu_us() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

double at(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

std::string random_b64url(std::size_t bytes) {
  return base64url_encode(must(ossl::random_bytes(bytes), "random"));
}

// What a login writes and reads, made before the timing.
struct LoginInput {
  store::LoginTransaction t;
  std::string assertion_id, user;
};

LoginInput login_input(std::uint64_t user, std::int64_t now) {
  LoginInput in;
  SecretBytes key = must(ossl::random_bytes(44), "random");  // an X25519 SPKI DER is 44 bytes
  in.t = {.id = random_b64url(32),
          .request_id = "_" + hex_encode(must(ossl::random_bytes(20), "random")),
          .client_key = Bytes(key.begin(), key.end()),
          .redirect_uri = "http://127.0.0.1:53682/callback",
          .state = random_b64url(16),
          .created = now,
          .expires = now + 300};
  in.assertion_id = "_" + hex_encode(must(ossl::random_bytes(20), "random"));
  in.user = user_id(user);
  return in;
}

struct LoginTimes {
  double total, cpu, complete;
};

// One login's store work: wall time of the whole and of complete_login alone, CPU time of the
// whole.
LoginTimes login(store::Store& store, const LoginInput& in, std::int64_t now) {
  auto t0 = Clock::now();
  double cpu0 = thread_cpu_us();
  must(store.add_transaction(in.t), "add_transaction");
  auto found = must(store.find_transaction(in.t.id, now), "find_transaction");
  if (!found) throw std::runtime_error("transaction not found");
  auto t1 = Clock::now();
  store::Store::LoginRecord record{.assertion_id = in.assertion_id,
                                   .replay_until = now + 480,
                                   .user_id = in.user,
                                   .email = in.user,
                                   .first_name = "Bench",
                                   .last_name = "User"};
  auto done = must(store.complete_login(in.t.id, now, record), "complete_login");
  double total = ms_since(t0), complete = ms_since(t1), cpu = thread_cpu_us() - cpu0;
  if (done.outcome != store::Store::LoginOutcome::Completed || !done.user)
    throw std::runtime_error("login of " + in.user + " not completed with its user");
  return {total * 1000.0, cpu, complete * 1000.0};
}

Sample measure(const fs::path& file, const vault::MasterPasswordCipher& cipher, std::uint64_t users,
               std::size_t logins, std::size_t creates, std::int64_t now) {
  auto store = must(store::Store::open(file), "open the store");
  if (store->user_count() != users)
    throw std::runtime_error("expected " + std::to_string(users) + " users, found " +
                             std::to_string(store->user_count()));
  std::mt19937_64 random(users);
  std::uniform_int_distribution<std::uint64_t> pick(0, users - 1);
  std::vector<LoginInput> inputs;
  for (std::size_t i = 0; i < logins + logins / 5; ++i)
    inputs.push_back(login_input(pick(random), now));
  Sample s;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    LoginTimes t = login(*store, inputs[i], now);
    if (i < logins / 5) continue;  // warm-up: the store's page cache after a restart
    s.login.push_back(t.total);
    s.login_cpu.push_back(t.cpu);
    s.complete.push_back(t.complete);
  }
  for (std::size_t i = 0; i < logins / 2; ++i) {
    std::string id = user_id(pick(random));
    store::User user{
        .id = id,
        .email = id,
        .first_name = "Bench",
        .last_name = "User",
        .encrypted_password =
            must(cipher.seal(must(vault::generate_master_password(), "generate"), id), "seal"),
        .key_id = cipher.key_id(),
        .created = now,
        .last_login = now};
    auto t0 = Clock::now();
    auto got = must(store->insert_user_if_absent(user), "insert_user_if_absent");
    s.existing.push_back(ms_since(t0) * 1000.0);
    if (got.second) throw std::runtime_error(id + " was created although it existed");
  }
  // New users take the ids just above the level: scattered among the existing ones by key.
  for (std::size_t i = 0; i < creates; ++i) {
    std::string id = user_id(users + i);
    auto t0 = Clock::now();
    SecretBytes password = must(vault::generate_master_password(), "generate");
    store::User user{.id = id,
                     .email = id,
                     .first_name = "Bench",
                     .last_name = "User",
                     .encrypted_password = must(cipher.seal(password, id), "seal"),
                     .key_id = cipher.key_id(),
                     .created = now,
                     .last_login = now};
    auto got = must(store->insert_user_if_absent(user), "insert_user_if_absent");
    s.create.push_back(ms_since(t0) * 1000.0);
    if (!got.second) throw std::runtime_error(id + " existed already");
  }
  return s;
}

}  // namespace
}  // namespace ssoc::bench

int main(int argc, char** argv) {
  using namespace ssoc;
  using namespace ssoc::bench;
  const bool quick = bench::quick(argc, argv);
  std::uint64_t max_users = quick ? 1000 : 1000000;
  std::size_t logins = quick ? 300 : 20000, creates = quick ? 50 : 500;
  for (int i = 1; i + 1 < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--max-users")
      max_users = std::stoull(argv[++i]);
    else if (arg == "--logins")
      logins = std::stoul(argv[++i]);
    else if (arg == "--creates")
      creates = std::stoul(argv[++i]);
  }
  log::set_threshold(log::Level::Warn);
  try {
    test::TempDir dir;
    fs::path file = dir / "ssoconnect.db";
    // The schema exactly as the store makes it.
    must(store::Store::open(file), "create the store");
    auto cipher = must(
        vault::MasterPasswordCipher::create(must(ossl::random_bytes(32), "random"), "1"), "cipher");
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    std::printf(
        "Store scale (SQLite %s, %u cores): per level %zu logins of random existing users, "
        "%zu get-or-create of existing users, %zu of new users; times in us\n",
        sqlite3_libversion(), std::thread::hardware_concurrency(), logins, logins / 2, creates);
    std::printf("  %9s  %17s  %17s  %17s  %17s  %17s\n", "", "login", "login", "of it",
                "get-or-create", "get-or-create");
    std::printf("  %9s  %17s  %17s  %17s  %17s  %17s\n", "users", "store work", "CPU time",
                "complete_login", "existing user", "new user (fsync)");
    std::printf("  %9s  %8s %8s  %8s %8s  %8s %8s  %8s %8s  %8s %8s\n", "", "p50", "p99", "p50",
                "p99", "p50", "p99", "p50", "p99", "p50", "p99");
    struct Level {
      std::uint64_t users;
      Sample sample;
      Shape shape;
      double fill_s;
    };
    std::vector<Level> done;
    std::uint64_t filled = 0;
    for (std::uint64_t level : {1000ull, 10000ull, 100000ull, 1000000ull}) {
      if (level > max_users) break;
      auto t0 = Clock::now();
      {
        Direct db(file);
        fill(db, cipher, filled, level, now);
      }
      double fill_s = ms_since(t0) / 1000.0;
      Sample sample = measure(file, cipher, level, logins, creates, now);
      filled = level;
      done.push_back({level, std::move(sample), shape(file), fill_s});
      const Sample& m = done.back().sample;
      std::printf("  %9llu  %8.1f %8.1f  %8.1f %8.1f  %8.1f %8.1f  %8.1f %8.1f  %8.0f %8.0f%s\n",
                  static_cast<unsigned long long>(level), at(m.login, 0.5), at(m.login, 0.99),
                  at(m.login_cpu, 0.5), at(m.login_cpu, 0.99), at(m.complete, 0.5),
                  at(m.complete, 0.99), at(m.existing, 0.5), at(m.existing, 0.99),
                  at(m.create, 0.5), at(m.create, 0.99), done.size() == 1 ? "   (peer)" : "");
      std::fflush(stdout);
    }
    std::printf("\n  %9s  %5s %7s %8s  %10s %10s  %10s %10s  %6s\n", "users", "depth", "leaves",
                "interior", "users MB", "bytes/user", "file MB", "bytes/user", "fill s");
    for (const Level& l : done) {
      const double users = static_cast<double>(l.users + creates);
      std::printf("  %9llu  %5lld %7lld %8lld  %10.1f %10.0f  %10.1f %10.0f  %6.1f\n",
                  static_cast<unsigned long long>(l.users), static_cast<long long>(l.shape.depth),
                  static_cast<long long>(l.shape.leaves),
                  static_cast<long long>(l.shape.pages - l.shape.leaves),
                  static_cast<double>(l.shape.table_bytes) / 1e6,
                  static_cast<double>(l.shape.table_bytes) / users,
                  static_cast<double>(l.shape.file_bytes) / 1e6,
                  static_cast<double>(l.shape.file_bytes) / users, l.fill_s);
    }
    // The claim to check: growth over the peer no larger than the depth's growth.
    std::printf("\n  relative to the peer (%llu users):\n",
                static_cast<unsigned long long>(done[0].users));
    for (const Level& l : done) {
      const Sample& a = done[0].sample;
      const Sample& b = l.sample;
      std::printf(
          "  %9llu  depth x%.2f   login p50 x%.2f p99 x%.2f (CPU p99 x%.2f)   existing p50 "
          "x%.2f p99 x%.2f   new p50 x%.2f p99 x%.2f\n",
          static_cast<unsigned long long>(l.users),
          static_cast<double>(l.shape.depth) / static_cast<double>(done[0].shape.depth),
          at(b.login, 0.5) / at(a.login, 0.5), at(b.login, 0.99) / at(a.login, 0.99),
          at(b.login_cpu, 0.99) / at(a.login_cpu, 0.99), at(b.existing, 0.5) / at(a.existing, 0.5),
          at(b.existing, 0.99) / at(a.existing, 0.99), at(b.create, 0.5) / at(a.create, 0.5),
          at(b.create, 0.99) / at(a.create, 0.99));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_store_scale: %s\n", e.what());
    return 1;
  }
  return 0;
}
