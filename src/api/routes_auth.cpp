#include "api/routes_auth.hpp"

#include <fmt/format.h>

#include <utility>

#include "service/accounts.hpp"

namespace tandem::api {
namespace {

using nlohmann::json;

// Time that depends only on the lengths, which are public (every CSRF token is a hash).
bool same_text(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  }
  return diff == 0;
}

std::optional<std::string> cookie(const Request& request, std::string_view name) {
  const auto header = request.header("cookie");
  if (!header) return std::nullopt;
  std::string_view rest = *header;
  while (!rest.empty()) {
    const auto end = rest.find(';');
    std::string_view pair = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
      return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

bool unsafe(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

bool over_tls(const Request& request) {
  return request.secure || request.header("x-forwarded-proto").value_or("") == "https";
}

std::string session_cookie(const Request& request, std::string_view value, long max_age_s) {
  return fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kSessionCookie,
                     value, max_age_s, over_tls(request) ? "; Secure" : "");
}

Response unavailable() {
  return Response::problem(core::Status::unavailable("accounts are not configured"));
}

// 429 carries Retry-After: the throttling window.
Response problem_with_retry(const core::Status& status, const service::SessionContext& s) {
  Response response = Response::problem(status);
  if (status.code() == core::StatusCode::kResourceExhausted) {
    response.headers.emplace_back("Retry-After", std::to_string(s.limits.throttle_window / 1000));
  }
  return response;
}

// The string field `name` of a JSON object, or InvalidArgument naming it.
core::Result<std::string> text_field(const json& body, const char* name) {
  if (!body.is_object() || !body.contains(name) || !body.at(name).is_string()) {
    return core::fail(
        core::Status::invalid_argument(fmt::format("{}: required (a string)", name), name));
  }
  return body.at(name).get<std::string>();
}

Handler with_sessions(const service::SessionContext* sessions,
                      std::function<Response(const service::SessionContext&, const Request&)> f) {
  return [sessions, f = std::move(f)](const Request& request) {
    if (sessions == nullptr) return unavailable();
    return f(*sessions, request);
  };
}

Response login_route(const service::SessionContext& s, const Request& request) {
  auto body = request.json();
  if (!body) return Response::problem(body.error());
  auto email = text_field(*body, "email");
  if (!email) return Response::problem(email.error());
  auto password = text_field(*body, "password");
  if (!password) return Response::problem(password.error());
  auto in = service::login(s, *email, *password, request.remote_address);
  if (!in) return problem_with_retry(in.error(), s);
  Response response = Response::json({{"token", in->token},
                                      {"csrf_token", csrf_token_for(s, in->token)},
                                      {"expires_at", core::format_timestamp(in->expires_at)},
                                      {"user", in->actor.user},
                                      {"role", core::to_string(in->actor.role)}});
  response.headers.emplace_back("Set-Cookie",
                                session_cookie(request, in->token, s.limits.absolute / 1000));
  return response;
}

Response logout_route(const service::SessionContext& s, const Request& request) {
  const auto carried = carried_token(request);
  if (carried) {
    if (auto status = service::logout(s, carried->token); !status.is_ok()) {
      return Response::problem(status);
    }
  }
  Response response = Response::no_content();
  response.headers.emplace_back("Set-Cookie", session_cookie(request, "", 0));
  return response;
}

Response me_route(const service::SessionContext& s, const Request& request) {
  auto user = service::get_user(s.ctx, *request.actor, request.actor->user);
  if (!user) return Response::problem(user.error());
  json out = {{"id", user->id},
              {"org", user->org},
              {"email", user->email},
              {"display_name", user->display_name},
              {"role", core::to_string(user->role)},
              {"trainee", user->trainee}};
  if (user->client_id) out["client_id"] = *user->client_id;
  return Response::json(out);
}

Response password_route(const service::SessionContext& s, const Request& request) {
  auto body = request.json();
  if (!body) return Response::problem(body.error());
  auto old_password = text_field(*body, "old_password");
  if (!old_password) return Response::problem(old_password.error());
  auto new_password = text_field(*body, "new_password");
  if (!new_password) return Response::problem(new_password.error());
  const auto carried = carried_token(request);
  if (!carried) return Response::problem(core::Status::unauthenticated("please sign in"));
  auto session = service::authenticate_token(s, carried->token);
  if (!session) return Response::problem(session.error());
  const core::Status changed =
      service::change_password(s, session->actor, session->session, *old_password, *new_password);
  return changed.is_ok() ? Response::no_content() : Response::problem(changed);
}

// {"client": id} invites a client to their record; {"role", "display_name", "trainee"} a
// member of staff.
core::Result<service::InvitationLink> invite(const service::SessionContext& s,
                                             const service::Actor& actor, const json& body) {
  if (!body.is_object()) {
    return core::fail(core::Status::invalid_argument(
        "body: {\"client\": id} or {\"role\", \"display_name\", \"trainee\"}", "client"));
  }
  if (!body.contains("role")) {
    if (!body.contains("client") || !body.at("client").is_number_integer()) {
      return core::fail(core::Status::invalid_argument("client: required (a client id)", "client"));
    }
    return service::create_invitation(s, actor, body.at("client").get<core::Id>());
  }
  if (body.contains("client")) {
    return core::fail(core::Status::invalid_argument(
        "client: send either client (a client) or role (a member of staff), not both", "client"));
  }
  auto role_text = text_field(body, "role");
  if (!role_text) return core::fail(role_text.error());
  const auto role = core::parse_role(*role_text);
  if (!role) {
    return core::fail(
        core::Status::invalid_argument("role: one of therapist, supervisor, admin", "role"));
  }
  auto name = text_field(body, "display_name");
  if (!name) return core::fail(name.error());
  service::StaffInvitation staff{*role, std::move(*name), false};
  if (body.contains("trainee")) {
    if (!body.at("trainee").is_boolean()) {
      return core::fail(core::Status::invalid_argument("trainee: true or false", "trainee"));
    }
    staff.trainee = body.at("trainee").get<bool>();
  }
  return service::create_staff_invitation(s, actor, staff);
}

Response invite_route(const service::SessionContext& s, const Request& request) {
  auto body = request.json();
  if (!body) return Response::problem(body.error());
  return respond(
      invite(s, *request.actor, *body),
      [](const service::InvitationLink& l) {
        return json{{"id", l.invitation},
                    {"token", l.token},
                    {"expires_at", core::format_timestamp(l.expires_at)}};
      },
      201);
}

// What a list shows of an invitation: never its token (only its hash is kept anyway).
std::string_view invitation_status(const core::Invitation& i, core::Timestamp now) {
  if (i.used_at) return "used";
  return now >= i.expires_at ? "expired" : "pending";
}

json invitation_json(const core::Invitation& i, core::Timestamp now) {
  json out = {{"id", i.id},
              {"role", core::to_string(i.role)},
              {"client", i.client ? json(*i.client) : json(nullptr)},
              {"created_by", i.created_by},
              {"created_at", core::format_timestamp(i.created_at)},
              {"expires_at", core::format_timestamp(i.expires_at)},
              {"status", invitation_status(i, now)}};
  if (i.role != core::Role::kClient) {
    out["display_name"] = i.display_name;
    out["trainee"] = i.trainee;
  }
  return out;
}

Response invitations_route(const service::SessionContext& s, const Request& request) {
  auto page = request.page();
  if (!page) return Response::problem(page.error());
  const core::Timestamp now = s.ctx.clock.now();
  return respond(service::list_invitations(s, *request.actor, *page), [&](const auto& rows) {
    return paged(
        rows, *page, [&](const core::Invitation& i) { return invitation_json(i, now); },
        [](const core::Invitation& i) { return i.id; });
  });
}

Response accept_route(const service::SessionContext& s, const Request& request) {
  auto body = request.json();
  if (!body) return Response::problem(body.error());
  auto token = text_field(*body, "token");
  if (!token) return Response::problem(token.error());
  auto email = text_field(*body, "email");
  if (!email) return Response::problem(email.error());
  auto password = text_field(*body, "password");
  if (!password) return Response::problem(password.error());
  auto user = service::accept_invitation(s, *token, *email, *password);
  return respond(
      user,
      [](core::Id id) {
        return json{{"user", id}};
      },
      201);
}

}  // namespace

std::optional<CarriedToken> carried_token(const Request& request) {
  if (auto authorization = request.header("authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization->starts_with(kBearer) && authorization->size() > kBearer.size()) {
      return CarriedToken{authorization->substr(kBearer.size()), false};
    }
  }
  if (auto value = cookie(request, kSessionCookie); value && !value->empty()) {
    return CarriedToken{*value, true};
  }
  return std::nullopt;
}

std::string csrf_token_for(const service::SessionContext& sessions, std::string_view token) {
  return sessions.tokens.hash("csrf:" + std::string(token));
}

core::Result<service::Actor> authenticate_request(const service::SessionContext& sessions,
                                                  const Request& request) {
  const auto carried = carried_token(request);
  if (!carried) return core::fail(core::Status::unauthenticated("please sign in"));
  if (carried->from_cookie && unsafe(request.method)) {
    const std::string sent = request.header(kCsrfHeader).value_or("");
    if (!same_text(sent, csrf_token_for(sessions, carried->token))) {
      return core::fail(core::Status::permission_denied(
          "this request needs the X-Tandem-CSRF header that came with the login"));
    }
  }
  auto session = service::authenticate_token(sessions, carried->token);
  if (!session) return core::fail(session.error());
  return session->actor;
}

std::vector<Route> auth_routes(const service::SessionContext* sessions) {
  std::vector<Route> table;
  table.push_back(
      {"POST", "/api/v1/auth/login", Auth::kPublic, with_sessions(sessions, login_route)});
  table.push_back(
      {"POST", "/api/v1/auth/logout", Auth::kSession, with_sessions(sessions, logout_route)});
  table.push_back({"GET", "/api/v1/me", Auth::kSession, with_sessions(sessions, me_route)});
  table.push_back(
      {"POST", "/api/v1/auth/password", Auth::kSession, with_sessions(sessions, password_route)});
  table.push_back(
      {"POST", "/api/v1/invitations", Auth::kSession, with_sessions(sessions, invite_route)});
  table.push_back(
      {"GET", "/api/v1/invitations", Auth::kSession, with_sessions(sessions, invitations_route)});
  table.push_back(
      {"POST", "/api/v1/invitations/accept", Auth::kPublic, with_sessions(sessions, accept_route)});
  return table;
}

}  // namespace tandem::api
