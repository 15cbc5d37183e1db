// The vocabulary of Tandem's HTTP layer, free of any HTTP library: a Request as a
// handler sees it, the Response it returns, and the Route that binds a method and a
// path pattern to a handler. Handlers are a few lines that call a service and map its
// Result onto a Response; everything cross-cutting happens around them. Values; a
// Request is used by the one thread that serves it.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::api {

// Who may call a route: anyone, or only a caller with a live session (cookie or
// bearer token). The authorization matrix test is generated from this field.
enum class Auth { kPublic, kSession };
std::string_view to_string(Auth auth);

// Limits on a JSON request body (the transport also caps the body's bytes).
inline constexpr std::size_t kMaxJsonDepth = 32;
inline constexpr std::size_t kDefaultMaxBodyBytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr int kMaxPageLimit = 200;

struct Request {
  std::string method;   // "GET", "POST", ... (HEAD is served as GET)
  std::string path;     // as received (decoded); never logged
  std::string pattern;  // the route that matched: "/api/v1/clients/{id}"
  std::string request_id;
  std::string body;
  // Path parameters by name. Plain "{name}" parameters were checked to be ids
  // (positive 64-bit integers) before the handler runs.
  std::map<std::string, std::string, std::less<>> params;
  std::multimap<std::string, std::string, std::less<>> query;
  std::multimap<std::string, std::string, std::less<>> headers;  // names lower-cased
  // The client's IP (login throttling per address): the TCP peer, or behind a trusted proxy
  // the address it forwarded for (TrustedProxies). Never logged.
  std::string remote_address;
  // Whether the connection is HTTPS in this process (the session cookie is then Secure).
  bool secure = false;
  // The authenticated caller: always set when a kSession route's handler runs (the
  // server's Authenticator put it there); unset on public routes.
  std::optional<service::Actor> actor;

  // The id in path parameter `name` ("{id}"): already validated by the router.
  [[nodiscard]] core::Id id(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> param(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> query_value(std::string_view name) const;
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  // Keyset pagination from "?after=ID&limit=N" (limit 1..kMaxPageLimit, default 50);
  // InvalidArgument naming the parameter otherwise.
  [[nodiscard]] core::Result<core::Page> page() const;
  // The body as JSON, with the depth limit; InvalidArgument naming the line and
  // column of the first error, or when the Content-Type is not JSON.
  [[nodiscard]] core::Result<nlohmann::json> json() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response json(const nlohmann::json& value, int status = 200);
  // RFC 9457 problem+json for a failed Status (see problem.hpp).
  static Response problem(const core::Status& status);
  static Response text(std::string body, std::string content_type, int status = 200);
  static Response no_content();
};

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string method;   // "GET", "POST", "PUT", "PATCH", "DELETE"
  std::string pattern;  // "/api/v1/clients/{id}"; "{name:string}" for a non-id segment
  Auth auth = Auth::kSession;
  Handler handler;
};

// The usual shape of a handler: a service Result mapped to JSON, or its problem.
template <class T, class ToJson>
Response respond(const core::Result<T>& result, ToJson&& to_json, int status = 200) {
  if (!result) return Response::problem(result.error());
  return Response::json(std::forward<ToJson>(to_json)(*result), status);
}

// One page of a keyset-paged list: {"items": [to_json(row)...], "next_after": the last row's
// id when the page is full (there may be more), else null}.
template <class T, class ToJson, class IdOf>
nlohmann::json paged(const std::vector<T>& rows, const core::Page& page, ToJson&& to_json,
                     IdOf&& id_of) {
  nlohmann::json items = nlohmann::json::array();
  for (const T& row : rows) items.push_back(to_json(row));
  nlohmann::json next = nullptr;
  if (!rows.empty() && static_cast<int>(rows.size()) >= page.limit) next = id_of(rows.back());
  return {{"items", std::move(items)}, {"next_after", std::move(next)}};
}

// Parses a JSON text with the depth limit; errors name the line and column.
core::Result<nlohmann::json> parse_json(std::string_view text,
                                        std::size_t max_depth = kMaxJsonDepth);

}  // namespace tandem::api
