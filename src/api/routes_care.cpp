#include "api/routes_care.hpp"

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "api/router.hpp"
#include "core/instrument.hpp"
#include "core/progress_profile.hpp"
#include "core/record.hpp"
#include "io/profile_output.hpp"
#include "service/accounts.hpp"
#include "service/audit_log.hpp"
#include "service/care_record.hpp"
#include "service/check_in.hpp"
#include "service/insight.hpp"
#include "service/instruments.hpp"
#include "service/progress.hpp"
#include "service/reflections.hpp"
#include "service/timeline.hpp"

namespace tandem::api {
namespace {

using nlohmann::json;
using service::Context;

// ---- reading request bodies -----------------------------------------------------------------

// The body as a JSON object; anything else is a 400 naming what was wrong.
core::Result<json> object_body(const Request& request) {
  auto body = request.json();
  if (!body) return body;
  if (!body->is_object()) {
    return core::fail(core::Status::invalid_argument("The body must be a JSON object."));
  }
  return body;
}

// Reads typed fields of a JSON object; the first problem (missing or of the wrong type) is
// kept, naming the field, and later reads are skipped.
class Fields {
 public:
  explicit Fields(const json& object) : object_(object) {}

  std::string text(const char* name) { return opt_text(name, true).value_or(""); }
  std::optional<std::string> opt_text(const char* name, bool required = false) {
    const json* value = find(name, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) return wrong(name, "a string");
    return value->get<std::string>();
  }
  core::Id id(const char* name) { return opt_id(name, true).value_or(0); }
  std::optional<core::Id> opt_id(const char* name, bool required = false) {
    const json* value = find(name, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number_integer() || value->get<core::Id>() <= 0) return wrong(name, "an id");
    return value->get<core::Id>();
  }
  double number(const char* name) {
    const json* value = find(name, true);
    if (value == nullptr) return 0.0;
    if (!value->is_number()) {
      wrong(name, "a number");
      return 0.0;
    }
    return value->get<double>();
  }
  std::optional<int> opt_int(const char* name) {
    const json* value = find(name, false);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number_integer()) return wrong(name, "an integer");
    return value->get<int>();
  }
  bool flag(const char* name, bool fallback = false) { return opt_flag(name).value_or(fallback); }
  std::optional<bool> opt_flag(const char* name, bool required = false) {
    const json* value = find(name, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) return wrong(name, "true or false");
    return value->get<bool>();
  }
  std::optional<core::Date> opt_date(const char* name) {
    auto text = opt_text(name);
    if (!text) return std::nullopt;
    auto date = core::parse_date(*text);
    if (!date) return wrong(name, "a date (YYYY-MM-DD)");
    return date;
  }
  const json* array(const char* name, bool required) {
    const json* value = find(name, required);
    if (value != nullptr && !value->is_array()) {
      wrong(name, "an array");
      return nullptr;
    }
    return value;
  }
  void invalid(std::string message, std::string field) {
    if (status_.is_ok())
      status_ = core::Status::invalid_argument(std::move(message), std::move(field));
  }
  [[nodiscard]] const core::Status& status() const { return status_; }

 private:
  const json* find(const char* name, bool required) {
    if (!status_.is_ok()) return nullptr;
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) {
      if (required) invalid(fmt::format("The field '{}' is required.", name), name);
      return nullptr;
    }
    return &*it;
  }
  std::nullopt_t wrong(const char* name, const char* what) {
    invalid(fmt::format("The field '{}' must be {}.", name, what), name);
    return std::nullopt;
  }

  const json& object_;
  core::Status status_;
};

// ---- writing responses ----------------------------------------------------------------------

json date_or_null(const std::optional<core::Date>& date) {
  return date ? json(core::format_date(*date)) : json(nullptr);
}
json id_or_null(const std::optional<core::Id>& id) { return id ? json(*id) : json(nullptr); }
json number_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

Response created(core::Id id) { return Response::json({{"id", id}}, 201); }

template <class T, class IdOf>
json page_of(const std::vector<T>& items, const core::Page& page, json mapped, IdOf&& id_of) {
  json next = nullptr;
  if (!items.empty() && static_cast<int>(items.size()) >= page.limit) next = id_of(items.back());
  return {{"items", std::move(mapped)}, {"next_after", next}};
}

json client_json(const core::Client& client) {
  return {{"id", client.id},
          {"display_name", client.display_name},
          {"birth_date", date_or_null(client.birth_date)},
          {"consent", {{"care", client.consent.care}, {"research", client.consent.research}}},
          {"created_at", core::format_timestamp(client.created_at)}};
}

json episode_json(const core::EpisodeRecord& episode) {
  return {{"id", episode.id},
          {"client", episode.client},
          {"therapist", episode.therapist},
          {"instrument", episode.instrument},
          {"opened", core::format_date(episode.opened)},
          {"closed", date_or_null(episode.closed)},
          {"close_reason",
           episode.close_reason ? json(core::to_string(*episode.close_reason)) : json(nullptr)},
          {"status", episode.closed ? "closed" : "open"}};
}

