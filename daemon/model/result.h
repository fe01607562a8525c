// SPDX-License-Identifier: Apache-2.0
// Result<T>: a value or an Error, shaped like std::expected (not in GCC 12's library).
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

#include "daemon/model/error.h"

namespace daxd {

/// Wraps an Error to construct a failed Result: `return Fail(Errc::busy, "...")`.
struct Unexpected {
  Error error;
};
inline Unexpected Fail(Error e) { return Unexpected{std::move(e)}; }
inline Unexpected Fail(Errc code, std::string msg) {
  return Unexpected{Error{code, std::move(msg)}};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}  // NOLINT
  Result(Error e) : v_(std::in_place_index<1>, std::move(e)) {}             // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & {
    assert(has_value() && "value() on an error Result");
    return std::get<0>(v_);
  }
  T const& value() const& {
    assert(has_value() && "value() on an error Result");
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(has_value() && "value() on an error Result");
    return std::get<0>(std::move(v_));
  }
  T& operator*() & { return value(); }
  T const& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  T const* operator->() const { return &value(); }

  Error const& error() const& {
    assert(!has_value() && "error() on a value Result");
    return std::get<1>(v_);
  }
  Error&& error() && {
    assert(!has_value() && "error() on a value Result");
    return std::get<1>(std::move(v_));
  }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Unexpected u) : error_(std::move(u.error)), failed_(true) {}  // NOLINT
  Result(Error e) : error_(std::move(e)), failed_(true) {}             // NOLINT

  bool has_value() const { return !failed_; }
  explicit operator bool() const { return has_value(); }
  void value() const { assert(has_value() && "value() on an error Result"); }
  Error const& error() const& {
    assert(failed_ && "error() on a value Result");
    return error_;
  }
  Error&& error() && {
    assert(failed_ && "error() on a value Result");
    return std::move(error_);
  }

 private:
  Error error_;
  bool failed_ = false;
};

/// Ok() for Result<void>.
inline Result<void> Ok() { return {}; }

/// Explicit, greppable discard of a Result whose failure we accept (best-effort cleanup).
template <typename T>
inline void ignore_result(Result<T>&&) {}

}  // namespace daxd

#define DAXD_CONCAT_INNER(a, b) a##b
#define DAXD_CONCAT(a, b) DAXD_CONCAT_INNER(a, b)

/// Returns the error of `expr` from the enclosing function.
#define DAXD_TRY(expr)                                                                     \
  do {                                                                                     \
    auto&& daxd_try_result_ = (expr);                                                      \
    if (!daxd_try_result_) return ::daxd::Unexpected{std::move(daxd_try_result_).error()}; \
  } while (0)

#define DAXD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)             \
  auto tmp = (expr);                                           \
  if (!tmp) return ::daxd::Unexpected{std::move(tmp).error()}; \
  lhs = std::move(tmp).value()

/// `DAXD_ASSIGN_OR_RETURN(auto regions, nvdimm.list_regions());`
#define DAXD_ASSIGN_OR_RETURN(lhs, expr) \
  DAXD_ASSIGN_OR_RETURN_IMPL(DAXD_CONCAT(daxd_assign_, __LINE__), lhs, expr)
