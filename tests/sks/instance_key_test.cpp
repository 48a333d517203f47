// The instance key and the folder cipher against real tokens: SoftHSM2 and NSS softokn.
#include <gtest/gtest.h>

#include <cstring>

#include "keystore/cert_chain.hpp"
#include "sks/encp_file.hpp"
#include "sks/folder_cipher.hpp"
#include "sks/hsm_connection.hpp"
#include "sks/instance_key.hpp"
#include "support/hsm_fixture.hpp"

namespace ssoc::sks {
namespace {

using test::FolderFixture;
namespace fs = std::filesystem;
using pkcs11::attr;
using pkcs11::attr_text;

class InstanceKey : public ::testing::TestWithParam<FolderFixture::Hsm> {
 protected:
  FolderFixture fx{GetParam()};
  SksConfig config = fx.sks_config();
  keystore::CertificateChain chain =
      keystore::read_certificate_chain(fx.chain.p12, config.cert_chain_password).value();
  HsmConnection hsm = HsmConnection::open(config, true).value();

  KeyRef make_key() {
    KeyRef ref = next_free_key(hsm.session(), test::kInstanceId, chain).value();
    auto key = create_instance_key(hsm.module(), hsm.session(), ref, chain);
    EXPECT_TRUE(key.ok()) << key.error().describe();
    return ref;
  }
  FolderCipher cipher_for(const KeyRef& ref, IvMode mode = IvMode::Caller) {
    CK_OBJECT_HANDLE key = find_instance_key(hsm.session(), ref).value();
    return FolderCipher(hsm.session(), key, ref, mode, test::kInstanceId);
  }
};

TEST_P(InstanceKey, HasTheDesignAttributesLabelAndId) {
  KeyRef ref = make_key();
  EXPECT_EQ(ref.label, "SSO Connect Properties 123456789012");
  EXPECT_EQ(ref.id, fx.chain.leaf_spki_sha1);
  CK_OBJECT_HANDLE key = find_instance_key(hsm.session(), ref).value();
  const pkcs11::Session& s = hsm.session();
  EXPECT_TRUE(s.bool_attribute(key, CKA_TOKEN).value());
  EXPECT_TRUE(s.bool_attribute(key, CKA_PRIVATE).value());
  EXPECT_TRUE(s.bool_attribute(key, CKA_SENSITIVE).value());
  EXPECT_FALSE(s.bool_attribute(key, CKA_EXTRACTABLE).value());
  EXPECT_TRUE(s.bool_attribute(key, CKA_NEVER_EXTRACTABLE).value());
  EXPECT_TRUE(s.bool_attribute(key, CKA_ENCRYPT).value());
  EXPECT_TRUE(s.bool_attribute(key, CKA_DECRYPT).value());
  for (CK_ATTRIBUTE_TYPE forbidden : {CKA_WRAP, CKA_UNWRAP, CKA_SIGN, CKA_DERIVE})
    EXPECT_FALSE(s.bool_attribute(key, forbidden).value()) << forbidden;
  Bytes length = s.attribute(key, CKA_VALUE_LEN).value();
  CK_ULONG value_len = 0;
  std::memcpy(&value_len, length.data(), sizeof value_len);
  EXPECT_EQ(value_len, 32u);
  // The key's value never leaves the HSM.
  auto value = s.attribute(key, CKA_VALUE);
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.error().ck_rv, CKR_ATTRIBUTE_SENSITIVE);
}

TEST_P(InstanceKey, StoresTheChainBesideTheKey) {
  KeyRef ref = make_key();
  CK_OBJECT_CLASS cert_class = CKO_CERTIFICATE;
  // Same CKA_ID; the label is the key's (NSS: issuers get "<label> issuer <n>").
  CK_ATTRIBUTE query[] = {attr(CKA_CLASS, cert_class), pkcs11::attr_bytes(CKA_ID, ref.id)};
  auto certs = hsm.session().find(query);
  ASSERT_TRUE(certs.ok());
  ASSERT_EQ(certs->size(), chain.certificates().size());
  std::vector<Bytes> stored;
  for (CK_OBJECT_HANDLE c : *certs) {
    stored.push_back(hsm.session().attribute(c, CKA_VALUE).value());
    Bytes label = hsm.session().attribute(c, CKA_LABEL).value();
    EXPECT_EQ(std::string(label.begin(), label.end()).rfind(ref.label, 0), 0u);
  }
  for (const Bytes& der : chain.certificates())
    EXPECT_NE(std::find(stored.begin(), stored.end(), der), stored.end());
}

TEST_P(InstanceKey, NextGenerationsGetTheirOwnLabels) {
  KeyRef first = make_key();
  KeyRef second = make_key();
  EXPECT_EQ(second.label, "SSO Connect Properties 123456789012.2");
  Bytes second_id = fx.chain.leaf_spki_sha1;
  second_id.insert(second_id.end(), {0, 2});
  EXPECT_EQ(second.id, second_id);
  auto first_key = find_instance_key(hsm.session(), first);
  auto second_key = find_instance_key(hsm.session(), second);
  ASSERT_TRUE(first_key.ok()) << first_key.error().describe();
  ASSERT_TRUE(second_key.ok()) << second_key.error().describe();
  EXPECT_NE(*first_key, *second_key);
  auto deleted = delete_instance_key(hsm.session(), first);
  ASSERT_TRUE(deleted.ok()) << deleted.error().describe();
  EXPECT_GE(*deleted, 1);
  auto gone = find_instance_key(hsm.session(), first);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().cause, Cause::KeyMissing);
  EXPECT_TRUE(find_instance_key(hsm.session(), second).ok());
  EXPECT_EQ(delete_instance_key(hsm.session(), first).value(), 0);  // absent is fine
}

