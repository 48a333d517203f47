// Makes the fixed keys of the SAML fuzz targets (fuzz/keys/, once: existing key files are kept)
// and their seed corpora: responses from the test IdP (tests/support/saml), good ones that pass
// every check under the targets' fixed clock and request id, and hostile ones that each stop at
// a different check. Written as XML (fuzz/corpus/saml_response/), as the ACS form body
// (fuzz/corpus/acs/) and the IdP metadata (fuzz/corpus/idp_metadata/). Run by hand after a
// change of the fixture (fuzz/README.md); the output is committed.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "saml_fixture.hpp"
#include "support/saml/saml_forge.hpp"

namespace fs = std::filesystem;
namespace forge = ssoc::test::saml;
using namespace ssoc::fuzz;

namespace {

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace

int main() {
  const fs::path fuzz_dir = SSOC_FUZZ_DIR;
  const fs::path keys = keys_dir();
  fs::create_directories(keys);
  forge::IdpKey idp = forge::make_idp_key(keys, "idp.test");
  forge::IdpKey sp = forge::make_idp_key(keys, "sp.test");
  forge::IdpKey attacker = forge::make_idp_key(keys, "attacker.test");
  const std::string metadata = forge::idp_metadata_xml(kIdpEntity, idp.cert_pem_file, kIdpSsoUrl);
  write(keys / "idp-metadata.xml", metadata);

  auto good = [&] {
    forge::ResponseSpec s;
    s.idp_entity_id = kIdpEntity;
    s.destination = kAcsUrl;
    s.recipient = kAcsUrl;
    s.audience = kSpEntity;
    s.in_response_to = kRequestId;
    s.now = static_cast<std::time_t>(kNow);
    s.signer = idp;
    s.response_id = "_5eed0000000000000000000000000001";
    s.assertion_id = "_5eed0000000000000000000000000002";
    return s;
  };
  using Change = std::function<void(forge::ResponseSpec&)>;
  std::vector<std::pair<std::string, Change>> specs = {
      {"good", [](auto&) {}},
      {"assertion_signed_only", [](auto& s) { s.sign_response = false; }},
      {"response_signed_only", [](auto& s) { s.sign_assertion = false; }},
      {"unsigned", [](auto& s) { s.sign_response = s.sign_assertion = false; }},
      {"encrypted", [&](auto& s) { s.encrypt_to_cert_pem_file = sp.cert_pem_file; }},
      {"encrypted_cbc_rsa15",
       [&](auto& s) {
         s.encrypt_to_cert_pem_file = sp.cert_pem_file;
         s.data_encryption = "aes128-cbc";
         s.key_transport = "rsa-1_5";
       }},
      {"encrypted_to_other_key",
       [&](auto& s) { s.encrypt_to_cert_pem_file = attacker.cert_pem_file; }},
      {"other_signer", [&](auto& s) { s.signer = attacker; }},
      {"sha1", [](auto& s) { s.digest = "sha1", s.signature = "rsa-sha1"; }},
      {"sha512", [](auto& s) { s.digest = "sha512", s.signature = "rsa-sha512"; }},
      {"expired", [](auto& s) { s.not_on_or_after = static_cast<std::time_t>(kNow - 600); }},
      {"not_yet_valid", [](auto& s) { s.not_before = static_cast<std::time_t>(kNow + 3600); }},
      {"other_audience", [](auto& s) { s.audience = "https://other.test/sp"; }},
      {"other_request", [](auto& s) { s.in_response_to = "_other"; }},
      {"no_in_response_to", [](auto& s) { s.in_response_to.clear(); }},
      {"status_failure",
       [](auto& s) { s.status = "urn:oasis:names:tc:SAML:2.0:status:Requester"; }},
      {"two_assertions",
       [](auto& s) {
         s.assertion_count = 2;
         s.assertion_id.clear();
       }},
      {"no_assertion",
       [](auto& s) {
         s.assertion_count = 0;
         s.assertion_id.clear();
       }},
      {"transient_name_id",
       [](auto& s) {
         s.name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";
         s.attributes.clear();
       }},
      {"no_authn_statement", [](auto& s) { s.omit_authn_statement = true; }},
      {"no_bearer", [](auto& s) { s.omit_bearer = true; }},
      {"no_recipient", [](auto& s) { s.omit_recipient = true; }},
      {"no_destination", [](auto& s) { s.omit_destination = true; }},
      {"other_issuer", [](auto& s) { s.assertion_issuer = "https://attacker.test/metadata"; }},
  };

  std::vector<std::pair<std::string, std::string>> responses;
  for (const auto& [name, change] : specs) {
    forge::ResponseSpec s = good();
    change(s);
    responses.emplace_back(name, forge::make_response(s));
  }
  const std::string signed_xml = responses.front().second;
  forge::ResponseSpec assertion_only = good();
  assertion_only.sign_response = false;
  const std::string assertion_signed = forge::make_response(assertion_only);
  for (int layout = 1; layout <= 11; ++layout) {
    bool response_layout = layout == 1 || layout == 2 || layout == 9;
    responses.emplace_back(
        "xsw" + std::to_string(layout),
        forge::xsw(response_layout ? signed_xml : assertion_signed, layout, "admin@example.test"));
  }
  responses.emplace_back("duplicate_id_after",
                         forge::duplicate_assertion_id(assertion_signed, "admin@example.test"));
  responses.emplace_back("duplicate_id_before",
                         forge::duplicate_assertion_id(assertion_signed, "admin@example.test",
                                                       forge::DuplicatePlace::before_original));
  {
    forge::ResponseSpec s = good();
    s.name_id = "alice@example.test.evil.test";
    s.attributes = {{"Email", "alice@example.test.evil.test"}};
    responses.emplace_back("comment_in_name_id",
                           forge::insert_comment_in_name_id(forge::make_response(s), 18));
  }
  responses.emplace_back("doctype", forge::with_doctype_entity(signed_xml));
  responses.emplace_back("changed_after_signing",
                         forge::replace_after_signing(signed_xml, "alice@", "admin@"));

  for (const auto& [name, xml] : responses) {
    write(fuzz_dir / "corpus/saml_response" / (name + ".xml"), xml);
    write(fuzz_dir / "corpus/acs" / (name + ".form"), forge::form_body(xml, kRelayState));
  }
  write(fuzz_dir / "corpus/idp_metadata/idp.test.xml", metadata);
  write(fuzz_dir / "corpus/idp_metadata/entities.xml",
        "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">" +
            metadata.substr(metadata.find("<md:EntityDescriptor")) + "</md:EntitiesDescriptor>");
  std::printf("fuzz_make_saml_seeds: keys in %s, %zu responses\n", keys.c_str(), responses.size());
  return 0;
}
