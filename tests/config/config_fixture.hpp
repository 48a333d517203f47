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

// A listening TCP socket on 127.0.0.1 (an ephemeral port), closed when the object dies.
class BusyPort {
 public:
  BusyPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(fd_, 1) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(address.sin_port);
  }
  ~BusyPort() { ::close(fd_); }
  BusyPort(const BusyPort&) = delete;
  BusyPort& operator=(const BusyPort&) = delete;
  std::string port() const { return std::to_string(port_); }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

// A port that was free a moment ago (bound to 127.0.0.1:0, then released).
inline std::string free_port() {
  BusyPort probe;
  return probe.port();
}

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

// The base64 body of the first certificate of a PEM file.
inline std::string pem_body(const fs::path& pem) {
  std::ifstream in(pem);
  std::string line, body;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.starts_with("-----BEGIN CERTIFICATE")) {
      inside = true;
    } else if (line.starts_with("-----END CERTIFICATE")) {
      break;
    } else if (inside) {
      body += line + "\n";
    }
  }
  return body;
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
