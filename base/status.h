// base: the error vocabulary shared by every Replayer module.
//
// Library code returns Status or Result<T> instead of throwing; the CLI turns them into messages
// and exit codes. A Status is cheap when OK (no allocation) and carries a code plus a message
// whose context is joined with ": " as it travels up (like LevelDB's Status). This header must
// never grow OS or third-party dependencies: every module includes it.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace base {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // bad input: a file, field, flag or variable the user can fix
    kNotFound,
    kAlreadyExists,
    kIoError,
    kCorruption,       // stored data that does not verify (checksum, journal)
    kFailedPrecondition,  // the world is not in a state where this can run
    kAborted,          // a hook or child asked to stop (e.g. pre-upgrade exit 30)
    kUnavailable,      // transient: try again (network, half-written file)
    kInternal,
  };

  Status() = default;  // OK
  Status(Code code, std::string message)
      : state_(code == Code::kOk ? nullptr
                                 : std::make_shared<const State>(State{code, std::move(message)})) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
  static Status IoError(std::string m) { return {Code::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {Code::kFailedPrecondition, std::move(m)};
  }
  static Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {Code::kInternal, std::move(m)}; }

  bool ok() const { return state_ == nullptr; }
  Code code() const { return state_ ? state_->code : Code::kOk; }
  const std::string& message() const {
    static const std::string kEmpty;
    return state_ ? state_->message : kEmpty;
  }
  bool Is(Code c) const { return code() == c; }

  // Returns a copy whose message is "<context>: <message>".
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return {code(), std::string(context) + ": " + message()};
  }

  std::string ToString() const { return ok() ? std::string("OK") : message(); }

 private:
  struct State {
    Code code;
    std::string message;
  };
  std::shared_ptr<const State> state_;  // null when OK; shared so copies are cheap
};

// Result<T>: a value or a non-OK Status. GCC 12 in C++20 has no std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status has no value");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace base

// Propagates a non-OK Status from an expression returning Status.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::base::Status _st = (expr);               \
    if (!_st.ok()) return _st;                 \
  } while (0)

#define BASE_CONCAT_INNER(a, b) a##b
#define BASE_CONCAT(a, b) BASE_CONCAT_INNER(a, b)
// ASSIGN_OR_RETURN(auto x, ResultExpr()): binds the value or returns the Status.
#define ASSIGN_OR_RETURN(lhs, expr) ASSIGN_OR_RETURN_IMPL(BASE_CONCAT(_res_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
