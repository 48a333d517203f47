#include "wire.hpp"

#include <string.h>

#include <cstring>
#include <limits>

namespace ssoc::nethsm {

void wipe_memory(void* p, std::size_t n) noexcept {
  if (p != nullptr && n != 0) explicit_bzero(p, n);
}

void Writer::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) buffer_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) buffer_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void Writer::raw(ByteView data) {
  buffer_.insert(buffer_.end(), data.begin(), data.end());
}

void Writer::raw(std::string_view data) {
  buffer_.insert(buffer_.end(), data.begin(), data.end());
}

void Writer::bytes(ByteView data) {
  u64(data.size());
  raw(data);
}

void Writer::out_data(CK_ULONG length, bool has_data, ByteView data) {
  ulong(length);
  flag(has_data);
  if (has_data) bytes(data);
}

void Writer::patch_u32(std::size_t offset, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) buffer_.at(offset + i) = static_cast<std::uint8_t>(v >> (8 * i));
}

bool Reader::u8(std::uint8_t& out) {
  if (remaining() < 1) return false;
  out = data_[offset_++];
  return true;
}

bool Reader::u32(std::uint32_t& out) {
  if (remaining() < 4) return false;
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(data_[offset_ + i]) << (8 * i);
  offset_ += 4;
  out = v;
  return true;
}

bool Reader::u64(std::uint64_t& out) {
  if (remaining() < 8) return false;
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(data_[offset_ + i]) << (8 * i);
  offset_ += 8;
  out = v;
  return true;
}

bool Reader::ulong(CK_ULONG& out) {
  std::uint64_t v = 0;
  if (!u64(v) || v > std::numeric_limits<CK_ULONG>::max()) return false;
  out = static_cast<CK_ULONG>(v);
  return true;
}

bool Reader::flag(bool& out) {
  std::uint8_t v = 0;
  if (!u8(v) || v > 1) return false;
  out = v == 1;
  return true;
}

bool Reader::raw(std::size_t n, ByteView& out) {
  if (remaining() < n) return false;
  out = data_.subspan(offset_, n);
  offset_ += n;
  return true;
}

bool Reader::bytes(ByteView& out) {
  const std::size_t start = offset_;
  std::uint64_t n = 0;
  if (!u64(n) || n > remaining()) {
    offset_ = start;
    return false;
  }
  return raw(static_cast<std::size_t>(n), out);
}

bool Reader::fixed(std::span<std::uint8_t> out) {
  ByteView view;
  if (!raw(out.size(), view)) return false;
  std::memcpy(out.data(), view.data(), view.size());
  return true;
}

bool Reader::out_buffer(bool& present, CK_ULONG& length) {
  const std::size_t start = offset_;
  if (!flag(present) || !ulong(length)) {
    offset_ = start;
    return false;
  }
  return true;
}

bool Reader::out_data(CK_ULONG& length, bool& has_data, ByteView& data) {
  const std::size_t start = offset_;
  if (!ulong(length) || !flag(has_data) || (has_data && (!bytes(data) || data.size() != length))) {
    offset_ = start;
    return false;
  }
  if (!has_data) data = {};
  return true;
}

bool Reader::count(std::size_t min_size, std::size_t& out) {
  const std::size_t start = offset_;
  std::uint64_t n = 0;
  if (!u64(n) || (min_size != 0 && n > remaining() / min_size)) {
    offset_ = start;
    return false;
  }
  out = static_cast<std::size_t>(n);
  return true;
}

OutputArea::OutputArea(bool present, CK_ULONG length)
    : present_(present), capacity_(present ? length : 0), buffer_(present ? length + 1 : 0) {}

ByteView OutputArea::written(CK_ULONG length) const {
  if (!present_ || length > capacity_) return {};
  return ByteView(buffer_.data(), length);
}

}  // namespace ssoc::nethsm
