#include "core/service_outcomes.hpp"

#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

namespace tandem::core {
namespace {

// NHS Talking Therapies: a course of treatment is finished after at least two attended
// treatment sessions (NHS Talking Therapies Manual; NHS Digital Psychological Therapies glossary).
constexpr int kMinSessionsForFinishedTreatment = 2;

std::string number_text(double value) {
  if (std::isnan(value)) return "missing";
  std::ostringstream out;
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    out << static_cast<std::int64_t>(value);
  } else {
    out.precision(10);
    out << value;
  }
  return out.str();
}

// Kleene "or": yes if either is yes, no if both are no, else NA.
Flag either(Flag a, Flag b) {
  if (a == Flag::kYes || b == Flag::kYes) return Flag::kYes;
  if (a == Flag::kNo && b == Flag::kNo) return Flag::kNo;
  return Flag::kNa;
}

bool is_yes(Flag flag) { return flag == Flag::kYes; }

const char* clinical_side(Direction direction) {
  return direction == Direction::kLowerIsBetter ? ">=" : "<=";
}
const char* other_side(Direction direction) {
  return direction == Direction::kLowerIsBetter ? "<" : ">";
}

Flag at_caseness(const OutcomeMeasure& measure, double total) {
  if (is_missing(total)) return Flag::kNa;
  return to_flag(measure.direction == Direction::kLowerIsBetter ? total >= measure.caseness_cutoff
                                                                : total <= measure.caseness_cutoff);
}

// "phq9 12 >= 10 (case)"
std::string caseness_text(const OutcomeMeasure& measure, const std::string& when, double total) {
  std::string text = measure.id + " " + when + " ";
  if (is_missing(total)) return text + "missing";
  const bool is_case = is_yes(at_caseness(measure, total));
  return text + number_text(total) + " " +
         (is_case ? clinical_side(measure.direction) : other_side(measure.direction)) + " " +
         number_text(measure.caseness_cutoff) + (is_case ? " (case)" : " (not a case)");
}

// "phq9 21 -> 12 (improved 9, reliable at 6: reliable improvement)"
std::string change_text(const OutcomeMeasure& measure, double first, double last,
                        const MeasureChange& change) {
  std::string text = measure.id + " " + number_text(first) + " -> " + number_text(last) + " (";
  if (is_missing(change.improvement)) return text + "no paired scores)";
  if (change.improvement >= 0) {
    text += "improved " + number_text(change.improvement);
  } else {
    text += "worsened " + number_text(-change.improvement);
  }
  text += ", reliable at " + number_text(measure.reliable_change) + ": ";
  if (is_yes(change.reliably_improved)) return text + "reliable improvement)";
  if (is_yes(change.reliably_deteriorated)) return text + "reliable deterioration)";
  return text + "no reliable change)";
}

Status check_score(const OutcomeMeasure& measure, double score, const char* field) {
  if (is_missing(score)) return Status::ok();
  if (!std::isfinite(score) || score < measure.min_total || score > measure.max_total) {
    return Status::invalid_argument(
        std::string(field) + ": " + number_text(score) + " is outside " + measure.id + "'s range " +
            number_text(measure.min_total) + " to " + number_text(measure.max_total),
        field);
  }
  return Status::ok();
}

Status check_episode(const PairedMeasures& measures, const EpisodeScores& episode) {
  const std::vector<Status> checks = {
      check_score(measures.depression, episode.depression_first, "depression_first"),
      check_score(measures.depression, episode.depression_last, "depression_last"),
      check_score(measures.anxiety, episode.anxiety_first, "anxiety_first"),
      check_score(measures.anxiety, episode.anxiety_last, "anxiety_last"),
  };
  for (const Status& status : checks) {
    if (!status.is_ok()) return status;
  }
  if (episode.attended_treatment_sessions < 0) {
    return Status::invalid_argument("attended_treatment_sessions: expected 0 or more, got " +
                                        std::to_string(episode.attended_treatment_sessions),
                                    "attended_treatment_sessions");
  }
  return Status::ok();
}

std::string missing_scores(const PairedMeasures& measures, const EpisodeScores& episode) {
  std::string text;
  const auto note = [&text](bool missing, const std::string& what) {
    if (!missing) return;
    if (!text.empty()) text += ", ";
    text += what;
  };
  note(is_missing(episode.depression_first), measures.depression.id + " first");
  note(is_missing(episode.depression_last), measures.depression.id + " last");
  note(is_missing(episode.anxiety_first), measures.anxiety.id + " first");
  note(is_missing(episode.anxiety_last), measures.anxiety.id + " last");
  return text;
}

void count(ServiceRate& rate, Flag flag) {
  if (flag == Flag::kNa) return;
  ++rate.denominator;
  if (flag == Flag::kYes) ++rate.numerator;
}

void finish(ServiceRate& rate) {
  rate.rate =
      rate.denominator == 0 ? kMissing : static_cast<double>(rate.numerator) / rate.denominator;
}

}  // namespace

