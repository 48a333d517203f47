// Reading a keystore file into memory and telling its format.
#pragma once

#include <cstddef>
#include <filesystem>

#include "common/result.hpp"
#include "common/secret.hpp"
#include "keystore/keystore_source.hpp"

namespace ssoc::keystore {

namespace fs = std::filesystem;

// Largest keystore file read: a chain of a few certificates and a key is a few KiB.
inline constexpr std::size_t kMaxKeystoreFileSize = std::size_t{1} << 20;

enum class KeystoreFormat { Pkcs12, Pem, Jks, Unknown };

// Reads a whole keystore file (symbolic links followed). The bytes may hold a private key, so
// they are wiped when freed. A file that is absent, unreadable, not a regular file, empty or
// larger than kMaxKeystoreFileSize is refused (source.refuse).
Result<SecretBytes> read_keystore_file(const KeystoreSource& source);

// The JKS/JCEKS magic number first (it cannot be mistaken, whatever the file is called), then
// the extension (.p12/.pfx: PKCS#12; .pem/.crt/.cer: PEM), else the content: a "-----BEGIN "
// line (PEM) or a DER SEQUENCE (PKCS#12, as recent keytool writes even for .jks names).
KeystoreFormat detect_keystore_format(const fs::path& file, ByteView content);

}  // namespace ssoc::keystore
