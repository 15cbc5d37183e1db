// The route table: every route Tandem serves is registered in routes(), and only
// there, so tests can check it against docs/openapi.yaml and generate the
// authorization matrix from it. Handlers are thin: parse, call a service, respond.
#pragma once

#include <vector>

#include "api/http.hpp"
#include "api/metrics.hpp"
#include "core/ports.hpp"
#include "io/profile_output.hpp"
#include "service/context.hpp"
#include "service/insight.hpp"
#include "service/sessions.hpp"

namespace tandem::api {

// What handlers reach through; each must outlive the server. Services join here as
// the use cases get their routes.
struct Dependencies {
  core::Store& store;
  const Metrics& metrics;
  const core::Clock& clock;
  // The use cases' ports. Unset (as in tests of the HTTP plumbing), the use-case routes
  // are still in the table but answer 503.
  const service::Context* service = nullptr;
  // The plain-language texts of profiles (texts/en.json); unset: profiles without texts.
  const io::Texts* texts = nullptr;
  // Accounts and sessions; unset: the account routes are in the table but answer 503.
  const service::SessionContext* sessions = nullptr;
  // Profile options and expected trajectories for profiles, caseloads and timelines; unset:
  // the defaults, and no expected trajectory.
  const service::InsightOptions* insight = nullptr;
};

std::vector<Route> routes(const Dependencies& deps);

// Operational routes outside the use cases: /healthz, /readyz, /metrics and
// /api/v1/openapi.json.
std::vector<Route> system_routes(const Dependencies& deps);

}  // namespace tandem::api
