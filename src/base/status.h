// Status and StatusOr: expected failures as values.
//
// A Status is either OK or an error code with a human-readable message and an
// optional list of field-level details (which request field, which schema
// path). Codes are the gateway's own vocabulary; they are mapped to HTTP
// statuses in exactly one place (server/http_errors.cpp). Statuses are plain
// values: copyable, thread-compatible.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sluice {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,       // malformed input (bad JSON, bad flag)
  kUnprocessable,         // well-formed input that breaks a field rule
  kPayloadTooLarge,       // body over the configured limit
  kUnsupportedMediaType,  // wrong Content-Type
  kNotFound,              // unknown route or model
  kUnauthenticated,
  kPermissionDenied,
  kRateLimited,
  kUpstreamError,         // upstream refused, reset, HTTP error, garbage
  kUpstreamTimeout,       // connect / first-token / idle timeout
  kSchemaViolation,       // model output does not match the requested schema
  kUnavailable,           // nothing ready to serve (e.g. no provider answered)
  kCancelled,             // the client went away
  kInternal,              // a bug
};

// Short stable name of a code ("upstream_error"), used in logs and error bodies.
const char* ErrorCodeName(ErrorCode code);

// One offending piece of input: `loc` is the path to it (e.g. {"body","prompt"}
// or a JSON Pointer split into segments), `type` a short machine-readable kind.
struct ErrorDetail {
  std::vector<std::string> loc;
  std::string msg;
  std::string type;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message, std::vector<ErrorDetail> details = {})
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<ErrorDetail>& details() const { return details_; }

  // "upstream_error: connection refused"
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::vector<ErrorDetail> details_;
};

// Either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok() && "StatusOr constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T& operator*() & { return *value_; }
  const T& operator*() const& { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace sluice

// Propagates a non-OK Status from an expression returning Status.
#define SLUICE_RETURN_IF_ERROR(expr)            \
  do {                                          \
    ::sluice::Status sluice_status_ = (expr);   \
    if (!sluice_status_.ok()) return sluice_status_; \
  } while (0)
