// Reading a keystore file into memory and telling its format.
#pragma once

#include <cstddef>
#include <filesystem>

#include "common/result.hpp"
#include "common/secret.hpp"

namespace ssoc::keystore {

namespace fs = std::filesystem;

// Largest keystore file read: a chain of a few certificates and a key is a few KiB.
inline constexpr std::size_t kMaxKeystoreFileSize = std::size_t{1} << 20;

enum class KeystoreFormat { Pkcs12, Pem, Jks, Unknown };

// Reads a whole keystore file (symbolic links followed). The bytes may hold a private key, so
// they are wiped when freed. A file that is absent, unreadable, not a regular file, empty or
// larger than kMaxKeystoreFileSize is refused as CertificateChainMissing.
Result<SecretBytes> read_keystore_file(const fs::path& file);

// The format from the extension (.p12/.pfx: PKCS#12; .pem/.crt/.cer: PEM), else from the
// content: the JKS/JCEKS magic number, a "-----BEGIN " line, or a DER SEQUENCE (PKCS#12).
KeystoreFormat detect_keystore_format(const fs::path& file, ByteView content);

}  // namespace ssoc::keystore
