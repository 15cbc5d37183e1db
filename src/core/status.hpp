// Status and Result<T>: the one error vocabulary that crosses module boundaries.
// Codes follow absl::StatusCode so each maps onto exactly one HTTP status later
// (InvalidArgument 400, NotFound 404, PermissionDenied 403, ...). Values, thread-safe to copy.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace tandem::core {

enum class StatusCode {
  kOk,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kUnauthenticated,
  kFailedPrecondition,
  kResourceExhausted,
  kUnavailable,
  kInternal,
};

class Status {
 public:
  Status() = default;

  static Status ok() { return Status(); }
  static Status invalid_argument(std::string message, std::string field = {}) {
    return Status(StatusCode::kInvalidArgument, std::move(message), std::move(field));
  }
  static Status not_found(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message), {});
  }
  static Status already_exists(std::string message, std::string field = {}) {
    return Status(StatusCode::kAlreadyExists, std::move(message), std::move(field));
  }
  static Status permission_denied(std::string message) {
    return Status(StatusCode::kPermissionDenied, std::move(message), {});
  }
  static Status unauthenticated(std::string message) {
    return Status(StatusCode::kUnauthenticated, std::move(message), {});
  }
  static Status resource_exhausted(std::string message) {
    return Status(StatusCode::kResourceExhausted, std::move(message), {});
  }
  static Status failed_precondition(std::string message) {
    return Status(StatusCode::kFailedPrecondition, std::move(message), {});
  }
  static Status internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message), {});
  }
  static Status unavailable(std::string message) {
    return Status(StatusCode::kUnavailable, std::move(message), {});
  }

  [[nodiscard]] bool is_ok() const { return code_ == StatusCode::kOk; }
  [[nodiscard]] StatusCode code() const { return code_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  // The input field (or CSV column) the error is about, when there is one.
  [[nodiscard]] const std::string& field() const { return field_; }

 private:
  Status(StatusCode code, std::string message, std::string field)
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::string field_;
};

template <class T>
using Result = tl::expected<T, Status>;

inline tl::unexpected<Status> fail(Status status) {
  return tl::unexpected<Status>(std::move(status));
}

}  // namespace tandem::core
