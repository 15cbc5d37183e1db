#include "api/router.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

namespace tandem::api {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// "/clients/{id}/episodes/{episode}" -> "/clients/{}/episodes/{}": two patterns of one
// shape would match the same paths.
std::string shape_of(std::string_view pattern) {
  std::string out;
  bool in_param = false;
  for (char c : pattern) {
    if (c == '}') in_param = false;
    if (!in_param) out.push_back(c);
    if (c == '{') in_param = true;
  }
  return out;
}

}  // namespace

std::optional<core::Id> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  core::Id value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || value <= 0) return std::nullopt;
  return value;
}

std::string openapi_path(std::string_view pattern) {
  std::string out;
  out.reserve(pattern.size());
  bool in_param = false;
  bool skipping = false;
  for (char c : pattern) {
    if (c == '{') in_param = true;
    if (c == '}') {
      in_param = false;
      skipping = false;
    }
    if (in_param && c == ':') skipping = true;
    if (!skipping) out.push_back(c);
  }
  return out;
}

core::Result<Router> Router::create(std::vector<Route> routes) {
  Router router;
  std::set<std::pair<std::string, std::string>> seen;
  for (const Route& route : routes) {
    if (route.pattern.empty() || route.pattern.front() != '/' || !route.handler) {
      return core::fail(core::Status::invalid_argument(
          fmt::format("route {} {}: a pattern starts with '/' and has a handler", route.method,
                      route.pattern)));
    }
    if (!seen.emplace(route.method, shape_of(route.pattern)).second) {
      return core::fail(core::Status::already_exists(
          fmt::format("route {} {} is registered twice", route.method, route.pattern)));
    }
    Compiled compiled;
    for (std::string_view part : split_path(route.pattern)) {
      Segment segment;
      if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
        std::string_view inner = part.substr(1, part.size() - 2);
        segment.parameter = true;
        const std::size_t colon = inner.find(':');
        segment.id = colon == std::string_view::npos;
        segment.text = std::string(inner.substr(0, colon));
        if (!segment.id && inner.substr(colon + 1) != "string") {
          return core::fail(core::Status::invalid_argument(
              fmt::format("route {}: a parameter is {{name}} or {{name:string}}", route.pattern)));
        }
      } else {
        segment.text = std::string(part);
        ++compiled.literals;
      }
      compiled.segments.push_back(std::move(segment));
    }
    router.compiled_.push_back(std::move(compiled));
  }
  router.routes_ = std::move(routes);
  return router;
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  const std::vector<std::string_view> parts = split_path(path);
  RouteMatch result;
  int best_literals = -1;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Compiled& compiled = compiled_[i];
    if (compiled.segments.size() != parts.size()) continue;
    bool fits = true;
    for (std::size_t s = 0; s < parts.size() && fits; ++s) {
      const Segment& segment = compiled.segments[s];
      fits = segment.parameter ? !parts[s].empty() : segment.text == parts[s];
    }
    if (!fits) continue;
    if (routes_[i].method != wanted) {
      result.allowed.push_back(routes_[i].method);
      continue;
    }
    if (compiled.literals > best_literals) {
      best_literals = compiled.literals;
      result.route = &routes_[i];
      result.params.clear();
      for (std::size_t s = 0; s < parts.size(); ++s) {
        if (compiled.segments[s].parameter) {
          result.params[compiled.segments[s].text] = std::string(parts[s]);
        }
      }
    }
  }
  if (result.route == nullptr) {
    result.kind =
        result.allowed.empty() ? RouteMatch::Kind::kNotFound : RouteMatch::Kind::kMethodNotAllowed;
    std::sort(result.allowed.begin(), result.allowed.end());
    result.allowed.erase(std::unique(result.allowed.begin(), result.allowed.end()),
                         result.allowed.end());
    return result;
  }
  result.allowed.clear();
  // Check ids only on the route that won, so "/clients/me" is not a bad id.
  const Compiled& won = compiled_[static_cast<std::size_t>(result.route - routes_.data())];
  for (const Segment& segment : won.segments) {
    if (segment.parameter && segment.id && !parse_id(result.params[segment.text])) {
      result.kind = RouteMatch::Kind::kBadParameter;
      result.error = core::Status::invalid_argument(
          fmt::format("path parameter '{}' must be a positive whole number", segment.text),
          segment.text);
      return result;
    }
  }
  result.kind = RouteMatch::Kind::kFound;
  return result;
}

}  // namespace tandem::api
