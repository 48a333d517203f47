// `ssoconnect users list | show ID | delete ID` through the real binary, on a real store.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "cli/cli_support.hpp"
#include "store/store.hpp"

namespace ssoc::test {
namespace {

struct UsersFolder {
  TempDir dir;
  fs::path data = dir / "data";
  UsersFolder() {
    fs::create_directories(data);
    ::chmod(data.c_str(), 0700);
    auto store = store::Store::open(data / "ssoconnect.db");
    if (!store) throw std::runtime_error(store.error().describe());
    for (const char* id : {"alice@example.test", "bob@example.test"}) {
      store::User user{id, id, "First", "Last", Bytes(60, 7), "1", 1796150438, 1796150500, false};
      if (!(*store)->insert_user_if_absent(user)) throw std::runtime_error("insert");
    }
  }
  CliResult users(const std::vector<std::string>& args) const {
    std::vector<std::string> all{"--data-dir", data.string(), "--log-file", (dir / "log").string(),
                                 "users"};
    all.insert(all.end(), args.begin(), args.end());
    return run_cli(all);
  }
};

TEST(Users, ListsShowsAndDeletesUsers) {
  UsersFolder fx;
  CliResult list = fx.users({"list"});
  EXPECT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.out.find("alice@example.test"), std::string::npos);
  EXPECT_NE(list.out.find("bob@example.test"), std::string::npos);
  EXPECT_NE(list.out.find("2026-12-01T18:40:38Z"), std::string::npos);
  EXPECT_NE(list.out.find("2 users"), std::string::npos);

  CliResult show = fx.users({"show", "alice@example.test"});
  EXPECT_EQ(show.status, 0) << show.err;
  EXPECT_NE(show.out.find("user: alice@example.test\n"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("state: active\n"), std::string::npos);
  EXPECT_NE(show.out.find("master_key_id: 1\n"), std::string::npos);

  CliResult removed = fx.users({"delete", "alice@example.test"});
  EXPECT_EQ(removed.status, 0) << removed.err;
  EXPECT_NE(removed.out.find("new master password"), std::string::npos);
  CliResult after = fx.users({"list"});
  EXPECT_EQ(after.out.find("alice@example.test"), std::string::npos);
  EXPECT_NE(after.out.find("1 user\n"), std::string::npos);
}

TEST(Users, UnknownUsersAndBadArgumentsAreRefused) {
  UsersFolder fx;
  CliResult show = fx.users({"show", "nobody@example.test"});
  EXPECT_EQ(show.status, 1);
  EXPECT_NE(show.err.find("no user nobody@example.test"), std::string::npos);
  EXPECT_EQ(fx.users({"delete", "nobody@example.test"}).status, 1);
  EXPECT_EQ(fx.users({}).status, 2);
  EXPECT_EQ(fx.users({"list", "extra"}).status, 2);
  EXPECT_EQ(fx.users({"show"}).status, 2);
  EXPECT_EQ(fx.users({"rename", "a", "b"}).status, 2);
  // Nothing was deleted by the refusals.
  EXPECT_NE(fx.users({"list"}).out.find("2 users"), std::string::npos);
}

TEST(Users, AMissingFolderIsDataFolderMissing) {
  UsersFolder fx;
  CliResult r = run_cli({"--data-dir", (fx.dir / "absent").string(), "users", "list"});
  EXPECT_EQ(r.status, 3);
  EXPECT_NE(r.err.find("data-folder-missing"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ssoc::test
