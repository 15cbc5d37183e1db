// Accounts over HTTP: log in and out, who am I, change one's password, invite a client and
// accept an invitation; and the Authenticator that turns a bearer token or the session
// cookie into the caller's actor. CSRF: a cookie-authenticated POST/PUT/PATCH/DELETE must
// carry X-Tandem-CSRF equal to the csrf_token login returned (a hash of the session token,
// so it is bound to the session and needs no storage); bearer requests need none, as a
// browser never adds that header by itself. Thread-safe as the service ports are.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/http.hpp"
#include "service/sessions.hpp"

namespace tandem::api {

inline constexpr std::string_view kSessionCookie = "tandem_session";
inline constexpr std::string_view kCsrfHeader = "x-tandem-csrf";

// The session token a request carries: "Authorization: Bearer ..." first, else the cookie.
struct CarriedToken {
  std::string token;
  bool from_cookie = false;
};
std::optional<CarriedToken> carried_token(const Request& request);

// The CSRF token that goes with a session token.
std::string csrf_token_for(const service::SessionContext& sessions, std::string_view token);

// Unauthenticated without a live token; PermissionDenied for a cookie-authenticated unsafe
// request without the matching X-Tandem-CSRF header.
core::Result<service::Actor> authenticate_request(const service::SessionContext& sessions,
                                                  const Request& request);

// The account routes; a null `sessions` (a server without accounts wired) answers 503.
std::vector<Route> auth_routes(const service::SessionContext* sessions);

}  // namespace tandem::api
