// Helpers for the backup tests: a configured data folder on a fresh SoftHSM2 token, the folders
// beside it, and archives written byte by byte (independently of src/backup) to make broken ones.
#pragma once

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "common/openssl.hpp"
#include "settings/folder_settings.hpp"
#include "sks/hsm_connection.hpp"
#include "sks/instance_key.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::backup::test {

namespace fs = std::filesystem;
using ssoc::test::FolderFixture;

// The names in `dir` that start with "data" (the data folder and anything restore puts beside it).
inline std::set<std::string> data_siblings(const fs::path& dir) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with("data")) names.insert(name);
  }
  return names;
}

inline std::vector<std::string> siblings_starting(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& name : data_siblings(dir))
    if (name.starts_with(prefix)) found.push_back(name);
  return found;
}

// Every file of `folder` with its bytes, lock files left out (as FolderFixture::snapshot).
inline std::map<std::string, Bytes> snapshot_of(const fs::path& folder) {
  std::map<std::string, Bytes> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    std::string name = entry.path().filename().string();
    if (!name.ends_with(".lock")) files[name] = ssoc::test::read_all(entry.path());
  }
  return files;
}

inline void delete_key(const sks::SksConfig& config) {
  sks::HsmConnection hsm = sks::HsmConnection::open(config, true).value();
  ASSERT_GT(sks::delete_instance_key(hsm.session(), config.key).value(), 0);
}

inline bool same_settings(const settings::FolderSettings& a, const settings::FolderSettings& b) {
  return a.instance.entries() == b.instance.entries() && a.shared.entries() == b.shared.entries();
}

// One entry of a hand-made archive; `size` overrides the recorded size when set.
struct RawEntry {
  RawEntry(std::string name, Bytes contents, std::uint16_t mode = 0600,
           std::optional<std::uint64_t> size = std::nullopt)
      : name(std::move(name)), contents(std::move(contents)), mode(mode), size(size) {}
  std::string name;
  Bytes contents;
  std::uint16_t mode;
  std::optional<std::uint64_t> size;
};

inline void put(Bytes& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}
inline void put(Bytes& out, std::string_view text) {
  out.insert(out.end(), text.begin(), text.end());
}

// An archive as archive_format.hpp describes it, with correct hashes.
inline Bytes raw_archive(const std::vector<RawEntry>& entries,
                         std::string_view magic = "SSOCBKP1") {
  Bytes manifest;
  put(manifest, 1700000000, 8);
  put(manifest, 12, 1);
  put(manifest, "123456789012");
  put(manifest, 0, 1);
  put(manifest, entries.size(), 2);
  for (const RawEntry& e : entries) {
    put(manifest, e.name.size(), 1);
    put(manifest, e.name);
    put(manifest, e.mode, 2);
    put(manifest, e.size.value_or(e.contents.size()), 8);
    Bytes digest = ossl::sha256(e.contents);
    manifest.insert(manifest.end(), digest.begin(), digest.end());
  }
  Bytes out;
  put(out, magic);
  put(out, 1, 2);
  put(out, manifest.size(), 4);
  out.insert(out.end(), manifest.begin(), manifest.end());
  for (const RawEntry& e : entries) out.insert(out.end(), e.contents.begin(), e.contents.end());
  Bytes digest = ossl::sha256(out);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

// Replaces the final SHA-256 so that only the change made before it is wrong.
inline void reseal(Bytes& archive) {
  archive.resize(archive.size() - 32);
  Bytes digest = ossl::sha256(archive);
  archive.insert(archive.end(), digest.begin(), digest.end());
}

inline Bytes text_bytes(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

inline std::size_t find_text(const Bytes& haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end());
  return it == haystack.end() ? std::string::npos : static_cast<std::size_t>(it - haystack.begin());
}

}  // namespace ssoc::backup::test