json session_json(const core::SessionRecord& session) {
  return {{"id", session.id},
          {"episode", session.episode},
          {"number", session.number},
          {"date", core::format_date(session.date)},
          {"attendance", core::to_string(session.attendance)},
          {"felt_hard_client", session.felt_hard_client},
          {"felt_hard_therapist", session.felt_hard_therapist},
          {"therapist_notes", session.therapist_notes}};
}

json goal_json(const core::GoalDefinition& goal) {
  json out = {{"key", goal.key}, {"text", goal.text}, {"scale", core::to_string(goal.scale)}};
  if (goal.scale == core::GoalScale::kGas) {
    out["gas_levels"] = goal.gas_levels;
    out["weight"] = goal.weight;
  }
  return out;
}

json definition_json(const service::DefinitionVersionView& view) {
  const auto& d = view.definition;
  json goals = json::array();
  for (const auto& goal : d.goals) goals.push_back(goal_json(goal));
  json reworded = json::array();
  for (const auto& r : view.changes.goals_reworded) {
    reworded.push_back({{"key", r.key}, {"before", r.before}, {"after", r.after}});
  }
  auto agreed = [](const std::optional<core::Timestamp>& at) {
    return at ? json(core::format_timestamp(*at)) : json(nullptr);
  };
  return {{"version", d.version},
          {"hopes", d.hopes},
          {"better_looks_like", d.better_looks_like},
          {"small_shifts", d.small_shifts},
          {"goals", goals},
          {"change_note", d.change_note},
          {"changed_by", d.changed_by},
          {"changed_at", core::format_timestamp(d.changed_at)},
          {"client_agreed_at", agreed(d.client_agreed_at)},
          {"therapist_agreed_at", agreed(d.therapist_agreed_at)},
          {"revised_at_session", d.revised_at_session ? json(*d.revised_at_session) : json()},
          {"changes",
           {{"fields", view.changes.fields},
            {"goals_added", view.changes.goals_added},
            {"goals_removed", view.changes.goals_removed},
            {"goals_reworded", reworded},
            {"goals_retuned", view.changes.goals_retuned}}}};
}

json signal_json(const core::Signal& signal) {
  return {{"type", core::to_string(signal.type)},
          {"session", signal.session},
          {"subject", signal.subject},
          {"reason", signal.reason}};
}

json caseload_json(const service::Caseload& caseload) {
  json clients = json::array();
  for (const auto& entry : caseload.clients) {
    json patterns = json::array();
    for (auto pattern : entry.patterns) patterns.push_back(core::to_string(pattern));
    json signals = json::array();
    for (const auto& signal : entry.signals) signals.push_back(signal_json(signal));
    clients.push_back({{"client", entry.client},
                       {"display_name", entry.display_name},
                       {"episode", id_or_null(entry.episode)},
                       {"open_episode", entry.ended ? json(nullptr) : id_or_null(entry.episode)},
                       {"instrument", entry.instrument},
                       {"ended", entry.ended},
                       {"sessions", entry.sessions},
                       {"attended", entry.attended},
                       {"last_session", date_or_null(entry.last_session)},
                       {"dropout_risk", number_or_null(entry.dropout_risk)},
                       {"patterns", patterns},
                       {"signals", signals}});
  }
  return {{"therapist", caseload.therapist},
          {"therapist_name", caseload.therapist_name},
          {"clients", clients}};
}

json user_json(const service::UserView& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"display_name", user.display_name},
          {"role", core::to_string(user.role)},
          {"trainee", user.trainee},
          {"client_id", id_or_null(user.client_id)},
          {"active", user.active},
          {"created_at", core::format_timestamp(user.created_at)}};
}

json reflection_json(const service::ReflectionThread& thread) {
  const auto& r = thread.reflection;
  json comments = json::array();
  for (const auto& c : thread.comments) {
    comments.push_back({{"id", c.id},
                        {"author", c.author},
                        {"text", c.text},
                        {"at", core::format_timestamp(c.at)}});
  }
  return {{"id", r.id},
          {"author", r.author},
          {"episode", id_or_null(r.episode)},
          {"tried_to_fix", r.tried_to_fix},
          {"sat_with", r.sat_with},
          {"at", core::format_timestamp(r.at)},
          {"comments", comments}};
}

json rate_json(const core::ServiceRate& rate) {
  return {{"numerator", rate.numerator},
          {"denominator", rate.denominator},
          {"rate", number_or_null(rate.rate)}};
}

json summary_json(const core::ServiceSummary& s) {
  return {{"episodes", s.episodes},
          {"finished_treatment", s.finished_treatment},
          {"finished_at_caseness", s.finished_at_caseness},
          {"finished_not_at_caseness", s.finished_not_at_caseness},
          {"missing_paired_scores", s.missing_paired_scores},
          {"recovery", rate_json(s.recovery)},
          {"reliable_improvement", rate_json(s.reliable_improvement)},
          {"reliable_deterioration", rate_json(s.reliable_deterioration)},
          {"reliable_recovery", rate_json(s.reliable_recovery)}};
}

