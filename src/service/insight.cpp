#include "service/insight.hpp"

#include <algorithm>
#include <tuple>
#include <utility>

#include "service/access.hpp"
#include "service/episode_assembly.hpp"
#include "service/lookups.hpp"
#include "service/unit_of_work.hpp"

namespace tandem::service {
namespace {

using core::Id;
using core::Result;
using core::Status;
using detail::AuditNote;
using detail::note_for;
using detail::run;

constexpr int kNoSignal = 100;  // sorts after every SignalType

const core::Instrument* find_instrument(const std::vector<core::Instrument>& instruments,
                                        std::string_view id) {
  for (const core::Instrument& i : instruments) {
    if (i.id == id) return &i;
  }
  return nullptr;
}

struct ProfiledEpisode {
  EpisodeProfile result;
  core::Episode episode;
};

Result<ProfiledEpisode> profile_of(core::Transaction& tx, const Context& ctx, Id org, Id episode,
                                   const std::vector<core::Instrument>& instruments,
                                   const InsightOptions& options) {
  auto records = load_episode_records(tx, org, episode, core::SealedText::kLeaveSealed);
  if (!records) return core::fail(records.error());
  const core::Instrument* tracked = find_instrument(instruments, records->episode.instrument);
  if (!tracked) {
    return core::fail(Status::failed_precondition("the episode's instrument '" +
                                                  records->episode.instrument +
                                                  "' is no longer defined in this organisation"));
  }
  ProfiledEpisode out;
  out.episode = assemble_episode(*records, instruments);
  out.result.episode = records->episode.id;
  out.result.client = records->episode.client;
  out.result.instrument = records->episode.instrument;
  out.result.ended = records->episode.closed.has_value();

  core::ProfileOptions profile_options = options.profile;
  profile_options.as_of_day = records->episode.closed.value_or(ctx.clock.today());
  if (!out.episode.sessions.empty()) {
    profile_options.as_of_day =
        std::max(*profile_options.as_of_day, out.episode.sessions.back().day);
  }

  core::TrajectoryVerdict verdict;
  const core::TrajectoryVerdict* not_on_track = nullptr;
  if (options.expected) {
    if (auto model = options.expected->find(tracked->id); model != options.expected->end()) {
      const core::TrajectoryAssessment assessment =
          core::assess(scores_by_session(out.episode), model->second);
      verdict = core::to_verdict<core::TrajectoryVerdict>(assessment);
      not_on_track = &verdict;
      out.result.trajectory_available = assessment.available;
    }
  }
  auto profile = core::profile_episode(out.episode, *tracked, profile_options, not_on_track);
  if (!profile) {
    return core::fail(Status::internal("episode " + std::to_string(episode) +
                                       " could not be profiled: " + profile.error().message()));
  }
  out.result.profile = std::move(*profile);
  return out;
}

template <class Fetch>
auto every_page(Fetch&& fetch) -> decltype(fetch(core::Page{})) {
  using Out = decltype(fetch(core::Page{}));
  typename Out::value_type all;
  core::Page page;
  page.limit = 500;
  for (;;) {
    auto batch = fetch(page);
    if (!batch) return batch;
    all.insert(all.end(), batch->begin(), batch->end());
    if (static_cast<int>(batch->size()) < page.limit) break;
    page.after = batch->back().id;
  }
  return all;
}

// The episode a caseload shows: the open one, else the latest opened.
const core::EpisodeRecord* latest_episode(const std::vector<core::EpisodeRecord>& episodes) {
  const core::EpisodeRecord* best = nullptr;
  for (const core::EpisodeRecord& e : episodes) {
    if (!best) {
      best = &e;
      continue;
    }
    const auto key = [](const core::EpisodeRecord& r) {
      return std::make_tuple(!r.closed.has_value(), r.opened, r.id);
    };
    if (key(e) > key(*best)) best = &e;
  }
  return best;
}

void sort_signals(std::vector<core::Signal>& signals) {
  std::stable_sort(signals.begin(), signals.end(), [](const auto& a, const auto& b) {
    if (a.type != b.type) return a.type < b.type;
    return a.session > b.session;
  });
}

int group_of(const CaseloadEntry& entry) {
  if (!entry.episode) return 2;
  return entry.ended ? 1 : 0;
}

int most_pressing(const CaseloadEntry& entry) {
  if (entry.ended || entry.signals.empty()) return kNoSignal;
  return static_cast<int>(entry.signals.front().type);
}

Result<Caseload> caseload_of(core::Transaction& tx, const Context& ctx, const Actor& actor,
                             Id therapist, const std::vector<core::Instrument>& instruments,
                             const InsightOptions& options) {
  auto user = tx.get_user(actor.org, therapist);
  if (!user) return core::fail(user.error());
  Caseload out;
  out.therapist = therapist;
  out.therapist_name = user->display_name;
  auto clients =
      every_page([&](const core::Page& p) { return tx.clients_of(actor.org, therapist, p); });
  if (!clients) return core::fail(clients.error());
  for (const core::Client& client : *clients) {
    CaseloadEntry entry;
    entry.client = client.id;
    entry.display_name = client.display_name;
    auto episodes = tx.episodes_of_client(actor.org, client.id);
    if (!episodes) return core::fail(episodes.error());
    if (const core::EpisodeRecord* latest = latest_episode(*episodes)) {
      auto profiled = profile_of(tx, ctx, actor.org, latest->id, instruments, options);
      if (!profiled) return core::fail(profiled.error());
      entry.episode = latest->id;
      entry.instrument = latest->instrument;
      entry.ended = latest->closed.has_value();
      for (const core::EpisodeSession& s : profiled->episode.sessions) {
        ++entry.sessions;
        if (s.attendance == core::Attendance::kAttended) {
          ++entry.attended;
          entry.last_session = s.day;
        }
      }
      const core::Profile& profile = profiled->result.profile;
      entry.dropout_risk = profile.dropout_risk;
      for (const core::PatternFinding& p : profile.patterns) entry.patterns.push_back(p.pattern);
      entry.signals = profile.signals;
      sort_signals(entry.signals);
      if (auto s = detail::append(tx, ctx, note_for(actor, "profile.read", "episode", latest->id));
          !s.is_ok()) {
        return core::fail(s);
      }
    }
    out.clients.push_back(std::move(entry));
  }
  std::stable_sort(out.clients.begin(), out.clients.end(), [](const auto& a, const auto& b) {
    return std::make_tuple(group_of(a), most_pressing(a), a.display_name, a.client) <
           std::make_tuple(group_of(b), most_pressing(b), b.display_name, b.client);
  });
  return out;
}

// First and last scored totals of one instrument, by session number (then entry order).
struct FirstLast {
  double first = core::kMissing;
  double last = core::kMissing;
};

FirstLast first_last(const std::vector<core::Administration>& administrations,
                     const std::vector<core::SessionRecord>& sessions, std::string_view id) {
  std::vector<std::pair<int, double>> scored;
  for (const core::Administration& a : administrations) {
    if (a.instrument != id || core::is_missing(a.total)) continue;
    int number = 0;
    for (const core::SessionRecord& s : sessions) {
      if (a.session && s.id == *a.session) number = s.number;
    }
    scored.emplace_back(number, a.total);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  FirstLast out;
  if (!scored.empty()) {
    out.first = scored.front().second;
    out.last = scored.back().second;
  }
  return out;
}

}  // namespace

Result<EpisodeProfile> episode_profile(const Context& ctx, const Actor& actor, Id episode,
                                       const InsightOptions& options) {
  return detail::run_read(ctx, note_for(actor, "profile.read", "episode", episode),
                          [&](core::Transaction& tx, AuditNote&) -> Result<EpisodeProfile> {
                            auto scope = detail::authorized_episode(
                                tx, actor, episode, Resource::kProgressProfile, Action::kRead);
                            if (!scope) return core::fail(scope.error());
                            auto instruments = ctx.instruments.list(tx, actor.org);
                            if (!instruments) return core::fail(instruments.error());
                            auto profiled =
                                profile_of(tx, ctx, actor.org, episode, *instruments, options);
                            if (!profiled) return core::fail(profiled.error());
                            return std::move(profiled->result);
                          });
}

Result<Caseload> caseload(const Context& ctx, const Actor& actor, Id therapist,
                          const InsightOptions& options) {
  return detail::run_read(
      ctx, note_for(actor, "caseload.read", "user", therapist),
      [&](core::Transaction& tx, AuditNote&) -> Result<Caseload> {
        auto relation = relation_to_therapist(tx, actor, therapist);
        if (!relation) return core::fail(relation.error());
        if (auto s = authorize(actor, Resource::kCaseload, Action::kRead, *relation); !s.is_ok()) {
          return core::fail(s);
        }
        auto instruments = ctx.instruments.list(tx, actor.org);
        if (!instruments) return core::fail(instruments.error());
        return caseload_of(tx, ctx, actor, therapist, *instruments, options);
      });
}

Result<std::vector<SuperviseeOverview>> supervision_overview(const Context& ctx, const Actor& actor,
                                                             const InsightOptions& options) {
  return run(
      ctx, note_for(actor, "supervision.read", "user", actor.user),
      [&](core::Transaction& tx, AuditNote&) -> Result<std::vector<SuperviseeOverview>> {
        if (auto s = authorize(actor, Resource::kCaseload, Action::kRead, Relation::kSupervised);
            !s.is_ok()) {
          return core::fail(s);
        }
        auto supervisees = tx.supervisees_of(actor.org, actor.user);
        if (!supervisees) return core::fail(supervisees.error());
        auto instruments = ctx.instruments.list(tx, actor.org);
        if (!instruments) return core::fail(instruments.error());
        std::vector<SuperviseeOverview> out;
        for (Id therapist : *supervisees) {
          auto user = tx.get_user(actor.org, therapist);
          if (!user) return core::fail(user.error());
          SuperviseeOverview overview;
          overview.therapist = view_of(*user);
          auto load = caseload_of(tx, ctx, actor, therapist, *instruments, options);
          if (!load) return core::fail(load.error());
          overview.caseload = std::move(*load);
          auto reflections = every_page(
              [&](const core::Page& p) { return tx.reflections_of(actor.org, therapist, p); });
          if (!reflections) return core::fail(reflections.error());
          for (const core::Reflection& r : *reflections) {
            ++overview.reflections;
            auto comments = tx.comments_of(actor.org, r.id);
            if (!comments) return core::fail(comments.error());
            if (comments->empty()) ++overview.reflections_awaiting_comment;
          }
          out.push_back(std::move(overview));
        }
        return out;
      });
}

Result<ServiceOutcomes> service_outcomes(const Context& ctx, const Actor& actor) {
  return run(
      ctx, note_for(actor, "service-outcomes.read", "organisation", actor.org),
      [&](core::Transaction& tx, AuditNote&) -> Result<ServiceOutcomes> {
        if (auto s = authorize(actor, Resource::kServiceOutcomes, Action::kRead,
                               Relation::kOrganisation);
            !s.is_ok()) {
          return core::fail(s);
        }
        auto instruments = ctx.instruments.list(tx, actor.org);
        if (!instruments) return core::fail(instruments.error());
        std::optional<core::PairedMeasures> paired_measures;
        const core::Instrument* phq9 = find_instrument(*instruments, kPhq9);
        const core::Instrument* gad7 = find_instrument(*instruments, kGad7);
        if (phq9 && gad7) {
          auto depression = core::outcome_measure(*phq9);
          auto anxiety = core::outcome_measure(*gad7);
          if (depression && anxiety) paired_measures = core::PairedMeasures{*depression, *anxiety};
        }

        auto clients =
            every_page([&](const core::Page& p) { return tx.list_clients(actor.org, p); });
        if (!clients) return core::fail(clients.error());
        ServiceOutcomes out;
        std::vector<core::EpisodeOutcome> paired;
        std::map<std::string, std::vector<core::EpisodeOutcome>> single;
        std::map<std::string, std::vector<core::EpisodeOutcome>> monthly;  // "YYYY-MM" sorts
        for (const core::Client& client : *clients) {
          auto episodes = tx.episodes_of_client(actor.org, client.id);
          if (!episodes) return core::fail(episodes.error());
          for (const core::EpisodeRecord& e : *episodes) {
            if (!e.closed) {
              ++out.episodes_open;
              continue;
            }
            ++out.episodes_closed;
            auto sessions = tx.sessions_of(actor.org, e.id);
            if (!sessions) return core::fail(sessions.error());
            auto administrations = tx.administrations_of(actor.org, e.id);
            if (!administrations) return core::fail(administrations.error());
            core::EpisodeScores scores;
            for (const core::SessionRecord& s : *sessions) {
              if (s.attendance == core::Attendance::kAttended) ++scores.attended_treatment_sessions;
            }
            const FirstLast dep = first_last(*administrations, *sessions, kPhq9);
            const FirstLast anx = first_last(*administrations, *sessions, kGad7);
            if (paired_measures && !core::is_missing(dep.first) && !core::is_missing(anx.first)) {
              scores.depression_first = dep.first;
              scores.depression_last = dep.last;
              scores.anxiety_first = anx.first;
              scores.anxiety_last = anx.last;
              auto outcome = core::nhs_talking_therapies_outcome(*paired_measures, scores);
              if (!outcome) return core::fail(outcome.error());
              monthly[core::format_date(*e.closed).substr(0, 7)].push_back(*outcome);
              paired.push_back(std::move(*outcome));
              continue;
            }
            const core::Instrument* tracked = find_instrument(*instruments, e.instrument);
            auto measure = tracked ? core::outcome_measure(*tracked)
                                   : core::Result<core::OutcomeMeasure>(
                                         core::fail(Status::not_found("instrument")));
            if (!measure) {
              ++out.episodes_without_rules;
              continue;
            }
            // One measure standing for both: the paired rules reduce to that measure's.
            const FirstLast own = first_last(*administrations, *sessions, e.instrument);
            scores.depression_first = scores.anxiety_first = own.first;
            scores.depression_last = scores.anxiety_last = own.last;
            auto outcome = core::nhs_talking_therapies_outcome(
                core::PairedMeasures{*measure, *measure}, scores);
            if (!outcome) return core::fail(outcome.error());
            monthly[core::format_date(*e.closed).substr(0, 7)].push_back(*outcome);
            single[e.instrument].push_back(std::move(*outcome));
          }
        }
        if (!paired.empty()) out.paired = core::summarise_service(paired);
        for (const auto& [instrument, outcomes] : single) {
          out.single_measure.push_back({instrument, core::summarise_service(outcomes)});
        }
        for (const auto& [month, outcomes] : monthly) {
          out.by_month.push_back({month, core::summarise_service(outcomes)});
        }
        return out;
      });
}

}  // namespace tandem::service
