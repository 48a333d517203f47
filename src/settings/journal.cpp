#include "settings/journal.hpp"

#include "common/encoding.hpp"

namespace ssoc::settings {
namespace {

constexpr std::string_view kSksPrefix = "sks.";

Error bad_journal(std::string_view why) {
  return fail(Cause::IntegrityFailure, "transition.journal is damaged (" + std::string(why) +
                                           "); restore the data folder from a backup");
}

void put_key(datadir::Properties& p, std::string_view prefix,
             const std::optional<sks::KeyRef>& key) {
  if (!key) return;
  (void)p.set(std::string(prefix) + "_label", key->label);
  (void)p.set(std::string(prefix) + "_id", hex_encode(key->id));
}

Result<std::optional<sks::KeyRef>> get_key(const datadir::Properties& p, std::string_view prefix) {
  auto label = p.get(std::string(prefix) + "_label");
  auto id = p.get(std::string(prefix) + "_id");
  if (!label && !id) return std::optional<sks::KeyRef>{};
  auto bytes = id ? hex_decode(*id) : std::nullopt;
  if (!label || label->empty() || !bytes || bytes->empty()) return bad_journal(prefix);
  return std::optional<sks::KeyRef>(sks::KeyRef{std::string(*label), std::move(*bytes)});
}

}  // namespace

std::string_view op_name(Journal::Op op) {
  switch (op) {
    case Journal::Op::Enable: return "enable";
    case Journal::Op::Disable: return "disable";
    case Journal::Op::Rotate: return "rotate";
    case Journal::Op::Update: return "update";
    case Journal::Op::Cleanup: return "cleanup";
  }
  return "update";
}

datadir::Properties Journal::to_properties() const {
  datadir::Properties p;
  (void)p.set("op", op_name(op));
  (void)p.set("phase", phase == Phase::Commit ? "commit" : "prepare");
  (void)p.set("sks_after", sks_after ? "true" : "false");
  put_key(p, "created_key", created_key);
  put_key(p, "retired_key", retired_key);
  if (sks) {
    datadir::Properties sks_properties = sks->to_properties();
    for (const auto& [key, value] : sks_properties.entries())
      (void)p.set(std::string(kSksPrefix) + key, as_text(value));
  }
  return p;
}

Result<Journal> Journal::from_properties(const datadir::Properties& p) {
  Journal j;
  std::string_view op = p.get("op").value_or("");
  bool known = false;
  for (Op candidate : {Op::Enable, Op::Disable, Op::Rotate, Op::Update, Op::Cleanup}) {
    if (op == op_name(candidate)) {
      j.op = candidate;
      known = true;
    }
  }
  if (!known) return bad_journal("op");
  std::string_view phase = p.get("phase").value_or("");
  if (phase != "prepare" && phase != "commit") return bad_journal("phase");
  j.phase = phase == "commit" ? Phase::Commit : Phase::Prepare;
  j.sks_after = p.get("sks_after").value_or("") == "true";
  j.created_key = TRY(get_key(p, "created_key"));
  j.retired_key = TRY(get_key(p, "retired_key"));

  datadir::Properties sks_props;
  for (const auto& [key, value] : p.entries()) {
    if (key.starts_with(kSksPrefix))
      TRY(sks_props.set(std::string_view(key).substr(kSksPrefix.size()), as_text(value)));
  }
  if (!sks_props.empty()) {
    auto config = sks::SksConfig::from_properties(sks_props);
    if (!config) return bad_journal("HSM settings: " + config.error().message);
    j.sks = std::move(config).value();
  }
  if (j.sks_after && !j.sks) return bad_journal("sks_after without HSM settings");
  return j;
}

}  // namespace ssoc::settings