json outcomes_json(const service::ServiceOutcomes& outcomes) {
  json single = json::array();
  for (const auto& m : outcomes.single_measure) {
    single.push_back({{"instrument", m.instrument}, {"summary", summary_json(m.summary)}});
  }
  json by_month = json::array();
  for (const auto& m : outcomes.by_month) {
    by_month.push_back({{"month", m.month}, {"summary", summary_json(m.summary)}});
  }
  return {{"episodes_open", outcomes.episodes_open},
          {"by_month", by_month},
          {"episodes_closed", outcomes.episodes_closed},
          {"paired", outcomes.paired ? summary_json(*outcomes.paired) : json(nullptr)},
          {"single_measure", single},
          {"episodes_without_rules", outcomes.episodes_without_rules}};
}

json audit_json(const core::AuditEntry& entry) {
  return {{"id", entry.id},
          {"actor", id_or_null(entry.actor)},
          {"action", entry.action},
          {"record_type", entry.record_type},
          {"record_id", id_or_null(entry.record_id)},
          {"outcome", core::to_string(entry.outcome)},
          {"at", core::format_timestamp(entry.at)}};
}

json options_json(const std::vector<core::AnswerOption>& options) {
  json out = json::array();
  for (const auto& option : options)
    out.push_back({{"value", option.value}, {"label", option.label}});
  return out;
}

// Items with their id and wording, and their own answers when they have some.
json items_json(const core::Instrument& instrument) {
  json items = json::array();
  for (const auto& item : instrument.items) {
    json out = {{"id", item.id}, {"text", item.text}};
    if (!item.options.empty()) out["options"] = options_json(item.options);
    items.push_back(std::move(out));
  }
  return items;
}

json instrument_json(const core::Instrument& instrument) {
  return {{"id", instrument.id},
          {"name", instrument.name},
          {"version", instrument.version},
          {"preamble", instrument.preamble},
          {"min_total", instrument.min_total},
          {"max_total", instrument.max_total},
          {"options", options_json(instrument.options)},
          {"items", items_json(instrument)}};
}

json rater_json(core::Rater rater) { return json(core::to_string(rater)); }

json responses_json(const std::vector<double>& responses) {
  json out = json::array();
  for (double answer : responses) out.push_back(number_or_null(answer));
  return out;
}

json questionnaire_json(const service::QuestionnaireView& view) {
  const core::Administration& a = view.administration;
  return {{"id", a.id},
          {"session", id_or_null(a.session)},
          {"instrument", a.instrument},
          {"answered_by", rater_json(a.answered_by)},
          {"total", number_or_null(a.total)},
          {"band", view.score.band},
          {"crisis", view.score.crisis == core::Flag::kYes},
          {"answered", view.score.answered},
          {"missing", view.score.missing},
          {"responses", responses_json(a.responses)},
          {"at", core::format_timestamp(a.at)}};
}

json goal_rating_json(const core::GoalRatingRecord& r) {
  return {{"id", r.id},
          {"session", r.session},
          {"goal_key", r.goal_key},
          {"rater", rater_json(r.rater)},
          {"value", r.value},
          {"at", core::format_timestamp(r.at)}};
}

json alliance_json(const core::AllianceRating& r) {
  return {{"id", r.id},
          {"session", r.session},
          {"value", r.value},
          {"at", core::format_timestamp(r.at)}};
}

json moment_json(const core::MomentRecord& m) {
  return {
      {"id", m.id},     {"session", id_or_null(m.session)}, {"tag", m.tag},
      {"text", m.text}, {"by", rater_json(m.by)},           {"at", core::format_timestamp(m.at)}};
}

// {"items": [...]} of a list, each mapped by `to_json`.
template <class List, class ToJson>
json items_of(const List& list, ToJson&& to_json) {
  json items = json::array();
  for (const auto& x : list) items.push_back(to_json(x));
  return {{"items", items}};
}

json brief_session_json(const core::SessionRecord& s) {
  return {{"id", s.id}, {"number", s.number}, {"date", core::format_date(s.date)}};
}

// A goal as the client page and the check-in show it: gas_levels always present (empty for
// a GBO goal).
json chart_goal_json(const core::GoalDefinition& goal) {
  json levels = json::array();
  if (goal.scale == core::GoalScale::kGas) levels = goal.gas_levels;
  return {{"key", goal.key},
          {"text", goal.text},
          {"scale", core::to_string(goal.scale)},
          {"gas_levels", levels}};
}

json optional_number(const std::optional<double>& value) {
  return value ? number_or_null(*value) : json(nullptr);
}

