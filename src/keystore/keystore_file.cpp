#include "keystore/keystore_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

namespace ssoc::keystore {
namespace {

// An open file descriptor, closed when the object dies.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

Error unreadable(int err, const fs::path& file) {
  std::string name = "the certificate chain file " + file.string();
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return fail(Cause::CertificateChainMissing,
                  name + " does not exist; put the keystore there or correct cert_chain_file");
    case EACCES:
    case EPERM:
      return fail(Cause::CertificateChainMissing,
                  name + " cannot be read by this user (" + std::strerror(err) +
                      "); give the service's user read access to it");
    default:
      return fail(Cause::CertificateChainMissing, name + " cannot be read (" + std::strerror(err) +
                                                      "); check the file and the disk, then retry");
  }
}

Error too_large(const fs::path& file) {
  return fail(Cause::CertificateChainMissing,
              "the certificate chain file " + file.string() + " is larger than " +
                  std::to_string(kMaxKeystoreFileSize >> 20) +
                  " MiB, far more than a certificate chain; check that cert_chain_file names "
                  "the PKCS#12 or PEM file with this server's certificate");
}

bool starts_with(ByteView content, std::string_view prefix) {
  return content.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), content.begin(),
                    [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; });
}

}  // namespace

Result<SecretBytes> read_keystore_file(const fs::path& file) {
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return unreadable(errno, file);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return unreadable(errno, file);
  if (!S_ISREG(info.st_mode)) {
    return fail(Cause::CertificateChainMissing,
                "the certificate chain file " + file.string() +
                    " is not a regular file; point cert_chain_file at the PKCS#12 or PEM file");
  }
  if (static_cast<std::uintmax_t>(info.st_size) > kMaxKeystoreFileSize) return too_large(file);

  // One byte more than the limit, to notice a file that grew since fstat.
  SecretBytes data(kMaxKeystoreFileSize + 1);
  std::size_t total = 0;
  while (total < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + total, data.size() - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable(errno, file);
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
  }
  if (total > kMaxKeystoreFileSize) return too_large(file);
  if (total == 0) {
    return fail(Cause::CertificateChainMissing,
                "the certificate chain file " + file.string() +
                    " is empty; export the server's certificate chain (PKCS#12 or PEM) into it");
  }
  data.resize(total);
  return data;
}

KeystoreFormat detect_keystore_format(const fs::path& file, ByteView content) {
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".p12" || extension == ".pfx") return KeystoreFormat::Pkcs12;
  if (extension == ".pem" || extension == ".crt" || extension == ".cer") return KeystoreFormat::Pem;

  if (starts_with(content, "\xFE\xED\xFE\xED") || starts_with(content, "\xCE\xCE\xCE\xCE"))
    return KeystoreFormat::Jks;
  constexpr std::string_view kBegin = "-----BEGIN ";
  if (std::search(content.begin(), content.end(), kBegin.begin(), kBegin.end(),
                  [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }) !=
      content.end())
    return KeystoreFormat::Pem;
  if (!content.empty() && content.front() == 0x30) return KeystoreFormat::Pkcs12;
  return KeystoreFormat::Unknown;
}

}  // namespace ssoc::keystore
