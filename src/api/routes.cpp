#include "api/routes.hpp"

#include <fmt/format.h>

#include <cstdio>

#include "api/openapi.hpp"
#include "api/routes_auth.hpp"
#include "api/routes_care.hpp"

namespace tandem::api {

std::vector<Route> system_routes(const Dependencies& deps) {
  std::vector<Route> table;
  table.push_back({"GET", "/healthz", Auth::kPublic, [](const Request&) {
                     return Response::json({{"status", "ok"}});
                   }});
  table.push_back({"GET", "/readyz", Auth::kPublic, [&store = deps.store](const Request& request) {
                     const core::Status ping = store.ping();
                     if (ping.is_ok()) return Response::json({{"status", "ready"}});
                     // The reason may name hosts or files: it goes to the log, not
                     // to the caller.
                     std::fprintf(
                         stderr, "{\"event\":\"not_ready\",\"request_id\":\"%s\",\"detail\":%s}\n",
                         request.request_id.c_str(), nlohmann::json(ping.message()).dump().c_str());
                     return Response::problem(core::Status::unavailable(
                         "The database is not reachable or its schema is not current."));
                   }});
  table.push_back({"GET", "/metrics", Auth::kPublic,
                   [&metrics = deps.metrics, &store = deps.store](const Request&) {
                     return Response::text(metrics.render() + render_pool(store.pool_stats()),
                                           "text/plain; version=0.0.4; charset=utf-8");
                   }});
  table.push_back({"GET", "/api/v1/openapi.json", Auth::kPublic, [](const Request&) {
                     const auto& document = openapi_json();
                     if (!document) return Response::problem(document.error());
                     return Response::json(*document);
                   }});
  return table;
}

std::vector<Route> routes(const Dependencies& deps) {
  std::vector<Route> table = system_routes(deps);
  for (Route& route : auth_routes(deps.sessions)) table.push_back(std::move(route));
  // Use-case routes are appended here, one line per route, e.g.
  //   table.push_back({"GET", "/api/v1/clients/{id}", Auth::kSession, get_client(deps)});
  add_care_routes(table, deps);
  return table;
}

}  // namespace tandem::api