json timeline_json(const service::Timeline& t) {
  json sessions = json::array();
  for (const auto& s : t.sessions) {
    sessions.push_back({{"id", s.id},
                        {"number", s.number},
                        {"date", core::format_date(s.date)},
                        {"attendance", core::to_string(s.attendance)},
                        {"felt_hard_client", s.felt_hard_client},
                        {"felt_hard_therapist", s.felt_hard_therapist}});
  }
  json scores = json::array();
  for (const auto& s : t.scores) {
    scores.push_back({{"session", s.session},
                      {"date", core::format_date(s.date)},
                      {"total", number_or_null(s.total)},
                      {"band", s.band},
                      {"answered_by", rater_json(s.answered_by)},
                      {"crisis", s.crisis}});
  }
  json goals = json::array();
  for (const auto& g : t.goals) {
    json out = chart_goal_json(g.definition);
    json ratings = json::array();
    for (const auto& r : g.ratings) {
      ratings.push_back(
          {{"session", r.session}, {"rater", rater_json(r.rater)}, {"value", r.value}});
    }
    out["ratings"] = ratings;
    goals.push_back(std::move(out));
  }
  json alliance = json::array();
  for (const auto& a : t.alliance) alliance.push_back({{"session", a.session}, {"value", a.value}});
  json moments = json::array();
  for (const auto& m : t.moments) {
    json out = {{"session", m.session}, {"tag", m.tag}, {"by", rater_json(m.by)}};
    if (m.text) out["text"] = *m.text;
    moments.push_back(std::move(out));
  }
  json sudden = json::array();
  for (const auto& c : t.sudden_changes) {
    sudden.push_back({{"kind", c.kind == core::ChangeKind::kGain ? "gain" : "loss"},
                      {"pregain_session", c.pregain_session},
                      {"postgain_session", c.postgain_session},
                      {"magnitude", number_or_null(c.magnitude)},
                      {"reversal", c.reversal}});
  }
  json band = nullptr;
  if (t.reliable_change_band) {
    band = {{"intake", t.reliable_change_band->intake},
            {"lower", t.reliable_change_band->lower},
            {"upper", t.reliable_change_band->upper}};
  }
  json expected = nullptr;
  if (t.expected) {
    expected = json::array();
    for (const auto& e : *t.expected) {
      expected.push_back({{"session", e.session},
                          {"p10", number_or_null(e.band.p10)},
                          {"p25", number_or_null(e.band.p25)},
                          {"p50", number_or_null(e.band.p50)},
                          {"p75", number_or_null(e.band.p75)},
                          {"p90", number_or_null(e.band.p90)}});
    }
  }
  const core::Instrument& i = t.instrument;
  return {{"episode", t.episode.id},
          {"client", t.episode.client},
          {"status", t.episode.closed ? "closed" : "open"},
          {"instrument",
           {{"id", i.id},
            {"name", i.name},
            {"min", i.min_total},
            {"max", i.max_total},
            {"cutoff", optional_number(i.caseness_cutoff)},
            {"reliable_change", optional_number(i.reliable_change_threshold)},
            {"lower_is_better", i.direction == core::Direction::kLowerIsBetter}}},
          {"sessions", sessions},
          {"scores", scores},
          {"goals", goals},
          {"alliance", alliance},
          {"moments", moments},
          {"sudden_changes", sudden},
          {"reliable_change_band", band},
          {"expected", expected}};
}

json check_in_json(const service::CheckIn& c) {
  json goals = json::array();
  for (const auto& g : c.goals) goals.push_back(chart_goal_json(g));
  json questionnaire = nullptr;
  if (c.questionnaire) {
    const core::Instrument& i = *c.questionnaire;
    questionnaire = {{"instrument", i.id},
                     {"name", i.name},
                     {"preamble", i.preamble},
                     {"options", options_json(i.options)},
                     {"items", items_json(i)}};
  }
  json answered_goals = json::object();
  for (const auto& [key, value] : c.answered.goals) answered_goals[key] = value;
  return {{"session", c.session ? brief_session_json(*c.session) : json(nullptr)},
          {"goals", goals},
          {"questionnaire", questionnaire},
          {"answered",
           {{"goals", answered_goals},
            {"alliance", optional_number(c.answered.alliance)},
            {"felt_hard", c.answered.felt_hard},
            {"moments", c.answered.moments},
            {"questionnaire", c.answered.questionnaire}}},
          {"crisis_text", c.crisis_text}};
}

// ---- the handlers ---------------------------------------------------------------------------

using Body = std::function<Response(const Context&, const service::Actor&, const Request&)>;

// Binds a handler to the service context; 503 when the server was built without one.
Handler bound(const Dependencies& deps, Body body) {
  return [context = deps.service, body = std::move(body)](const Request& request) {
    if (context == nullptr || !request.actor) {
      return Response::problem(core::Status::unavailable("The record of care is not available."));
    }
    return body(*context, *request.actor, request);
  };
}

// The usual POST: a JSON object read into a value by `read`, then passed to `call`.
template <class Read, class Call>
Response post(const Request& request, Read&& read, Call&& call) {
  auto body = object_body(request);
  if (!body) return Response::problem(body.error());
  Fields fields(*body);
  auto input = read(fields);
  if (!fields.status().is_ok()) return Response::problem(fields.status());
  return call(input);
}

template <class T>
Response created_or_problem(const core::Result<T>& result) {
  if (!result) return Response::problem(result.error());
  return created(*result);
}

Response done(const core::Status& status) {
  return status.is_ok() ? Response::no_content() : Response::problem(status);
}

