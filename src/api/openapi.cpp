#include "api/openapi.hpp"

#include "api/http.hpp"

namespace tandem::generated {
std::string_view openapi_yaml();  // generated from docs/openapi.yaml by CMake
}  // namespace tandem::generated

namespace tandem::api {

std::string_view openapi_text() { return generated::openapi_yaml(); }

const core::Result<nlohmann::json>& openapi_json() {
  static const core::Result<nlohmann::json> document = []() -> core::Result<nlohmann::json> {
    auto parsed = parse_json(openapi_text(), 256);
    if (!parsed) {
      return core::fail(core::Status::internal("docs/openapi.yaml is not JSON-compatible YAML: " +
                                               parsed.error().message()));
    }
    return parsed;
  }();
  return document;
}

}  // namespace tandem::api
