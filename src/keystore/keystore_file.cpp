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

#include "keystore/keystore_contents.hpp"

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

Error unreadable(int err, const KeystoreSource& source) {
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return source.refuse(source.what() + " does not exist; put the keystore there or correct " +
                           std::string(source.file_key()));
    case EACCES:
    case EPERM:
      return source.refuse(source.what() + " cannot be read by this user (" + std::strerror(err) +
                           "); give the service's user read access to it");
    default:
      return source.refuse(source.what() + " cannot be read (" + std::strerror(err) +
                           "); check the file and the disk, then retry");
  }
}

Error too_large(const KeystoreSource& source) {
  return source.refuse(source.what() + " is larger than " +
                       std::to_string(kMaxKeystoreFileSize >> 20) +
                       " MiB, far more than a key with its certificate chain; check that " +
                       std::string(source.file_key()) +
                       " names the PKCS#12, PEM or JKS file with this server's certificate");
}

bool starts_with(ByteView content, std::string_view prefix) {
  return content.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), content.begin(),
                    [](char a, std::uint8_t b) { return static_cast<std::uint8_t>(a) == b; });
}

}  // namespace

Result<SecretBytes> read_keystore_file(const KeystoreSource& source) {
  const fs::path& file = source.file();
  // O_NONBLOCK: opening a FIFO must not hang; it is refused below as not a regular file.
  FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return unreadable(errno, source);
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0) return unreadable(errno, source);
  if (!S_ISREG(info.st_mode)) {
    return source.refuse(source.what() + " is not a regular file; point " +
                         std::string(source.file_key()) + " at the PKCS#12, PEM or JKS file");
  }
  if (static_cast<std::uintmax_t>(info.st_size) > kMaxKeystoreFileSize) return too_large(source);

  // One byte more than fstat's size, to notice a file that grew since; the buffer then grows up
  // to one byte more than the limit (a reallocation wipes the old buffer).
  SecretBytes data(static_cast<std::size_t>(info.st_size) + 1);
  std::size_t total = 0;
  while (total < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + total, data.size() - total);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return unreadable(errno, source);
    if (n == 0) break;
    total += static_cast<std::size_t>(n);
    if (total == data.size() && data.size() <= kMaxKeystoreFileSize)
      data.resize(std::min(data.size() * 2, kMaxKeystoreFileSize + 1));
  }
  if (total > kMaxKeystoreFileSize) return too_large(source);
  if (total == 0) {
    return source.refuse(source.what() +
                         " is empty; export the server's certificate chain (PKCS#12, PEM or JKS) "
                         "into it");
  }
  data.resize(total);
  return data;
}

KeystoreFormat detect_keystore_format(const fs::path& file, ByteView content) {
  if (starts_with(content, "\xFE\xED\xFE\xED") || starts_with(content, "\xCE\xCE\xCE\xCE"))
    return KeystoreFormat::Jks;
  std::string extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (extension == ".p12" || extension == ".pfx") return KeystoreFormat::Pkcs12;
  if (extension == ".pem" || extension == ".crt" || extension == ".cer") return KeystoreFormat::Pem;

  constexpr std::string_view kBegin = "-----BEGIN ";
  if (std::search(content.begin(), content.end(), kBegin.begin(), kBegin.end(),
                  [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); }) !=
      content.end())
    return KeystoreFormat::Pem;
  if (!content.empty() && content.front() == 0x30) return KeystoreFormat::Pkcs12;
  return KeystoreFormat::Unknown;
}

Result<KeystoreContents> read_keystore_contents(const KeystoreSource& source,
                                                const SecretBytes& password) {
  SecretBytes content = TRY(read_keystore_file(source));
  switch (detect_keystore_format(source.file(), content)) {
    case KeystoreFormat::Pkcs12: return read_pkcs12(content, password, source);
    case KeystoreFormat::Pem: return read_pem(content, password, source);
    case KeystoreFormat::Jks: return read_jks(content, password, source);
    case KeystoreFormat::Unknown: break;
  }
  return source.refuse(source.what() +
                       " is neither a PKCS#12, a PEM nor a Java KeyStore (JKS) file; point " +
                       std::string(source.file_key()) +
                       " at a .p12/.pfx, .pem or .jks file with the server's key and certificate "
                       "chain");
}

}  // namespace ssoc::keystore
