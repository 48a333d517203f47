// Result<T>: a value or an Error, in the style of std::expected (which C++20 lacks).
//
//   Result<Bytes> read(...);
//   Bytes data = TRY(read(...));   // returns the Error from the enclosing function on failure
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/error.hpp"

namespace ssoc {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(checked(0)); }
  const T& value() const& { return std::get<0>(checked(0)); }
  T&& value() && { return std::move(std::get<0>(checked(0))); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& { return std::get<1>(checked(1)); }
  Error&& error() && { return std::move(std::get<1>(checked(1))); }

 private:
  std::variant<T, Error>& checked(std::size_t index) {
    assert(state_.index() == index && "value()/error() on the wrong kind of Result");
    (void)index;
    return state_;
  }
  const std::variant<T, Error>& checked(std::size_t index) const {
    assert(state_.index() == index && "value()/error() on the wrong kind of Result");
    (void)index;
    return state_;
  }

  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), failed_(true) {}

  bool ok() const { return !failed_; }
  explicit operator bool() const { return ok(); }
  void value() const { assert(ok() && "value() on a failed Result"); }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

inline Result<void> success() {
  return {};
}

}  // namespace ssoc

// Evaluates a Result; on failure returns its Error from the enclosing function, otherwise yields
// the value. Uses a GNU statement expression (GCC and Clang), as ccache does.
#define TRY(expr)                                                           \
  ({                                                                        \
    auto&& ssoc_try_result_ = (expr);                                       \
    if (!ssoc_try_result_.ok()) return std::move(ssoc_try_result_).error(); \
    std::move(ssoc_try_result_).value();                                    \
  })
