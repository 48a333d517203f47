#include "service/service_config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

#include "common/encoding.hpp"
#include "saml/xml_document.hpp"

namespace ssoc::service {
namespace {

using datadir::Properties;

Error invalid(std::string_view key, std::string_view what) {
  return fail(Cause::InvalidSetting, std::string(key) + " " + std::string(what));
}

std::string value_or(const Properties& p, std::string_view key, std::string_view fallback) {
  auto v = p.get(key);
  return v && !v->empty() ? std::string(*v) : std::string(fallback);
}

Result<std::uint16_t> port_setting(const Properties& p, std::string_view key,
                                   std::uint16_t fallback) {
  auto v = p.get(key);
  if (!v || v->empty()) return fallback;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), value);
  if (ec != std::errc() || end != v->data() + v->size() || value == 0 || value > 65535)
    return invalid(key, "is not a port number (1-65535); run `ssoconnect config` to fix it");
  return static_cast<std::uint16_t>(value);
}

Result<bool> bool_setting(const Properties& p, std::string_view key, bool fallback) {
  auto v = p.get(key);
  if (!v || v->empty()) return fallback;
  if (*v == "true") return true;
  if (*v == "false") return false;
  return invalid(key, "must be true or false; run `ssoconnect config` to fix it");
}

Result<std::int64_t> seconds_setting(const Properties& p, std::string_view key,
                                     std::int64_t fallback) {
  auto v = p.get(key);
  if (!v || v->empty()) return fallback;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), value);
  if (ec != std::errc() || end != v->data() + v->size() || value < 0 || value > 3600)
    return invalid(key, "must be a number of seconds from 0 to 3600");
  return value;
}

Result<std::string> read_text_file(const fs::path& file, std::string_view key) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  if (ec)
    return invalid(key, "names " + file.string() +
                            ", which cannot be read; put the IdP's metadata there or run "
                            "`ssoconnect config`");
  if (size > saml::kMaxXmlSize) return invalid(key, "names a file larger than 1 MiB");
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) return invalid(key, "names " + file.string() + ", which cannot be read");
  return text.str();
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    pos = comma + 1;
  }
  return items;
}

fs::path in_folder(const fs::path& folder, std::string_view value) {
  fs::path path(value);
  return path.is_absolute() ? path : folder / path;
}

}  // namespace

Result<ServiceConfig> read_service_config(const fs::path& folder,
                                          const settings::FolderSettings& settings,
                                          std::int64_t now) {
  const Properties& instance = settings.instance;
  const Properties& shared = settings.shared;
  ServiceConfig config;
  config.bind_address = value_or(instance, "bind_address", "0.0.0.0");
  config.bind_port = TRY(port_setting(instance, "bind_port", 8443));
  std::string host(TRY(instance.require("external_host")));
  std::uint16_t external_port = TRY(port_setting(instance, "external_port", 8443));
  config.external_url = "https://" + host + ":" + std::to_string(external_port);

  auto entity = shared.get("sp_entity_id");
  auto metadata_file = shared.get("idp_metadata_file");
  if (!entity || entity->empty() || !metadata_file || metadata_file->empty())
    return fail(Cause::NotConfigured,
                "the SAML settings (sp_entity_id, idp_metadata_file) are not set; run "
                "`ssoconnect config`");
  std::string keystore_file = value_or(instance, "keystore_file", "sso_keystore.p12");
  SecretBytes password = secret_from(instance.get("keystore_password").value_or(""));
  // A folder whose keystore is not there yet is not configured for SSO; one that is there
  // but does not read is a bad setting.
  fs::path keystore_path = in_folder(folder, keystore_file);
  std::error_code ec;
  if (!fs::exists(keystore_path, ec))
    return fail(Cause::NotConfigured,
                "the keystore " + keystore_path.string() +
                    " (keystore_file) is not there yet; put the TLS and SAML keystore there or "
                    "run `ssoconnect config`");
  auto keystore = keystore::read_keystore(keystore_path, password, static_cast<std::time_t>(now));
  if (!keystore) return std::move(keystore).error();
  config.keystore = std::make_shared<const keystore::Keystore>(std::move(keystore).value());

  saml::SpSettings sp;
  sp.entity_id = std::string(*entity);
  sp.acs_url = config.external_url + "/saml/acs";
  sp.sign_requests = TRY(bool_setting(shared, "sign_requests", true));
  sp.allow_sha1 = TRY(bool_setting(shared, "allow_sha1", false));
  sp.clock_skew = TRY(seconds_setting(shared, "clock_skew_seconds", 180));
  fs::path metadata_path = in_folder(folder, *metadata_file);
  if (!fs::exists(metadata_path, ec))
    return fail(Cause::NotConfigured, "the IdP metadata " + metadata_path.string() +
                                          " (idp_metadata_file) is not there yet; download it "
                                          "from the IdP and put it there");
  sp.idp_metadata_xml = TRY(read_text_file(metadata_path, "idp_metadata_file"));
  sp.key = config.keystore->private_key();
  sp.certificate_der = config.keystore->chain().leaf();
  config.sp = TRY(saml::ServiceProvider::create(std::move(sp)));

  auto master_key_text = shared.get("master_key");
  auto master_key_id = shared.get("master_key_id");
  if (!master_key_text || master_key_text->empty() || !master_key_id || master_key_id->empty())
    return fail(Cause::NotConfigured,
                "master_key or master_key_id is missing from the shared settings; run "
                "`ssoconnect config`");
  auto master_key = base64_decode(*master_key_text);
  if (!master_key || master_key->size() != 32)
    return invalid("master_key",
                   "is not 32 bytes of base64; restore the shared settings from a "
                   "backup (a new key would make every stored master password "
                   "unreadable)");
  auto cipher =
      vault::MasterPasswordCipher::create(std::move(*master_key), std::string(*master_key_id));
  if (!cipher) return std::move(cipher).error();
  config.master_key =
      std::make_shared<const vault::MasterPasswordCipher>(std::move(cipher).value());

  config.redirect_allow = split_list(shared.get("redirect_allow").value_or(""));
  config.attr_email = value_or(shared, "attr_email", "Email");
  config.attr_first_name = value_or(shared, "attr_first_name", "First");
  config.attr_last_name = value_or(shared, "attr_last_name", "Last");
  config.sks_enabled = settings.sks.has_value();
  if (settings.sks) config.sks_key_label = settings.sks->key.label;
  return config;
}

}  // namespace ssoc::service