// The options profiles, caseloads and timelines are computed with.
const service::InsightOptions& insight_of(const Dependencies& deps) {
  static const service::InsightOptions kDefaults{};
  return deps.insight != nullptr ? *deps.insight : kDefaults;
}

void add_client_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back({"GET", "/api/v1/clients", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 auto page = r.page();
                 if (!page) return Response::problem(page.error());
                 return respond(service::list_clients(ctx, a, *page), [&](const auto& clients) {
                   json items = json::array();
                   for (const auto& c : clients) items.push_back(client_json(c));
                   return page_of(clients, *page, items, [](const auto& c) { return c.id; });
                 });
               })});
  t.push_back({"POST", "/api/v1/clients", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [](Fields& f) {
                       service::NewClient in;
                       in.display_name = f.text("display_name");
                       in.birth_date = f.opt_date("birth_date");
                       in.consent.care = f.flag("consent_care", true);
                       in.consent.research = f.flag("consent_research", false);
                       in.therapist = f.opt_id("therapist");
                       return in;
                     },
                     [&](const service::NewClient& in) {
                       return created_or_problem(service::create_client(ctx, a, in));
                     });
               })});
  t.push_back({"GET", "/api/v1/clients/{id}", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::get_client(ctx, a, r.id("id")), client_json);
               })});
  t.push_back({"GET", "/api/v1/clients/{id}/episodes", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::list_episodes(ctx, a, r.id("id")), [](const auto& list) {
                   json items = json::array();
                   for (const auto& e : list) items.push_back(episode_json(e));
                   return json{{"items", items}};
                 });
               })});
  t.push_back({"POST", "/api/v1/clients/{id}/episodes", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [&](Fields& f) {
                       service::NewEpisode in;
                       in.client = r.id("id");
                       in.instrument = f.opt_text("instrument").value_or("phq9");
                       in.opened = f.opt_date("opened");
                       return in;
                     },
                     [&](const service::NewEpisode& in) {
                       return created_or_problem(service::open_episode(ctx, a, in));
                     });
               })});
}

void add_episode_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back({"GET", "/api/v1/episodes/{id}", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::get_episode(ctx, a, r.id("id")), episode_json);
               })});
  t.push_back(
      {"POST", "/api/v1/episodes/{id}/close", Auth::kSession,
       bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
         struct Close {
           core::CloseReason reason = core::CloseReason::kCompleted;
           std::optional<core::Date> closed;
         };
         return post(
             r,
             [](Fields& f) {
               Close in;
               auto reason = core::parse_close_reason(f.text("reason"));
               if (!reason) {
                 f.invalid("The field 'reason' must be completed, dropped-out or transferred.",
                           "reason");
               }
               in.reason = reason.value_or(core::CloseReason::kCompleted);
               in.closed = f.opt_date("closed");
               return in;
             },
             [&](const Close& in) {
               return done(service::close_episode(ctx, a, r.id("id"), in.reason, in.closed));
             });
       })});
  t.push_back({"GET", "/api/v1/episodes/{id}/sessions", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::list_sessions(ctx, a, r.id("id")), [](const auto& list) {
                   json items = json::array();
                   for (const auto& s : list) items.push_back(session_json(s));
                   return json{{"items", items}};
                 });
               })});
  t.push_back({"POST", "/api/v1/episodes/{id}/sessions", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [&](Fields& f) {
                       service::NewSession in;
                       in.episode = r.id("id");
                       in.number = f.opt_int("number");
                       in.date = f.opt_date("date");
                       if (auto text = f.opt_text("attendance")) {
                         auto attendance = core::parse_attendance(*text);
                         if (!attendance) {
                           f.invalid("The field 'attendance' is not a known attendance.",
                                     "attendance");
                         }
                         in.attendance = attendance.value_or(core::Attendance::kAttended);
                       }
                       in.felt_hard_client = f.flag("felt_hard_client");
                       in.felt_hard_therapist = f.flag("felt_hard_therapist");
                       in.therapist_notes = f.opt_text("therapist_notes").value_or("");
                       return in;
                     },
                     [&](const service::NewSession& in) {
                       return created_or_problem(service::record_session(ctx, a, in));
                     });
               })});
  t.push_back({"POST", "/api/v1/episodes/{id}/questionnaires", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [&](Fields& f) {
                       service::NewQuestionnaire in;
                       in.episode = r.id("id");
                       in.session = f.opt_id("session");
                       in.instrument = f.text("instrument");
                       if (auto rater = f.opt_text("answered_by")) {
                         auto parsed = core::parse_rater(*rater);
                         if (!parsed) {
                           f.invalid("The field 'answered_by' must be client or therapist.",
                                     "answered_by");
                         }
                         in.answered_by = parsed.value_or(core::Rater::kClient);
                       }
                       if (const json* answers = f.array("responses", true)) {
                         for (const auto& answer : *answers) {
                           if (answer.is_null()) {
                             in.responses.push_back(core::kMissing);
                           } else if (answer.is_number()) {
                             in.responses.push_back(answer.get<double>());
                           } else {
                             f.invalid("Each response must be a number or null.", "responses");
                           }
                         }
                       }
                       return in;
                     },
                     [&](const service::NewQuestionnaire& in) {
                       auto result = service::record_questionnaire(ctx, a, in);
                       if (!result) return Response::problem(result.error());
                       return Response::json(
                           {{"id", result->id},
                            {"total", number_or_null(result->score.total)},
                            {"answered", result->score.answered},
                            {"missing", result->score.missing},
                            {"prorated", result->score.prorated},
                            {"band", result->score.band},
                            {"crisis", result->score.crisis == core::Flag::kYes},
                            {"crisis_text",
                             result->crisis_text ? json(*result->crisis_text) : json(nullptr)}},
                           201);
                     });
               })});
}

