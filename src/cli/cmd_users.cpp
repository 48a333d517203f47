// `ssoconnect users list | show ID | delete ID`: the users this connector knows, read from the
// store (ssoconnect.db). Nothing here decrypts a master password; `show` prints the key id a
// user's password is encrypted under, never the password. Deleting a user means the next login
// of that user generates a new master password, which cannot open the old vault: the command
// says so.
#include <cstdio>
#include <ctime>

#include "cli/invocation.hpp"
#include "datadir/folder_check.hpp"
#include "saml/saml_time.hpp"
#include "store/store.hpp"

namespace ssoc::cli {
namespace {

std::string when(std::int64_t seconds) {
  return seconds == 0 ? "-" : saml::format_saml_time(seconds);
}

int list(store::Store& store) {
  auto users = store.list_users();
  if (!users) return report(users.error());
  std::printf("%-40s %-20s %-20s %-8s %s\n", "USER", "CREATED", "LAST LOGIN", "STATE", "NAME");
  for (const store::User& u : *users)
    std::printf("%-40s %-20s %-20s %-8s %s %s\n", u.id.c_str(), when(u.created).c_str(),
                when(u.last_login).c_str(), u.disabled ? "disabled" : "active",
                u.first_name.c_str(), u.last_name.c_str());
  std::printf("%zu user%s\n", users->size(), users->size() == 1 ? "" : "s");
  return 0;
}

int show(store::Store& store, const std::string& id) {
  auto user = store.find_user(id);
  if (!user) return report(user.error());
  if (!*user) {
    std::fprintf(stderr, "ssoconnect: no user %s\n", id.c_str());
    return 1;
  }
  const store::User& u = **user;
  std::printf(
      "user: %s\nemail: %s\nfirst_name: %s\nlast_name: %s\ncreated: %s\nlast_login: %s\n"
      "state: %s\nmaster_key_id: %s\n",
      u.id.c_str(), u.email.c_str(), u.first_name.c_str(), u.last_name.c_str(),
      when(u.created).c_str(), when(u.last_login).c_str(), u.disabled ? "disabled" : "active",
      u.key_id.c_str());
  return 0;
}

int remove(store::Store& store, const std::string& id) {
  auto deleted = store.delete_user(id);
  if (!deleted) return report(deleted.error());
  if (!*deleted) {
    std::fprintf(stderr, "ssoconnect: no user %s\n", id.c_str());
    return 1;
  }
  std::printf(
      "deleted %s; a next login of this user makes a new master password, which does not "
      "open the old vault\n",
      id.c_str());
  return 0;
}

}  // namespace

int cmd_users(const Invocation& inv) {
  const auto& args = inv.args;
  if (args.empty()) return usage("users needs list, show ID or delete ID");
  const std::string& verb = args[0];
  if (verb == "list" ? args.size() != 1 : args.size() != 2 || (verb != "show" && verb != "delete"))
    return usage("users needs list, show ID or delete ID");
  if (auto checked = datadir::check_folder(inv.data_dir); !checked) return report(checked.error());
  auto store = store::Store::open(inv.data_dir / "ssoconnect.db");
  if (!store) return report(store.error());
  if (verb == "list") return list(**store);
  if (verb == "show") return show(**store, args[1]);
  return remove(**store, args[1]);
}

}  // namespace ssoc::cli
