// The OpenAPI 3.1 document of the API, embedded in the binary at build time from
// docs/openapi.yaml (written in the JSON subset of YAML, so it is both). Parsed once,
// on first use; thread-safe.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.hpp"

namespace tandem::api {

// The document's text as written in docs/openapi.yaml.
std::string_view openapi_text();

// The document parsed (Internal when the embedded text is not JSON: a build error
// that the OpenAPI test catches first).
const core::Result<nlohmann::json>& openapi_json();

}  // namespace tandem::api
