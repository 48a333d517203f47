// The certificate chain the key was made with (error g of the guide: no chain, no key) and the
// end-to-end proof: both settings files decrypt and read, exactly as a start-up opens them.
#include <algorithm>

#include "common/encoding.hpp"
#include "doctor/checks.hpp"
#include "keystore/cert_chain.hpp"
#include "settings/folder_changes.hpp"
#include "sks/diagnosis.hpp"

namespace ssoc::doctor::detail {

Check check_certificate_chain(const Context& context) {
  const sks::SksConfig& config = *context.sks;
  const fs::path file = settings::chain_file(context.folder, config);
  SecretBytes password = config.cert_chain_password;
  // No chain password of its own: the chain is the keystore, whose password lives in the
  // encrypted instance settings. Read them when the folder is sound enough to open as is.
  if (password.empty() && context.configuration_ok) {
    if (auto opened = settings::open_folder(context.folder); opened)
      password = settings::chain_password(context.folder, config, opened->instance);
  }
  auto chain = keystore::read_certificate_chain(file, password);
  if (!chain)
    return failed(kChain, chain.error().describe(),
                  "put the keystore back (" + file.string() +
                      ") or set cert_chain_file and cert_chain_password in sks.properties: a key "
                      "cannot be stored in the HSM (`ssoconnect sks rotate`) without the chain");
  const Bytes& leaf_id = chain->leaf_key_id();
  const Bytes& key_id = config.key.id;
  const std::string leaf = chain->fields(0).subject_text.empty()
                               ? "the leaf"
                               : "'" + chain->fields(0).subject_text + "'";
  const std::string count = std::to_string(chain->certificates().size()) + " certificate" +
                            (chain->certificates().size() == 1 ? "" : "s");
  if (key_id.size() < leaf_id.size() || !std::equal(leaf_id.begin(), leaf_id.end(), key_id.begin()))
    return failed(kChain,
                  file.string() + " holds " + count + ", but the key id of " + leaf + " (" +
                      hex_encode(leaf_id) + ") does not begin the key's id (" + hex_encode(key_id) +
                      "): it is not the chain the key was made with",
                  "put back the keystore the key was made with, or set cert_chain_file to it; "
                  "after a certificate renewal, `ssoconnect sks rotate` makes a key for the new "
                  "chain");
  return ok(kChain,
            file.string() + ": " + count + ", leaf " + leaf + "; its key id begins the key's id");
}

Check check_decrypt(Context& context) {
  auto opened = settings::open_folder(context.folder);
  if (!opened) {
    const Error& error = opened.error();
    return failed(kDecrypt, error.describe(), fix_for(error));
  }
  // Its warnings are the data-folder check's, already shown there.
  context.settings = std::move(*opened);
  return ok(kDecrypt, context.sks_state == Context::Sks::On
                          ? "instance.encp and shared.encp decrypt with the key and read"
                          : "not applicable: SKS is off; instance.properties and "
                            "shared.properties read");
}

}  // namespace ssoc::doctor::detail