void add_progress_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back({"GET", "/api/v1/episodes/{id}/profile", Auth::kSession,
               bound(deps, [texts = deps.texts, &insight = insight_of(deps)](
                               const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::episode_profile(ctx, a, r.id("id"), insight),
                                [&](const auto& p) {
                                  json out = io::profile_to_json(p.profile, p.instrument, texts);
                                  out["episode"] = p.episode;
                                  out["client"] = p.client;
                                  out["ended"] = p.ended;
                                  out["trajectory_available"] = p.trajectory_available;
                                  return out;
                                });
               })});
  t.push_back({"GET", "/api/v1/episodes/{id}/definitions", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::progress_history(ctx, a, r.id("id")),
                                [](const auto& versions) {
                                  json items = json::array();
                                  for (const auto& v : versions)
                                    items.push_back(definition_json(v));
                                  return json{{"items", items}};
                                });
               })});
  t.push_back({"POST", "/api/v1/episodes/{id}/definitions", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [](Fields& f) {
                       service::DefinitionDraft in;
                       in.hopes = f.text("hopes");
                       in.better_looks_like = f.opt_text("better_looks_like").value_or("");
                       in.small_shifts = f.opt_text("small_shifts").value_or("");
                       in.change_note = f.opt_text("change_note").value_or("");
                       if (const json* goals = f.array("goals", false)) {
                         for (const auto& goal : *goals) {
                           if (!goal.is_object()) {
                             f.invalid("Each goal must be an object.", "goals");
                             break;
                           }
                           Fields g(goal);
                           core::GoalDefinition d;
                           d.key = g.text("key");
                           d.text = g.text("text");
                           auto scale = core::parse_goal_scale(g.opt_text("scale").value_or("gbo"));
                           if (!scale) g.invalid("The goal scale must be gbo or gas.", "scale");
                           d.scale = scale.value_or(core::GoalScale::kGbo);
                           if (const json* levels = g.array("gas_levels", false)) {
                             for (std::size_t i = 0; i < levels->size() && i < 5; ++i) {
                               if ((*levels)[i].is_string()) d.gas_levels.at(i) = (*levels)[i];
                             }
                           }
                           if (!g.status().is_ok()) {
                             f.invalid(fmt::format("goals: {}", g.status().message()),
                                       fmt::format("goals.{}", g.status().field()));
                             break;
                           }
                           in.goals.push_back(std::move(d));
                         }
                       }
                       return in;
                     },
                     [&](const service::DefinitionDraft& in) {
                       auto version = service::define_progress(ctx, a, r.id("id"), in);
                       if (!version) return Response::problem(version.error());
                       return Response::json({{"version", *version}}, 201);
                     });
               })});
  t.push_back({"POST", "/api/v1/episodes/{id}/definitions/{version}/agree", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return done(service::agree_progress(ctx, a, r.id("id"),
                                                     static_cast<int>(r.id("version"))));
               })});
  t.push_back({"POST", "/api/v1/episodes/{id}/goal-ratings", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [&](Fields& f) {
                       service::NewGoalRating in;
                       in.episode = r.id("id");
                       in.session = f.id("session");
                       in.goal_key = f.text("goal_key");
                       in.value = f.number("value");
                       return in;
                     },
                     [&](const service::NewGoalRating& in) {
                       return created_or_problem(service::rate_goal(ctx, a, in));
                     });
               })});
  t.push_back({"POST", "/api/v1/episodes/{id}/alliance", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [&](Fields& f) {
                       service::NewAlliance in;
                       in.episode = r.id("id");
                       in.session = f.id("session");
                       in.value = f.number("value");
                       return in;
                     },
                     [&](const service::NewAlliance& in) {
                       return created_or_problem(service::record_alliance(ctx, a, in));
                     });
               })});
  t.push_back({"POST", "/api/v1/episodes/{id}/moments", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [&](Fields& f) {
                       service::NewMoment in;
                       in.episode = r.id("id");
                       in.session = f.opt_id("session");
                       in.tag = f.text("tag");
                       in.text = f.opt_text("text").value_or("");
                       return in;
                     },
                     [&](const service::NewMoment& in) {
                       return created_or_problem(service::note_moment(ctx, a, in));
                     });
               })});
}

