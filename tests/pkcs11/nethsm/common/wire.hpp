// Writer and Reader for the nethsm wire encodings (see protocol.hpp): little-endian integers,
// flags, length-prefixed byte strings. The Reader checks every length against the bytes left
// before it reads or slices; a failed read returns false and leaves the output untouched.
// Buffers are wiped when freed: frames carry PINs, plaintext and key material.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "pkcs11/cryptoki.hpp"

#pragma GCC visibility push(hidden)

namespace ssoc::nethsm {

// An allocator that zeroes memory before it is freed.
template <class T>
struct WipingAllocator {
  using value_type = T;
  WipingAllocator() = default;
  template <class U>
  WipingAllocator(const WipingAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept;
  template <class U>
  bool operator==(const WipingAllocator<U>&) const noexcept {
    return true;
  }
};

void wipe_memory(void* p, std::size_t n) noexcept;

template <class T>
void WipingAllocator<T>::deallocate(T* p, std::size_t n) noexcept {
  wipe_memory(p, n * sizeof(T));
  std::allocator<T>{}.deallocate(p, n);
}

using Buffer = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
using ByteView = std::span<const std::uint8_t>;

class Writer {
 public:
  void u8(std::uint8_t v) { buffer_.push_back(v); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void ulong(CK_ULONG v) { u64(v); }
  void flag(bool v) { u8(v ? 1 : 0); }
  void raw(ByteView data);
  void raw(std::string_view data);
  // u64 length, then the bytes.
  void bytes(ByteView data);
  // flag present | ulong length: a caller's output buffer (NULL = size query).
  void out_buffer(bool present, CK_ULONG length) {
    flag(present);
    ulong(length);
  }
  // ulong length | flag has_data | [bytes]: what a module wrote into an out-buffer.
  void out_data(CK_ULONG length, bool has_data, ByteView data);

  std::size_t size() const { return buffer_.size(); }
  const Buffer& data() const { return buffer_; }
  // Overwrites the u32 at `offset` (for lengths known only at the end).
  void patch_u32(std::size_t offset, std::uint32_t v);

 private:
  Buffer buffer_;
};

class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}

  [[nodiscard]] bool u8(std::uint8_t& out);
  [[nodiscard]] bool u32(std::uint32_t& out);
  [[nodiscard]] bool u64(std::uint64_t& out);
  [[nodiscard]] bool ulong(CK_ULONG& out);
  // Only 0 and 1 are flags.
  [[nodiscard]] bool flag(bool& out);
  // Exactly n bytes, as a view into the frame.
  [[nodiscard]] bool raw(std::size_t n, ByteView& out);
  // u64 length then the bytes, as a view into the frame.
  [[nodiscard]] bool bytes(ByteView& out);
  // Like bytes(), into a fixed-size field (exact length).
  [[nodiscard]] bool fixed(std::span<std::uint8_t> out);
  // flag present | ulong length.
  [[nodiscard]] bool out_buffer(bool& present, CK_ULONG& length);
  // ulong length | flag has_data | [bytes]; a value only if it is exactly `length` bytes.
  [[nodiscard]] bool out_data(CK_ULONG& length, bool& has_data, ByteView& data);
  // ulong count, checked against the bytes left: each element takes at least `min_size`.
  [[nodiscard]] bool count(std::size_t min_size, std::size_t& out);

  std::size_t remaining() const { return data_.size() - offset_; }
  bool at_end() const { return offset_ == data_.size(); }

 private:
  ByteView data_;
  std::size_t offset_ = 0;
};

// A module's output buffer on the serving side: NULL for a size query, else `length` bytes
// (never a NULL pointer, even for a zero-length buffer; the pointer survives moves).
class OutputArea {
 public:
  OutputArea(bool present, CK_ULONG length);
  CK_BYTE_PTR ptr() { return present_ ? buffer_.data() : nullptr; }
  bool present() const { return present_; }
  CK_ULONG capacity() const { return capacity_; }
  // The first `length` bytes, if the module reported a length that fits (else empty).
  ByteView written(CK_ULONG length) const;

 private:
  bool present_;
  CK_ULONG capacity_;
  Buffer buffer_;  // capacity_ + 1 bytes when present
};

}  // namespace ssoc::nethsm

#pragma GCC visibility pop
