// The use-case routes of the record of care, co-defined progress and what Tandem computes
// from them (clients, episodes, sessions, questionnaires, progress definitions, ratings,
// moments, profiles, timelines, the client's check-in, caseloads, supervision, reflections,
// users, the organisation, assignments, service outcomes, audit, instruments). Each handler is a
// few lines: parse and check the JSON, call the service, map its Result to JSON; authorization
// lives in the service. Stateless; thread-safe.
#pragma once

#include <vector>

#include "api/http.hpp"
#include "api/routes.hpp"

namespace tandem::api {

// Appends the routes above to `table`. Without deps.service every one answers 503.
void add_care_routes(std::vector<Route>& table, const Dependencies& deps);

}  // namespace tandem::api