Result<OutcomeMeasure> outcome_measure(const Instrument& instrument) {
  if (!instrument.caseness_cutoff.has_value()) {
    return fail(Status::invalid_argument(
        instrument.id + " has no caseness_cutoff, which the service rules need",
        "caseness_cutoff"));
  }
  if (!instrument.reliable_change_threshold.has_value()) {
    return fail(Status::invalid_argument(
        instrument.id + " has no reliable_change_threshold, which the service rules need",
        "reliable_change_threshold"));
  }
  return OutcomeMeasure{
      instrument.id,        instrument.direction,        instrument.min_total,
      instrument.max_total, *instrument.caseness_cutoff, *instrument.reliable_change_threshold};
}

MeasureChange measure_change(const OutcomeMeasure& measure, double first, double last) {
  MeasureChange change;
  change.case_first = at_caseness(measure, first);
  change.case_last = at_caseness(measure, last);
  if (is_missing(first) || is_missing(last)) return change;
  change.improvement = measure.direction == Direction::kLowerIsBetter ? first - last : last - first;
  // Fixed thresholds with >=, not RCI z-scores (formulas.md section 8).
  change.reliably_improved = to_flag(change.improvement >= measure.reliable_change);
  change.reliably_deteriorated = to_flag(-change.improvement >= measure.reliable_change);
  return change;
}

