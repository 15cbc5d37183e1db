// Errors on the wire: core::Status -> RFC 9457 problem+json. http_status() is the one
// mapping from StatusCode to an HTTP status; every error response of the API goes
// through problem_body(). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.hpp"

namespace tandem::api {

inline constexpr std::string_view kProblemContentType = "application/problem+json";
inline constexpr std::string_view kProblemTypeBase = "https://tandem.example.org/problems/";

// InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
// AlreadyExists 409, FailedPrecondition 409 (the request is well-formed but conflicts
// with the state of the record, e.g. rating a closed episode), ResourceExhausted 429,
// Unavailable 503, Internal 500. kOk is 200.
int http_status(core::StatusCode code);

// The problem document for a failed Status: type (a stable URI per code), title,
// status, detail (hidden for Internal: it may name tables or files), and field when
// the Status names one.
nlohmann::json problem_body(const core::Status& status);

// A problem that has no StatusCode (405 Method Not Allowed, 413 Content Too Large,
// 404 for an unknown route, ...): the type's last segment is `slug`.
nlohmann::json problem_body(int http_status, std::string_view slug, std::string_view title,
                            std::string_view detail);

}  // namespace tandem::api
