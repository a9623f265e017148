// Errors as values. Library code returns Status or Result<T>;
// only main() turns an error into a message and an exit code.
//
// A Status is cheap to pass around when ok (no allocation). Messages say what
// failed, with which input, and what to do: "cannot open checkpoint
// /x/ckpt-3.flor: checksum mismatch (file is corrupt; replay will fall back)".
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "util/check.h"

namespace flor {

enum class Code {
  kOk = 0,
  kInvalidArgument,  // bad flag, bad spec, bad config: the user can fix the input
  kNotFound,         // missing file, run, experiment
  kCorrupt,          // checksum mismatch, truncated file, bad format version
  kIo,               // disk full, permission, fsync failure
  kFailedPrecondition,  // not a git repo, run incomplete, ...
  kDivergence,       // replay does not match the record
  kInternal,         // a dependency threw something unexpected
};

const char* code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok_status() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // "invalid argument: ..." style, for logs and error lines.
  std::string to_string() const;

  // Adds context in front: "loading run 3: " + message.
  Status with_context(const std::string& context) const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
};

inline Status invalid_argument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
inline Status not_found(std::string m) { return {Code::kNotFound, std::move(m)}; }
inline Status corrupt(std::string m) { return {Code::kCorrupt, std::move(m)}; }
inline Status io_error(std::string m) { return {Code::kIo, std::move(m)}; }
inline Status failed_precondition(std::string m) { return {Code::kFailedPrecondition, std::move(m)}; }
inline Status internal_error(std::string m) { return {Code::kInternal, std::move(m)}; }

// A value or an error. Access to value() of an error is a bug and aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    FLOR_CHECK_MSG(!status_.ok(), "Result constructed from an ok Status without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    FLOR_CHECK_MSG(ok(), status_.to_string().c_str());
    return *value_;
  }
  const T& value() const& {
    FLOR_CHECK_MSG(ok(), status_.to_string().c_str());
    return *value_;
  }
  T&& value() && {
    FLOR_CHECK_MSG(ok(), status_.to_string().c_str());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace flor

// Early return of a failed Status (or the Status of a failed Result).
#define FLOR_RETURN_IF_ERROR(expr)                          \
  do {                                                      \
    ::flor::Status flor_status_ = ::flor::status_of(expr);  \
    if (!flor_status_.ok()) return flor_status_;            \
  } while (0)

#define FLOR_CONCAT_INNER(a, b) a##b
#define FLOR_CONCAT(a, b) FLOR_CONCAT_INNER(a, b)
// FLOR_ASSIGN_OR_RETURN(auto x, make_x()); returns the error of a failed Result.
#define FLOR_ASSIGN_OR_RETURN(lhs, expr) \
  FLOR_ASSIGN_OR_RETURN_IMPL(FLOR_CONCAT(flor_result_, __LINE__), lhs, expr)
// tmp is a name and lhs a declaration ("auto x"): neither can be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define FLOR_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

namespace flor {
inline const Status& status_of(const Status& s) { return s; }
template <typename T>
const Status& status_of(const Result<T>& r) { return r.status(); }
}  // namespace flor
