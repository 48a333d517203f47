#include "attribute_template.hpp"

#include <cstring>

#include "protocol.hpp"

namespace ssoc::nethsm {
namespace {

// The smallest wire sizes of one entry, to bound counts before reserving memory.
constexpr std::size_t kMinInEntry = 8 + 1 + 8;
constexpr std::size_t kMinOutRequestEntry = 8 + 1 + 8;
constexpr std::size_t kMinOutReplyEntry = 8 + 1;

ByteView view_of(const void* p, CK_ULONG n) {
  return n == 0 ? ByteView() : ByteView(static_cast<const std::uint8_t*>(p), n);
}

}  // namespace

bool holds_pointers(CK_ATTRIBUTE_TYPE type) {
  return type == CKA_WRAP_TEMPLATE || type == CKA_UNWRAP_TEMPLATE || type == CKA_DERIVE_TEMPLATE;
}

CK_RV write_in_template(Writer& out, const CK_ATTRIBUTE* attributes, CK_ULONG count) {
  if (attributes == nullptr && count != 0) return CKR_ARGUMENTS_BAD;
  for (CK_ULONG i = 0; i < count; ++i) {
    const CK_ATTRIBUTE& a = attributes[i];
    if (a.pValue != nullptr && holds_pointers(a.type)) return CKR_ATTRIBUTE_TYPE_INVALID;
    if (a.pValue != nullptr && a.ulValueLen > kMaxData) return CKR_DEVICE_MEMORY;
  }
  out.ulong(count);
  for (CK_ULONG i = 0; i < count; ++i) {
    const CK_ATTRIBUTE& a = attributes[i];
    out.ulong(a.type);
    out.flag(a.pValue != nullptr);
    out.ulong(a.ulValueLen);
    if (a.pValue != nullptr) out.raw(view_of(a.pValue, a.ulValueLen));
  }
  return CKR_OK;
}

CK_RV write_out_template_request(Writer& out, const CK_ATTRIBUTE* attributes, CK_ULONG count) {
  if (attributes == nullptr && count != 0) return CKR_ARGUMENTS_BAD;
  std::size_t total = 0;
  for (CK_ULONG i = 0; i < count; ++i) {
    const CK_ATTRIBUTE& a = attributes[i];
    if (a.pValue == nullptr) continue;
    if (holds_pointers(a.type)) return CKR_ATTRIBUTE_TYPE_INVALID;
    if (a.ulValueLen > kMaxData || (total += a.ulValueLen) > kMaxData) return CKR_DEVICE_MEMORY;
  }
  out.ulong(count);
  for (CK_ULONG i = 0; i < count; ++i) {
    out.ulong(attributes[i].type);
    out.out_buffer(attributes[i].pValue != nullptr, attributes[i].ulValueLen);
  }
  return CKR_OK;
}

bool read_out_template_reply(Reader& in, CK_ATTRIBUTE* attributes, CK_ULONG count) {
  struct Entry {
    CK_ULONG length;
    bool has_value;
    ByteView value;
  };
  std::size_t n = 0;
  if (!in.count(kMinOutReplyEntry, n) || n != count) return false;
  std::vector<Entry> entries(n);
  for (std::size_t i = 0; i < n; ++i) {
    Entry& e = entries[i];
    if (!in.ulong(e.length) || !in.flag(e.has_value)) return false;
    if (e.has_value) {
      // A value only where the caller gave a buffer, of the reported length, fitting it.
      if (!in.bytes(e.value) || attributes[i].pValue == nullptr || e.value.size() != e.length ||
          e.length > attributes[i].ulValueLen) {
        return false;
      }
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (entries[i].has_value && !entries[i].value.empty()) {
      std::memcpy(attributes[i].pValue, entries[i].value.data(), entries[i].value.size());
    }
    attributes[i].ulValueLen = entries[i].length;
  }
  return true;
}

bool InTemplate::read(Reader& in) {
  std::size_t n = 0;
  if (!in.count(kMinInEntry, n)) return false;
  attributes_.clear();
  values_.clear();
  attributes_.reserve(n);
  values_.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    CK_ATTRIBUTE a{};
    bool has_value = false;
    if (!in.ulong(a.type) || !in.flag(has_value) || !in.ulong(a.ulValueLen)) return false;
    if (has_value) {
      ByteView value;
      if (holds_pointers(a.type) || !in.raw(a.ulValueLen, value)) return false;
      Buffer& copy = values_.emplace_back(value.begin(), value.end());
      copy.push_back(0);  // never a NULL pointer, even for an empty value
      a.pValue = copy.data();
    }
    attributes_.push_back(a);
  }
  return true;
}

bool OutTemplate::read(Reader& in) {
  std::size_t n = 0;
  if (!in.count(kMinOutRequestEntry, n)) return false;
  attributes_.clear();
  areas_.clear();
  attributes_.reserve(n);
  areas_.reserve(n);
  std::size_t total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    CK_ATTRIBUTE a{};
    bool present = false;
    if (!in.ulong(a.type) || !in.out_buffer(present, a.ulValueLen)) return false;
    if (present &&
        (holds_pointers(a.type) || a.ulValueLen > kMaxData || (total += a.ulValueLen) > kMaxData)) {
      return false;
    }
    OutputArea& area = areas_.emplace_back(present, present ? a.ulValueLen : 0);
    a.pValue = area.ptr();
    attributes_.push_back(a);
  }
  return true;
}

void OutTemplate::write_reply(Writer& out) const {
  out.ulong(attributes_.size());
  for (std::size_t i = 0; i < attributes_.size(); ++i) {
    const CK_ATTRIBUTE& a = attributes_[i];
    const OutputArea& area = areas_[i];
    const bool has_value = area.present() && a.ulValueLen != CK_UNAVAILABLE_INFORMATION &&
                           a.ulValueLen <= area.capacity();
    out.ulong(a.ulValueLen);
    out.flag(has_value);
    if (has_value) out.bytes(area.written(a.ulValueLen));
  }
}

}  // namespace ssoc::nethsm
