#include "api/problem.hpp"

#include <string>

namespace tandem::api {
namespace {

struct ProblemKind {
  int status;
  std::string_view slug;
  std::string_view title;
};

ProblemKind kind_of(core::StatusCode code) {
  using core::StatusCode;
  switch (code) {
    case StatusCode::kOk:
      return {200, "ok", "OK"};
    case StatusCode::kInvalidArgument:
      return {400, "invalid-argument", "The request is not valid"};
    case StatusCode::kUnauthenticated:
      return {401, "unauthenticated", "Sign-in required"};
    case StatusCode::kPermissionDenied:
      return {403, "permission-denied", "Not allowed"};
    case StatusCode::kNotFound:
      return {404, "not-found", "Not found"};
    case StatusCode::kAlreadyExists:
      return {409, "already-exists", "Already exists"};
    case StatusCode::kFailedPrecondition:
      return {409, "failed-precondition", "Not possible in the current state"};
    case StatusCode::kResourceExhausted:
      return {429, "resource-exhausted", "Too many requests"};
    case StatusCode::kUnavailable:
      return {503, "unavailable", "Temporarily unavailable"};
    case StatusCode::kInternal:
      return {500, "internal", "Internal error"};
  }
  return {500, "internal", "Internal error"};
}

}  // namespace

int http_status(core::StatusCode code) { return kind_of(code).status; }

nlohmann::json problem_body(const core::Status& status) {
  const ProblemKind kind = kind_of(status.code());
  const bool hide_detail = status.code() == core::StatusCode::kInternal;
  nlohmann::json body =
      problem_body(kind.status, kind.slug, kind.title,
                   hide_detail ? std::string_view("Something went wrong on our side.")
                               : std::string_view(status.message()));
  if (!status.field().empty()) body["field"] = status.field();
  return body;
}

nlohmann::json problem_body(int http_status, std::string_view slug, std::string_view title,
                            std::string_view detail) {
  nlohmann::json body = {{"type", std::string(kProblemTypeBase) + std::string(slug)},
                         {"title", std::string(title)},
                         {"status", http_status}};
  if (!detail.empty()) body["detail"] = std::string(detail);
  return body;
}

}  // namespace tandem::api