TEST_P(InstanceKey, SealsAndOpensSettings) {
  KeyRef ref = make_key();
  FolderCipher cipher = cipher_for(ref);
  std::string text = "master_key=c2VjcmV0\nmaster_key_id=1\n";
  Bytes sealed = cipher.seal(kRoleShared, as_bytes(text)).value();
  EXPECT_EQ(std::search(sealed.begin(), sealed.end(), text.begin(), text.end()), sealed.end());
  auto opened = cipher.open(kRoleShared, sealed, "shared.encp");
  ASSERT_TRUE(opened.ok()) << opened.error().describe();
  EXPECT_EQ(as_text(*opened), text);
  // A 4 KiB file and an empty one too.
  std::string big(4096, 'x');
  EXPECT_EQ(
      as_text(cipher.open(kRoleInstance, cipher.seal(kRoleInstance, as_bytes(big)).value(), "i")
                  .value()),
      big);
  auto empty = cipher.seal(kRoleInstance, {});
  ASSERT_TRUE(empty.ok()) << empty.error().describe();
  auto empty_opened = cipher.open(kRoleInstance, *empty, "i");
  ASSERT_TRUE(empty_opened.ok()) << empty_opened.error().describe();
  EXPECT_EQ(empty_opened->size(), 0u);
}

TEST_P(InstanceKey, EveryChangedByteIsAnIntegrityFailure) {
  KeyRef ref = make_key();
  FolderCipher cipher = cipher_for(ref);
  Bytes sealed = cipher.seal(kRoleShared, as_bytes("secret settings")).value();
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x01;
    auto opened = cipher.open(kRoleShared, bad, "shared.encp");
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.error().cause, Cause::IntegrityFailure) << "byte " << i;
  }
}

TEST_P(InstanceKey, FileSwappedBetweenRolesOrInstancesFails) {
  KeyRef ref = make_key();
  FolderCipher cipher = cipher_for(ref);
  Bytes instance_file = cipher.seal(kRoleInstance, as_bytes("instance settings")).value();
  auto swapped = cipher.open(kRoleShared, instance_file, "shared.encp");
  ASSERT_FALSE(swapped.ok());
  EXPECT_EQ(swapped.error().cause, Cause::IntegrityFailure);

  CK_OBJECT_HANDLE key = find_instance_key(hsm.session(), ref).value();
  FolderCipher other_instance(hsm.session(), key, ref, IvMode::Caller, "999999999999");
  auto moved = other_instance.open(kRoleInstance, instance_file, "instance.encp");
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().cause, Cause::IntegrityFailure);
}

TEST_P(InstanceKey, FileFromAnotherKeyFails) {
  KeyRef first = make_key();
  KeyRef second = make_key();
  Bytes sealed = cipher_for(first).seal(kRoleShared, as_bytes("settings")).value();
  // Named key differs from the folder's key.
  auto other = cipher_for(second).open(kRoleShared, sealed, "shared.encp");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().cause, Cause::IntegrityFailure);
  // Header relabelled to claim the folder's key: the HSM's tag check catches it.
  EncpFile file = EncpFile::parse(sealed, "x").value();
  file.header.key_label = second.label;
  auto forged = cipher_for(second).open(kRoleShared, file.serialize().value(), "shared.encp");
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().cause, Cause::IntegrityFailure);
}

TEST_P(InstanceKey, DetectsCallerIvModeOnARealToken) {
  EXPECT_EQ(probe_iv_mode(hsm.module(), hsm.session()).value(), IvMode::Caller);
}

INSTANTIATE_TEST_SUITE_P(RealTokens, InstanceKey,
                         ::testing::Values(FolderFixture::Hsm::SoftHsm, FolderFixture::Hsm::Nss),
                         [](const auto& info) {
                           return info.param == FolderFixture::Hsm::Nss ? "NssSoftokn" : "SoftHsm2";
                         });

TEST(InstanceKeyOutside, PkcsToolCannotReadTheKeyValue) {
  FolderFixture fx;
  SksConfig config = fx.sks_config();
  auto chain = keystore::read_certificate_chain(fx.chain.p12, config.cert_chain_password).value();
  {
    HsmConnection hsm = HsmConnection::open(config, true).value();
    KeyRef ref = next_free_key(hsm.session(), test::kInstanceId, chain).value();
    ASSERT_TRUE(create_instance_key(hsm.module(), hsm.session(), ref, chain).ok());
  }
  std::string base = "pkcs11-tool --module " + fx.token.module_path + " --token-label " +
                     fx.token.token_label + " --login --pin " + fx.token.pin;
  std::string listing;
  ASSERT_EQ(test::run_command(base + " --list-objects --type secrkey", &listing), 0) << listing;
  EXPECT_NE(listing.find("SSO Connect Properties 123456789012"), std::string::npos) << listing;
  EXPECT_NE(listing.find("sensitive"), std::string::npos) << listing;
  EXPECT_NE(listing.find("never extractable"), std::string::npos) << listing;
  std::string read;
  int rc = test::run_command(base +
                                 " --read-object --type secrkey --label 'SSO Connect "
                                 "Properties 123456789012' -o " +
                                 (fx.dir / "key.bin").string(),
                             &read);
  EXPECT_NE(rc, 0) << read;
  EXPECT_FALSE(fs::exists(fx.dir / "key.bin") && fs::file_size(fx.dir / "key.bin") > 0);
}

}  // namespace
}  // namespace ssoc::sks