void add_insight_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back({"GET", "/api/v1/therapists/{id}/caseload", Auth::kSession,
               bound(deps, [&insight = insight_of(deps)](
                               const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::caseload(ctx, a, r.id("id"), insight), caseload_json);
               })});
  t.push_back(
      {"GET", "/api/v1/supervision", Auth::kSession,
       bound(deps, [&insight = insight_of(deps)](const Context& ctx, const service::Actor& a,
                                                 const Request&) {
         return respond(service::supervision_overview(ctx, a, insight), [](const auto& list) {
           json items = json::array();
           for (const auto& s : list) {
             items.push_back({{"therapist", user_json(s.therapist)},
                              {"caseload", caseload_json(s.caseload)},
                              {"reflections", s.reflections},
                              {"reflections_awaiting_comment", s.reflections_awaiting_comment}});
           }
           return json{{"items", items}};
         });
       })});
  t.push_back({"GET", "/api/v1/service-outcomes", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request&) {
                 return respond(service::service_outcomes(ctx, a), outcomes_json);
               })});
}

void add_reflection_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back(
      {"GET", "/api/v1/reflections", Auth::kSession,
       bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
         auto page = r.page();
         if (!page) return Response::problem(page.error());
         core::Id author = a.user;
         if (auto text = r.query_value("author")) {
           auto id = parse_id(*text);
           if (!id) {
             return Response::problem(core::Status::invalid_argument(
                 "The parameter 'author' must be a user id.", "author"));
           }
           author = *id;
         }
         return respond(service::list_reflections(ctx, a, author, *page), [&](const auto& list) {
           json items = json::array();
           for (const auto& x : list) items.push_back(reflection_json(x));
           return page_of(list, *page, items, [](const auto& x) { return x.reflection.id; });
         });
       })});
  t.push_back({"POST", "/api/v1/reflections", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [](Fields& f) {
                       service::NewReflection in;
                       in.episode = f.opt_id("episode");
                       in.tried_to_fix = f.text("tried_to_fix");
                       in.sat_with = f.text("sat_with");
                       return in;
                     },
                     [&](const service::NewReflection& in) {
                       return created_or_problem(service::write_reflection(ctx, a, in));
                     });
               })});
  t.push_back({"POST", "/api/v1/reflections/{id}/comments", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r, [](Fields& f) { return f.text("text"); },
                     [&](const std::string& text) {
                       return created_or_problem(
                           service::comment_on_reflection(ctx, a, r.id("id"), text));
                     });
               })});
}

// The lists of what was recorded in an episode, and its timeline for the client page.
void add_episode_record_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back({"GET", "/api/v1/episodes/{id}/goal-ratings", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::list_goal_ratings(ctx, a, r.id("id")),
                                [](const auto& list) { return items_of(list, goal_rating_json); });
               })});
  t.push_back({"GET", "/api/v1/episodes/{id}/alliance", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::list_alliance(ctx, a, r.id("id")),
                                [](const auto& list) { return items_of(list, alliance_json); });
               })});
  t.push_back({"GET", "/api/v1/episodes/{id}/moments", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::list_moments(ctx, a, r.id("id")),
                                [](const auto& list) { return items_of(list, moment_json); });
               })});
  t.push_back({"GET", "/api/v1/episodes/{id}/questionnaires", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(
                     service::list_questionnaire_views(ctx, a, r.id("id")),
                     [](const auto& list) { return items_of(list, questionnaire_json); });
               })});
  t.push_back({"GET", "/api/v1/episodes/{id}/timeline", Auth::kSession,
               bound(deps, [&insight = insight_of(deps)](
                               const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::episode_timeline(ctx, a, r.id("id"), insight),
                                timeline_json);
               })});
}

// The client's check-in: what is due today, opening today's session, and felt-hard marks.
void add_check_in_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back({"GET", "/api/v1/episodes/{id}/check-in", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return respond(service::check_in(ctx, a, r.id("id")), check_in_json);
               })});
  t.push_back({"POST", "/api/v1/episodes/{id}/check-in", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 auto opened = service::open_check_in(ctx, a, r.id("id"));
                 return respond(
                     opened,
                     [](const auto& o) {
                       return json{{"session", brief_session_json(o.session)}};
                     },
                     opened && opened->created ? 201 : 200);
               })});
  t.push_back({"POST", "/api/v1/sessions/{id}/felt-hard", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 struct Mark {
                   core::Rater by = core::Rater::kClient;
                   bool value = true;
                 };
                 return post(
                     r,
                     [](Fields& f) {
                       Mark in;
                       auto by = core::parse_rater(f.text("by"));
                       if (!by) f.invalid("The field 'by' must be client or therapist.", "by");
                       in.by = by.value_or(core::Rater::kClient);
                       in.value = f.opt_flag("value", true).value_or(true);
                       return in;
                     },
                     [&](const Mark& in) {
                       return done(service::mark_felt_hard(ctx, a, r.id("id"), in.value, in.by));
                     });
               })});
}

