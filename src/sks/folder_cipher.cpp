#include "sks/folder_cipher.hpp"

#include "sks/encp_file.hpp"

namespace ssoc::sks {

Result<Bytes> FolderCipher::seal(std::string_view role, ByteView plaintext) const {
  EncpFile file;
  file.header = {cipher_.mode(), ref_.label, ref_.id};
  Bytes aad = file.header.associated_data(role, instance_id_);
  GcmSealed sealed = TRY(cipher_.encrypt(plaintext, aad));
  file.iv = std::move(sealed.iv);
  file.ciphertext = std::move(sealed.ciphertext);
  return file.serialize();
}

Result<SecretBytes> FolderCipher::open(std::string_view role, ByteView encp,
                                       std::string_view source) const {
  EncpFile file = TRY(EncpFile::parse(encp, source));
  if (file.header.key_label != ref_.label || file.header.key_id != ref_.id)
    return fail(Cause::IntegrityFailure, std::string(source) + " was sealed with the key '" +
                                             file.header.key_label +
                                             "', not with this folder's key '" + ref_.label +
                                             "'; restore the file from a backup of this folder");
  if (file.header.iv_mode != cipher_.mode())
    return fail(Cause::IntegrityFailure,
                std::string(source) + " records another IV mode than sks.properties");
  Bytes aad = file.header.associated_data(role, instance_id_);
  auto plaintext = cipher_.decrypt(file.iv, file.ciphertext, aad);
  if (!plaintext) {
    Error error = std::move(plaintext).error();
    error.message = std::string(source) + ": " + error.message;
    return error;
  }
  return plaintext;
}

}  // namespace ssoc::sks
