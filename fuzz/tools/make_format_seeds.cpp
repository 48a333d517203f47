// Makes the seed corpora of the binary formats this program writes itself, with its own
// encoders, so that the seeds are files as SSO Connect writes them: .encp files
// (sks::EncpFile::serialize, each IV mode; the ciphertext is real AES-256-GCM under a throwaway
// key) and backup archives (backup::encode of a data folder with SKS off, with SKS on, and
// empty), into fuzz/corpus/encp/ and fuzz/corpus/backup_archive/. Run by hand (fuzz/README.md);
// the output is committed.
#include <openssl/evp.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "backup/archive_format.hpp"
#include "common/openssl.hpp"
#include "sks/encp_file.hpp"

namespace fs = std::filesystem;
using namespace ssoc;

namespace {

void write(const fs::path& file, ByteView bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

template <class T>
T value_of(Result<T> result) {
  if (!result) throw std::runtime_error(result.error().describe());
  return std::move(result).value();
}

// AES-256-GCM of `plaintext` under `key`, with the tag appended, as the HSM returns it.
Bytes seal(ByteView key, ByteView iv, ByteView ad, std::string_view plaintext) {
  ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
  int length = 0;
  Bytes out(plaintext.size() + sks::kGcmTagSize);
  bool ok =
      ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()),
                          nullptr) &&
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data()) &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &length, ad.data(), static_cast<int>(ad.size())) &&
      EVP_EncryptUpdate(ctx.get(), out.data(), &length,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) &&
      EVP_EncryptFinal_ex(ctx.get(), out.data() + length, &length) &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, sks::kGcmTagSize,
                          out.data() + plaintext.size());
  if (!ok) throw std::runtime_error("AES-GCM: " + ossl::last_error());
  return out;
}

}  // namespace

int main() {
  const fs::path fuzz_dir = SSOC_FUZZ_DIR;
  const fs::path corpus = fuzz_dir / "corpus";
  const std::string instance = read_text(corpus / "properties/instance.properties");
  const std::string shared = read_text(corpus / "properties/shared.properties");
  const std::string sks_properties = read_text(corpus / "properties/sks.properties");
  const std::string metadata = read_text(fuzz_dir / "keys/idp-metadata.xml");
  const std::string instance_id = "482913570164";
  const std::string label = "SSO Connect Properties " + instance_id;

  SecretBytes key = value_of(ossl::random_bytes(32));
  Bytes key_id = ossl::sha1(as_bytes("SubjectPublicKeyInfo of sso.test"));
  struct Seed {
    const char* name;
    sks::IvMode mode;
    std::size_t iv_size;
    const char* role;
    const std::string* plaintext;
  };
  const Seed seeds[] = {
      {"instance_caller.encp", sks::IvMode::Caller, 12, "instance", &instance},
      {"shared_hsm.encp", sks::IvMode::Hsm, 12, "shared", &shared},
      {"shared_hsm_appended.encp", sks::IvMode::HsmAppended, 16, "shared", &shared},
  };
  Bytes encp_bytes;
  for (const Seed& seed : seeds) {
    sks::EncpFile file;
    file.header = {seed.mode, label, key_id};
    SecretBytes iv = value_of(ossl::random_bytes(seed.iv_size));
    file.iv.assign(iv.begin(), iv.end());
    file.ciphertext =
        seal(key, file.iv, file.header.associated_data(seed.role, instance_id), *seed.plaintext);
    Bytes bytes = value_of(file.serialize());
    write(corpus / "encp" / seed.name, bytes);
    if (encp_bytes.empty()) encp_bytes = bytes;
  }

  auto archive_of = [&](bool sks_on) {
    backup::Archive archive;
    archive.created = 1796083200;
    archive.instance_id = instance_id;
    if (sks_on) {
      archive.key_label = label;
      archive.entries.push_back({"instance.encp", 0600, encp_bytes});
      archive.entries.push_back({"sks.properties", 0600, as_bytes(sks_properties)});
    } else {
      archive.entries.push_back({"instance.properties", 0600, as_bytes(instance)});
      archive.entries.push_back({"shared.properties", 0600, as_bytes(shared)});
    }
    archive.entries.push_back({"idp-metadata.xml", 0644, as_bytes(metadata)});
    archive.entries.push_back({"empty.txt", 0600, {}});
    return archive;
  };
  write(corpus / "backup_archive/sks_off.ssocbackup", value_of(backup::encode(archive_of(false))));
  write(corpus / "backup_archive/sks_on.ssocbackup", value_of(backup::encode(archive_of(true))));
  write(corpus / "backup_archive/empty.ssocbackup", value_of(backup::encode(backup::Archive{})));
  std::printf("fuzz_make_format_seeds: seeds in %s\n", corpus.c_str());
  return 0;
}
