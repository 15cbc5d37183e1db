#include "api/http.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <string>

#include "api/problem.hpp"
#include "api/router.hpp"

namespace tandem::api {
namespace {

struct TooDeep {};

template <class Map>
std::optional<std::string> first_value(const Map& map, std::string_view key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

// nlohmann reports a byte offset; people read lines and columns.
std::string position_of(std::string_view text, std::size_t byte) {
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("line {}, column {}", line, column);
}

}  // namespace

std::string_view to_string(Auth auth) { return auth == Auth::kPublic ? "public" : "session"; }

core::Id Request::id(std::string_view name) const {
  auto value = param(name);
  return value ? static_cast<core::Id>(std::stoll(*value)) : 0;
}

std::optional<std::string> Request::param(std::string_view name) const {
  return first_value(params, name);
}

std::optional<std::string> Request::query_value(std::string_view name) const {
  return first_value(query, name);
}

std::optional<std::string> Request::header(std::string_view name) const {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return first_value(headers, lower);
}

core::Result<core::Page> Request::page() const {
  core::Page page;
  if (auto after = query_value("after")) {
    if (*after != "0") {
      auto id = parse_id(*after);
      if (!id) {
        return core::fail(core::Status::invalid_argument(
            "'after' must be an id from the previous page", "after"));
      }
      page.after = *id;
    }
  }
  if (auto limit = query_value("limit")) {
    auto value = parse_id(*limit);
    if (!value || *value > kMaxPageLimit) {
      return core::fail(core::Status::invalid_argument(
          fmt::format("'limit' must be a whole number from 1 to {}", kMaxPageLimit), "limit"));
    }
    page.limit = static_cast<int>(*value);
  }
  return page;
}

core::Result<nlohmann::json> Request::json() const {
  const std::string type = header("content-type").value_or("");
  if (type.rfind("application/json", 0) != 0) {
    return core::fail(core::Status::invalid_argument(
        "the request body must be JSON (Content-Type: application/json)", "Content-Type"));
  }
  return parse_json(body);
}

core::Result<nlohmann::json> parse_json(std::string_view text, std::size_t max_depth) {
  const auto limit = static_cast<int>(max_depth);
  auto guard = [limit](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    if ((event == nlohmann::json::parse_event_t::object_start ||
         event == nlohmann::json::parse_event_t::array_start) &&
        depth >= limit) {
      throw TooDeep{};
    }
    return true;
  };
  try {
    return nlohmann::json::parse(text.begin(), text.end(), guard);
  } catch (const TooDeep&) {
    return core::fail(core::Status::invalid_argument(
        fmt::format("the JSON body nests deeper than {} levels", max_depth), "body"));
  } catch (const nlohmann::json::parse_error& e) {
    return core::fail(core::Status::invalid_argument(
        fmt::format("malformed JSON at {} (byte {})", position_of(text, e.byte), e.byte), "body"));
  }
}

Response Response::json(const nlohmann::json& value, int status) {
  Response response;
  response.status = status;
  response.body = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response Response::problem(const core::Status& status) {
  Response response;
  response.status = http_status(status.code());
  response.content_type = std::string(kProblemContentType);
  response.body =
      problem_body(status).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response Response::text(std::string body, std::string content_type, int status) {
  Response response;
  response.status = status;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

Response Response::no_content() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

}  // namespace tandem::api
