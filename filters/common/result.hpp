// Result<T>: a value or a human-readable error, for cold-path code (config, lists, snapshot files).
//
// A small stand-in for C++23 std::expected, which g++ 12 does not ship. Errors are strings because
// every one of them ends up in front of an operator; they name the file, line and what was
// expected. Not thread-safe to share while being mutated, like any value type.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace takedown {

struct Error {
  std::string message;
};

template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const std::string& error() const { return std::get<1>(state_).message; }

 private:
  std::variant<T, Error> state_;
};

inline Error make_error(std::string message) { return Error{std::move(message)}; }

}  // namespace takedown
