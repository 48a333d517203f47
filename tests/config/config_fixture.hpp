// What the wizard and answers tests share: a scripted console, IdP metadata made from a test
// certificate, free and busy ports, folder snapshots.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/wizard.hpp"
#include "support/test_env.hpp"

namespace ssoc::config::test {

namespace fs = std::filesystem;
using ssoc::test::TempDir;

// A Console that answers from a list and records what it was asked and told.
class ScriptedConsole final : public Console {
 public:
  explicit ScriptedConsole(std::vector<std::string> answers)
      : answers_(answers.begin(), answers.end()) {}

  void say(std::string_view line) override { said.emplace_back(line); }
  std::optional<SecretBytes> ask(std::string_view prompt, bool secret) override {
    prompts.emplace_back(prompt);
    secret_prompts.push_back(secret);
    if (answers_.empty()) return std::nullopt;
    std::string answer = answers_.front();
    answers_.pop_front();
    return secret_from(answer);
  }

  std::size_t unused() const { return answers_.size(); }
  std::size_t count(std::string_view prompt) const {
    return static_cast<std::size_t>(std::count(prompts.begin(), prompts.end(), prompt));
  }
  bool said_containing(std::string_view words) const {
    return std::any_of(said.begin(), said.end(), [&](const std::string& line) {
      return line.find(words) != std::string::npos;
    });
  }

  std::vector<std::string> prompts;
  std::vector<bool> secret_prompts;
  std::vector<std::string> said;

 private:
  std::deque<std::string> answers_;
};

using BusyPort = ssoc::test::Listener;
using ssoc::test::free_port;
using ssoc::test::pem_body;

inline bool port_is_free(const char* address, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_port = htons(port);
  ::inet_pton(AF_INET, address, &in.sin_addr);
  bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) == 0;
  ::close(fd);
  return free;
}

inline std::string machine_host_name() {
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  return name;
}

// IdP metadata with `certificate` (base64) as its signing key, or without any signing key.
inline std::string idp_metadata(const std::string& certificate) {
  std::string key_descriptor =
      certificate.empty()
          ? std::string()
          : "    <md:KeyDescriptor "
            "use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>\n" +
                certificate +
                "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n";
  return "<?xml version=\"1.0\"?>\n"
         "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"\n"
         "    xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" "
         "entityID=\"https://idp.test/metadata\">\n"
         "  <md:IDPSSODescriptor "
         "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\n" +
         key_descriptor +
         "    <md:SingleSignOnService "
         "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\"\n"
         "        Location=\"https://idp.test/sso\"/>\n"
         "  </md:IDPSSODescriptor>\n"
         "</md:EntityDescriptor>\n";
}

inline void write_text(const fs::path& file, const std::string& text) {
  ssoc::test::write_all(file, as_bytes(text));
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

// Every file of a folder with its bytes (lock files left out); empty when it does not exist.
inline std::map<std::string, Bytes> snapshot(const fs::path& folder) {
  std::map<std::string, Bytes> files;
  if (!fs::exists(folder)) return files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".lock")) continue;
    files[name] = ssoc::test::read_all(entry.path());
  }
  return files;
}

// The lines of a file.
inline std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// key=value of a properties file (plaintext), "<absent>" when missing.
inline std::string property(const fs::path& file, const std::string& key) {
  for (const std::string& line : lines_of(file)) {
    if (line.starts_with(key + "=")) return line.substr(key.size() + 1);
  }
  return "<absent>";
}

// Where a test's files live: a keystore and metadata made once per test, a data folder that does
// not exist yet.
struct ConfigFiles {
  explicit ConfigFiles(const fs::path& base) {
    fs::create_directories(base / "certs");
    chain = ssoc::test::make_test_chain(base / "certs");
    good_metadata = base / "idp-metadata.xml";
    unsigned_metadata = base / "idp-unsigned.xml";
    write_text(good_metadata, idp_metadata(pem_body(base / "certs" / "leaf.pem")));
    write_text(unsigned_metadata, idp_metadata(""));
    data = base / "data";
  }
  ssoc::test::TestChain chain;
  fs::path good_metadata;
  fs::path unsigned_metadata;
  fs::path data;
};

}  // namespace ssoc::config::test