// The organisation's name and crisis text, assignments and supervision links.
void add_organisation_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back({"GET", "/api/v1/organisation", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request&) {
                 return respond(service::get_organisation(ctx, a), [](const auto& o) {
                   return json{{"id", o.id}, {"name", o.name}, {"crisis_text", o.crisis_text}};
                 });
               })});
  t.push_back(
      {"PUT", "/api/v1/organisation/crisis-text", Auth::kSession,
       bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
         return post(
             r, [](Fields& f) { return f.text("text"); },
             [&](const std::string& text) { return done(service::set_crisis_text(ctx, a, text)); });
       })});
  t.push_back({"PUT", "/api/v1/clients/{id}/therapist", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r, [](Fields& f) { return f.id("therapist"); },
                     [&](core::Id therapist) {
                       return done(service::assign_client(ctx, a, r.id("id"), therapist));
                     });
               })});
  t.push_back(
      {"POST", "/api/v1/supervision-links", Auth::kSession,
       bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
         return post(
             r,
             [](Fields& f) {
               return std::pair{f.id("supervisor"), f.id("therapist")};
             },
             [&](const std::pair<core::Id, core::Id>& link) {
               auto status = service::link_supervision(ctx, a, link.first, link.second);
               if (!status.is_ok()) return Response::problem(status);
               return Response::json({{"supervisor", link.first}, {"therapist", link.second}}, 201);
             });
       })});
}

core::Result<std::optional<core::Id>> query_id(const Request& r, const char* name) {
  auto text = r.query_value(name);
  if (!text) return std::optional<core::Id>{};
  auto id = parse_id(*text);
  if (!id) {
    return core::fail(core::Status::invalid_argument(
        fmt::format("The parameter '{}' must be a positive integer.", name), name));
  }
  return std::optional<core::Id>{*id};
}

core::Result<core::AuditQuery> audit_query(const Request& r) {
  core::AuditQuery query;
  auto page = r.page();
  if (!page) return core::fail(page.error());
  query.page = *page;
  query.action = r.query_value("action");
  query.record_type = r.query_value("record_type");
  for (auto [name, target] :
       {std::pair{"actor", &query.actor}, std::pair{"record_id", &query.record_id},
        std::pair{"from", &query.from}, std::pair{"to", &query.to}}) {
    auto id = query_id(r, name);
    if (!id) return core::fail(id.error());
    *target = *id;
  }
  return query;
}

void add_admin_routes(std::vector<Route>& t, const Dependencies& deps) {
  t.push_back(
      {"GET", "/api/v1/users", Auth::kSession,
       bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
         auto page = r.page();
         if (!page) return Response::problem(page.error());
         std::optional<core::Role> role;
         if (auto text = r.query_value("role")) {
           role = core::parse_role(*text);
           if (!role) {
             return Response::problem(core::Status::invalid_argument(
                 "The parameter 'role' must be client, therapist, supervisor or admin.", "role"));
           }
         }
         // The filter applies within the page: next_after still follows the unfiltered
         // keyset, so a page may hold fewer than `limit` users and yet have a next one.
         return respond(service::list_users(ctx, a, *page), [&](const auto& users) {
           json items = json::array();
           for (const auto& u : users) {
             if (!role || u.role == *role) items.push_back(user_json(u));
           }
           return page_of(users, *page, items, [](const auto& u) { return u.id; });
         });
       })});
  t.push_back({"POST", "/api/v1/users", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 return post(
                     r,
                     [](Fields& f) {
                       service::NewUser in;
                       in.email = f.text("email");
                       in.display_name = f.text("display_name");
                       auto role = core::parse_role(f.text("role"));
                       if (!role) {
                         f.invalid(
                             "The field 'role' must be client, therapist, supervisor or admin.",
                             "role");
                       }
                       in.role = role.value_or(core::Role::kTherapist);
                       in.trainee = f.flag("trainee");
                       in.password = f.text("password");
                       in.client_id = f.opt_id("client_id");
                       return in;
                     },
                     [&](const service::NewUser& in) {
                       return created_or_problem(service::create_user(ctx, a, in));
                     });
               })});
  t.push_back({"GET", "/api/v1/audit", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request& r) {
                 auto query = audit_query(r);
                 if (!query) return Response::problem(query.error());
                 return respond(service::search_audit(ctx, a, *query), [&](const auto& entries) {
                   json items = json::array();
                   for (const auto& e : entries) items.push_back(audit_json(e));
                   return page_of(entries, query->page, items, [](const auto& e) { return e.id; });
                 });
               })});
  t.push_back({"GET", "/api/v1/instruments", Auth::kSession,
               bound(deps, [](const Context& ctx, const service::Actor& a, const Request&) {
                 return respond(service::list_instruments(ctx, a), [](const auto& list) {
                   json items = json::array();
                   for (const auto& i : list) items.push_back(instrument_json(i));
                   return json{{"items", items}};
                 });
               })});
}

}  // namespace

void add_care_routes(std::vector<Route>& table, const Dependencies& deps) {
  add_client_routes(table, deps);
  add_episode_routes(table, deps);
  add_progress_routes(table, deps);
  add_insight_routes(table, deps);
  add_reflection_routes(table, deps);
  add_admin_routes(table, deps);
  add_episode_record_routes(table, deps);
  add_check_in_routes(table, deps);
  add_organisation_routes(table, deps);
}

}  // namespace tandem::api
