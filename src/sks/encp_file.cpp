#include "sks/encp_file.hpp"

namespace ssoc::sks {
namespace {

constexpr std::size_t kMaxLabel = 255;
constexpr std::size_t kMaxKeyId = 64;
constexpr std::size_t kMinIv = 12;
constexpr std::size_t kMaxIv = 16;

// Reads fields front to back, checking each length against what is left before slicing.
class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}
  bool take(std::size_t n, ByteView& out) {
    if (n > data_.size() - pos_) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool u8(std::size_t& out) {
    ByteView b;
    if (!take(1, b)) return false;
    out = b[0];
    return true;
  }
  bool u32(std::size_t& out) {
    ByteView b;
    if (!take(4, b)) return false;
    out = (std::size_t{b[0]} << 24) | (std::size_t{b[1]} << 16) | (std::size_t{b[2]} << 8) | b[3];
    return true;
  }
  std::size_t position() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  ByteView data_;
  std::size_t pos_ = 0;
};

void append(Bytes& out, ByteView bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

void append_short(Bytes& out, std::string_view text) {
  out.push_back(static_cast<std::uint8_t>(text.size()));
  append(out, as_bytes(text));
}

}  // namespace

Bytes EncpHeader::serialize() const {
  Bytes out;
  append(out, as_bytes(kEncpMagic));
  out.push_back(kEncpVersion);
  out.push_back(static_cast<std::uint8_t>(iv_mode));
  append_short(out, key_label);
  out.push_back(static_cast<std::uint8_t>(key_id.size()));
  append(out, key_id);
  return out;
}

Bytes EncpHeader::associated_data(std::string_view role, std::string_view instance_id) const {
  Bytes out = serialize();
  append_short(out, role);
  append_short(out, instance_id);
  return out;
}

Result<EncpFile> EncpFile::parse(ByteView data, std::string_view source) {
  auto bad = [&](std::string_view what) {
    return fail(Cause::IntegrityFailure,
                std::string(source) + " is corrupted (" + std::string(what) +
                    "); restore it from a backup or re-configure SSO Connect");
  };
  Reader in(data);
  ByteView magic, label, id, iv, ciphertext;
  std::size_t version = 0, mode = 0, label_len = 0, id_len = 0, iv_len = 0, ct_len = 0;
  if (!in.take(kEncpMagic.size(), magic) || !equal_constant_time(magic, as_bytes(kEncpMagic)))
    return bad("not an SSO Connect encrypted file");
  if (!in.u8(version) || version != kEncpVersion) return bad("unknown format version");
  if (!in.u8(mode) || !iv_mode_from_byte(static_cast<std::uint8_t>(mode)))
    return bad("unknown IV mode");
  if (!in.u8(label_len) || label_len == 0 || !in.take(label_len, label)) return bad("key label");
  if (!in.u8(id_len) || id_len == 0 || id_len > kMaxKeyId || !in.take(id_len, id))
    return bad("key id");
  if (!in.u8(iv_len) || iv_len < kMinIv || iv_len > kMaxIv || !in.take(iv_len, iv))
    return bad("IV");
  if (!in.u32(ct_len) || ct_len < kGcmTagSize || ct_len > kMaxPlaintext + kGcmTagSize ||
      !in.take(ct_len, ciphertext))
    return bad("ciphertext length");
  if (!in.at_end()) return bad("trailing bytes");

  EncpFile file;
  file.header.iv_mode = static_cast<IvMode>(mode);
  file.header.key_label.assign(label.begin(), label.end());
  file.header.key_id.assign(id.begin(), id.end());
  file.iv.assign(iv.begin(), iv.end());
  file.ciphertext.assign(ciphertext.begin(), ciphertext.end());
  return file;
}

Result<Bytes> EncpFile::serialize() const {
  if (header.key_label.empty() || header.key_label.size() > kMaxLabel || header.key_id.empty() ||
      header.key_id.size() > kMaxKeyId || iv.size() < kMinIv || iv.size() > kMaxIv ||
      ciphertext.size() < kGcmTagSize || ciphertext.size() > kMaxPlaintext + kGcmTagSize)
    return fail(Cause::InvalidInput, "an .encp field is out of range");
  Bytes out = header.serialize();
  out.push_back(static_cast<std::uint8_t>(iv.size()));
  append(out, iv);
  std::size_t n = ciphertext.size();
  for (int shift : {24, 16, 8, 0}) out.push_back(static_cast<std::uint8_t>(n >> shift));
  append(out, ciphertext);
  return out;
}

}  // namespace ssoc::sks
