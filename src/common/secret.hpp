// Secret bytes: keys, PINs, master passwords and decrypted settings. Their memory is wiped with
// OPENSSL_cleanse whenever it is freed, including on reallocation. A std::vector is used, not a
// std::string, because a short string keeps its bytes inside the object (SSO), out of reach of
// the allocator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ssoc {

void wipe(void* data, std::size_t size);

template <class T>
struct ZeroizingAllocator {
  using value_type = T;
  ZeroizingAllocator() = default;
  template <class U>
  ZeroizingAllocator(const ZeroizingAllocator<U>&) noexcept {}

  T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
  void deallocate(T* p, std::size_t n) noexcept {
    wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
  }
  template <class U>
  bool operator==(const ZeroizingAllocator<U>&) const noexcept {
    return true;
  }
};

using SecretBytes = std::vector<std::uint8_t, ZeroizingAllocator<std::uint8_t>>;
using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

SecretBytes secret_from(std::string_view text);
SecretBytes secret_from(ByteView bytes);

// A view of the secret as text; valid while the secret lives and is not resized.
std::string_view as_text(const SecretBytes& secret);
ByteView as_bytes(std::string_view text);

// Compares in time that depends only on the lengths.
bool equal_constant_time(ByteView a, ByteView b);

}  // namespace ssoc