Result<EpisodeOutcome> nhs_talking_therapies_outcome(const PairedMeasures& measures,
                                                     const EpisodeScores& episode) {
  if (Status status = check_episode(measures, episode); !status.is_ok()) return fail(status);
  const OutcomeMeasure& dep = measures.depression;
  const OutcomeMeasure& anx = measures.anxiety;

  EpisodeOutcome out;
  out.depression = measure_change(dep, episode.depression_first, episode.depression_last);
  out.anxiety = measure_change(anx, episode.anxiety_first, episode.anxiety_last);

  // Caseness: PHQ-9 >= 10 and/or GAD-7 >= 8 at the first measurement.
  out.caseness_first.flag = either(out.depression.case_first, out.anxiety.case_first);
  out.caseness_first.evidence = caseness_text(dep, "first", episode.depression_first) + "; " +
                                caseness_text(anx, "first", episode.anxiety_first);

  const int sessions = episode.attended_treatment_sessions;
  const bool finished = sessions >= kMinSessionsForFinishedTreatment;
  out.finished_treatment.flag = to_flag(finished);
  out.finished_treatment.evidence = std::to_string(sessions) +
                                    " attended treatment session(s); finished needs at least " +
                                    std::to_string(kMinSessionsForFinishedTreatment);

  // Every outcome rule counts only finished episodes with first and last scores on both measures.
  std::string not_counted;
  if (!finished) {
    not_counted = "not counted: treatment not finished (" + std::to_string(sessions) +
                  " attended treatment session(s), fewer than " +
                  std::to_string(kMinSessionsForFinishedTreatment) + ")";
  } else if (const std::string missing = missing_scores(measures, episode); !missing.empty()) {
    not_counted =
        "not counted: needs first and last scores on both measures (missing " + missing + ")";
  }
  const std::string changes =
      change_text(dep, episode.depression_first, episode.depression_last, out.depression) + "; " +
      change_text(anx, episode.anxiety_first, episode.anxiety_last, out.anxiety);

  if (!not_counted.empty()) {
    for (RuleOutcome* rule : {&out.recovery, &out.reliable_improvement, &out.reliable_deterioration,
                              &out.reliable_recovery}) {
      rule->evidence = not_counted;
    }
    return out;
  }

  // Reliable improvement: a reliable fall on either measure and no reliable rise on the other.
  const bool improved_any =
      is_yes(out.depression.reliably_improved) || is_yes(out.anxiety.reliably_improved);
  const bool deteriorated_any =
      is_yes(out.depression.reliably_deteriorated) || is_yes(out.anxiety.reliably_deteriorated);
  out.reliable_improvement.flag = to_flag(improved_any && !deteriorated_any);
  out.reliable_deterioration.flag = to_flag(deteriorated_any && !improved_any);
  std::string verdict;
  if (improved_any && deteriorated_any) {
    verdict =
        ": reliably improved on one measure and reliably deteriorated on the other, "
        "so neither reliable improvement nor reliable deterioration";
  } else if (improved_any) {
    verdict = ": reliable improvement on at least one measure, no reliable deterioration";
  } else if (deteriorated_any) {
    verdict = ": reliable deterioration on at least one measure, no reliable improvement";
  } else {
    verdict = ": no reliable change on either measure";
  }
  out.reliable_improvement.evidence = changes + verdict;
  out.reliable_deterioration.evidence = changes + verdict;

  // Recovery: at caseness first, below both cut-offs last; only cases at first count.
  if (out.caseness_first.flag != Flag::kYes) {
    const std::string reason = "not counted: not at caseness at the first measurement (" +
                               out.caseness_first.evidence + ")";
    out.recovery.evidence = reason;
    out.reliable_recovery.evidence = reason;
    return out;
  }
  const Flag case_last = either(out.depression.case_last, out.anxiety.case_last);
  out.recovery.flag = to_flag(case_last == Flag::kNo);
  out.recovery.evidence = "at caseness first (" + out.caseness_first.evidence +
                          "); last: " + caseness_text(dep, "last", episode.depression_last) + "; " +
                          caseness_text(anx, "last", episode.anxiety_last) +
                          (case_last == Flag::kNo ? ": below both cut-offs, recovered"
                                                  : ": still at caseness, not recovered");

  // Reliable recovery: recovery and reliable improvement both met.
  out.reliable_recovery.flag =
      to_flag(is_yes(out.recovery.flag) && is_yes(out.reliable_improvement.flag));
  out.reliable_recovery.evidence =
      std::string("recovery ") + (is_yes(out.recovery.flag) ? "met" : "not met") +
      ", reliable improvement " + (is_yes(out.reliable_improvement.flag) ? "met" : "not met");
  return out;
}

ServiceSummary summarise_service(std::span<const EpisodeOutcome> episodes) {
  ServiceSummary summary;
  for (const EpisodeOutcome& episode : episodes) {
    ++summary.episodes;
    if (!is_yes(episode.finished_treatment.flag)) continue;
    ++summary.finished_treatment;
    if (episode.reliable_improvement.flag == Flag::kNa) {
      ++summary.missing_paired_scores;
      continue;
    }
    if (episode.recovery.flag == Flag::kNa) {
      ++summary.finished_not_at_caseness;
    } else {
      ++summary.finished_at_caseness;
    }
    count(summary.recovery, episode.recovery.flag);
    count(summary.reliable_improvement, episode.reliable_improvement.flag);
    count(summary.reliable_deterioration, episode.reliable_deterioration.flag);
    count(summary.reliable_recovery, episode.reliable_recovery.flag);
  }
  for (ServiceRate* rate : {&summary.recovery, &summary.reliable_improvement,
                            &summary.reliable_deterioration, &summary.reliable_recovery}) {
    finish(*rate);
  }
  return summary;
}

}  // namespace tandem::core
