// Use cases that read what Tandem computes: the progress profile of an episode, a therapist's
// caseload at a glance (most pressing first), a supervisor's view of their supervisees, and
// anonymised service outcomes for the organisation's admin. Each reads in one transaction and
// audits the read (a caseload also audits each episode it looked at). Thread-safe as the
// ports are.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/progress_profile.hpp"
#include "core/record.hpp"
#include "core/service_outcomes.hpp"
#include "core/status.hpp"
#include "core/trajectory.hpp"
#include "service/accounts.hpp"
#include "service/context.hpp"

namespace tandem::service {

// Expected trajectories by instrument id (fitted from the service's completed episodes or
// imported), for the not-on-track signal.
using ExpectedTrajectories = std::map<std::string, core::ExpectedTrajectory, std::less<>>;

struct InsightOptions {
  // as_of_day is filled in: today for an open episode, the closing date for a closed one.
  core::ProfileOptions profile;
  const ExpectedTrajectories* expected = nullptr;  // none: no not-on-track verdicts
};

struct EpisodeProfile {
  core::Id episode = 0;
  core::Id client = 0;
  std::string instrument;
  bool ended = false;
  bool trajectory_available = false;  // an expected trajectory judged this episode
  core::Profile profile;
};

// The client (own), the assigned therapist, or the supervisor of one.
core::Result<EpisodeProfile> episode_profile(const Context& ctx, const Actor& actor,
                                             core::Id episode, const InsightOptions& options = {});

struct CaseloadEntry {
  core::Id client = 0;
  std::string display_name;
  std::optional<core::Id> episode;  // the latest episode (an open one when there is one)
  std::string instrument;
  bool ended = false;
  int sessions = 0;  // offered (attended, cancelled or missed)
  int attended = 0;
  std::optional<core::Date> last_session;
  double dropout_risk = 0.0;
  std::vector<core::Pattern> patterns;
  // Most pressing first: crisis, not on track, alliance rupture, dropout risk, perception
  // gap, review due, then returned after a hard session; the latest first within a type.
  std::vector<core::Signal> signals;
};

struct Caseload {
  core::Id therapist = 0;
  std::string therapist_name;
  // Clients with an open episode first, ordered by their most pressing signal (then by
  // name); then clients whose latest episode has ended, and clients with no episode yet.
  std::vector<CaseloadEntry> clients;
};

// The therapist themselves, or their supervisor.
core::Result<Caseload> caseload(const Context& ctx, const Actor& actor, core::Id therapist,
                                const InsightOptions& options = {});

struct SuperviseeOverview {
  UserView therapist;
  Caseload caseload;
  int reflections = 0;
  int reflections_awaiting_comment = 0;  // with no comment from anyone yet
};

// A supervisor's read-only view of each supervisee's caseload and reflection log.
core::Result<std::vector<SuperviseeOverview>> supervision_overview(
    const Context& ctx, const Actor& actor, const InsightOptions& options = {});

// The NHS Talking Therapies service rules applied to closed episodes. No names and no ids:
// counts and rates only.
struct MeasureOutcomes {
  std::string instrument;
  // The rules with this one measure standing for both (recovery: at caseness at the first
  // score, below it at the last; reliable improvement / deterioration on this measure).
  core::ServiceSummary summary;
};

struct MonthOutcomes {
  std::string month;  // YYYY-MM of the episodes' closing dates
  core::ServiceSummary summary;
};

struct ServiceOutcomes {
  int episodes_open = 0;
  int episodes_closed = 0;
  // Closed episodes with PHQ-9 and GAD-7 scores both: the paired rules.
  std::optional<core::ServiceSummary> paired;
  // Closed episodes with scores on their tracked instrument only, by instrument id.
  std::vector<MeasureOutcomes> single_measure;
  // Closed episodes whose instrument has no caseness cut-off or reliable-change threshold.
  int episodes_without_rules = 0;
  // Every closed episode with rules (paired or single measure), by the month it closed
  // ("2026-09"), oldest first: the dashboard's rates over time.
  std::vector<MonthOutcomes> by_month;
};

// Admin only.
core::Result<ServiceOutcomes> service_outcomes(const Context& ctx, const Actor& actor);

// The ids of the paired measures.
inline constexpr std::string_view kPhq9 = "phq9";
inline constexpr std::string_view kGad7 = "gad7";

}  // namespace tandem::service
