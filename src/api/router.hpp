// The route table and its matcher: from a method and a path to the Route that serves
// it, its path parameters, or the reason there is none (404, 405, or 400 for an id
// that is not a number). Built once at start-up; const afterwards, so thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http.hpp"
#include "core/status.hpp"

namespace tandem::api {

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed, kBadParameter };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;
  std::map<std::string, std::string, std::less<>> params;
  std::vector<std::string> allowed;  // for kMethodNotAllowed: the methods the path has
  core::Status error;                // for kBadParameter
};

class Router {
 public:
  // Fails on a malformed pattern or a method and pattern registered twice.
  static core::Result<Router> create(std::vector<Route> routes);

  // HEAD matches GET routes. A literal segment wins over a parameter ("/clients/me"
  // over "/clients/{id}").
  [[nodiscard]] RouteMatch match(std::string_view method, std::string_view path) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

 private:
  struct Segment {
    std::string text;  // literal text or the parameter's name
    bool parameter = false;
    bool id = false;  // "{name}" (an id) rather than "{name:string}"
  };
  struct Compiled {
    std::vector<Segment> segments;
    int literals = 0;
  };

  Router() = default;
  std::vector<Route> routes_;
  std::vector<Compiled> compiled_;
};

// "/api/v1/invitations/{token:string}" -> "/api/v1/invitations/{token}": the path as
// the OpenAPI document writes it.
std::string openapi_path(std::string_view pattern);

// A positive decimal id that fits core::Id, else nullopt.
std::optional<core::Id> parse_id(std::string_view text);

}  // namespace tandem::api
