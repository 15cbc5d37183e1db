// NHS Talking Therapies rules (formulas.md section 8), each worked by hand, with the exact
// thresholds as edges, plus hand checks against the PHQ-9-like peer file case1-prepost.csv.
#include "core/service_outcomes.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/series.hpp"
#include "io/instrument_loader.hpp"
#include "support/csv_table.hpp"

namespace tandem::core {
namespace {

constexpr double M = kMissing;

PairedMeasures phq9_gad7() {
  return {{"phq9", Direction::kLowerIsBetter, 0, 27, 10, 6},
          {"gad7", Direction::kLowerIsBetter, 0, 21, 8, 4}};
}

EpisodeOutcome outcome(double phq_first, double phq_last, double gad_first, double gad_last,
                       int sessions = 6) {
  Result<EpisodeOutcome> result = nhs_talking_therapies_outcome(
      phq9_gad7(), EpisodeScores{phq_first, phq_last, gad_first, gad_last, sessions});
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  return result.value_or(EpisodeOutcome{});
}

Status invalid(double phq_first, double phq_last, double gad_first, double gad_last,
               int sessions = 6) {
  Result<EpisodeOutcome> result = nhs_talking_therapies_outcome(
      phq9_gad7(), EpisodeScores{phq_first, phq_last, gad_first, gad_last, sessions});
  EXPECT_FALSE(result.has_value());
  return result ? Status::ok() : result.error();
}

// --- caseness at first contact: PHQ-9 >= 10 and/or GAD-7 >= 8 ---

TEST(NhsCaseness, Phq9TenIsACaseNineIsNot) {
  EXPECT_EQ(outcome(10, 5, 0, 0).caseness_first.flag, Flag::kYes);
  EXPECT_EQ(outcome(9, 5, 0, 0).caseness_first.flag, Flag::kNo);
}

TEST(NhsCaseness, Gad7EightIsACaseSevenIsNot) {
  EXPECT_EQ(outcome(0, 0, 8, 3).caseness_first.flag, Flag::kYes);
  EXPECT_EQ(outcome(0, 0, 7, 3).caseness_first.flag, Flag::kNo);
}

TEST(NhsCaseness, EitherMeasureIsEnough) {
  EXPECT_EQ(outcome(9, 5, 8, 3).caseness_first.flag, Flag::kYes);
  EXPECT_EQ(outcome(10, 5, 7, 3).caseness_first.flag, Flag::kYes);
  EXPECT_EQ(outcome(9, 5, 7, 3).caseness_first.flag, Flag::kNo);
  EXPECT_EQ(outcome(9, 5, 7, 3).caseness_first.evidence,
            "phq9 first 9 < 10 (not a case); gad7 first 7 < 8 (not a case)");
  EXPECT_EQ(outcome(12, 5, 7, 3).caseness_first.evidence,
            "phq9 first 12 >= 10 (case); gad7 first 7 < 8 (not a case)");
}

TEST(NhsCaseness, OneMissingFirstScoreDecidesOnlyWhenTheOtherIsACase) {
  EXPECT_EQ(outcome(12, 5, M, 3).caseness_first.flag, Flag::kYes);
  EXPECT_EQ(outcome(9, 5, M, 3).caseness_first.flag, Flag::kNa);
  EXPECT_EQ(outcome(M, 5, M, 3).caseness_first.flag, Flag::kNa);
}

// --- finished treatment: >= 2 attended treatment sessions ---

TEST(NhsFinishedTreatment, TwoAttendedSessionsFinishOneDoesNot) {
  EXPECT_EQ(outcome(15, 5, 12, 3, 2).finished_treatment.flag, Flag::kYes);
  EXPECT_EQ(outcome(15, 5, 12, 3, 1).finished_treatment.flag, Flag::kNo);
  EXPECT_EQ(outcome(15, 5, 12, 3, 0).finished_treatment.flag, Flag::kNo);
}

TEST(NhsFinishedTreatment, UnfinishedEpisodesAreNotCountedByAnyOutcomeRule) {
  const EpisodeOutcome o = outcome(20, 5, 15, 3, 1);
  EXPECT_EQ(o.caseness_first.flag, Flag::kYes);
  EXPECT_EQ(o.recovery.flag, Flag::kNa);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNa);
  EXPECT_EQ(o.reliable_deterioration.flag, Flag::kNa);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kNa);
  EXPECT_EQ(o.recovery.evidence,
            "not counted: treatment not finished (1 attended treatment session(s), fewer than 2)");
}

// --- recovery: at caseness first, below both cut-offs last ---

TEST(NhsRecovery, BelowBothCutOffsAtTheEndIsRecovery) {
  const EpisodeOutcome o = outcome(15, 9, 10, 7);
  EXPECT_EQ(o.recovery.flag, Flag::kYes);
  EXPECT_EQ(o.recovery.evidence,
            "at caseness first (phq9 first 15 >= 10 (case); gad7 first 10 >= 8 (case)); last: "
            "phq9 last 9 < 10 (not a case); gad7 last 7 < 8 (not a case): below both cut-offs, "
            "recovered");
}

TEST(NhsRecovery, EndingExactlyAtACutOffIsNotRecovery) {
  EXPECT_EQ(outcome(15, 10, 10, 7).recovery.flag, Flag::kNo);  // PHQ-9 10 is still a case
  EXPECT_EQ(outcome(15, 9, 10, 8).recovery.flag, Flag::kNo);   // GAD-7 8 is still a case
}

TEST(NhsRecovery, OnlyCasesAtFirstContactAreCounted) {
  const EpisodeOutcome o = outcome(9, 2, 7, 1);
  EXPECT_EQ(o.caseness_first.flag, Flag::kNo);
  EXPECT_EQ(o.recovery.flag, Flag::kNa);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kNa);
  EXPECT_EQ(o.recovery.evidence,
            "not counted: not at caseness at the first measurement (phq9 first 9 < 10 (not a "
            "case); gad7 first 7 < 8 (not a case))");
}

TEST(NhsRecovery, RecoveryNeedsNoReliableChange) {
  // PHQ-9 12 -> 9 (fall 3), GAD-7 8 -> 7 (fall 1): recovered, not reliably improved.
  const EpisodeOutcome o = outcome(12, 9, 8, 7);
  EXPECT_EQ(o.recovery.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_recovery.evidence, "recovery met, reliable improvement not met");
}

// --- reliable improvement: fall >= 6 on PHQ-9 and/or >= 4 on GAD-7, no reliable rise ---

TEST(NhsReliableImprovement, Phq9FallOfExactlySixIsReliableFiveIsNot) {
  EXPECT_EQ(outcome(16, 10, 5, 5).reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(outcome(16, 11, 5, 5).reliable_improvement.flag, Flag::kNo);
  EXPECT_EQ(outcome(16, 10, 5, 5).reliable_improvement.evidence,
            "phq9 16 -> 10 (improved 6, reliable at 6: reliable improvement); gad7 5 -> 5 "
            "(improved 0, reliable at 4: no reliable change): reliable improvement on at least "
            "one measure, no reliable deterioration");
}

TEST(NhsReliableImprovement, Gad7FallOfExactlyFourIsReliableThreeIsNot) {
  EXPECT_EQ(outcome(5, 5, 12, 8).reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(outcome(5, 5, 12, 9).reliable_improvement.flag, Flag::kNo);
}

TEST(NhsReliableImprovement, CountsEpisodesThatWereNotCases) {
  // PHQ-9 9 -> 2, GAD-7 7 -> 1: not a case at first, but reliably improved.
  const EpisodeOutcome o = outcome(9, 2, 7, 1);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_deterioration.flag, Flag::kNo);
}

TEST(NhsReliableImprovement, BothMeasuresImprovingIsStillOneImprovement) {
  const EpisodeOutcome o = outcome(20, 8, 15, 5);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(o.depression.improvement, 12);
  EXPECT_EQ(o.anxiety.improvement, 10);
}

// --- reliable deterioration: rise >= 6 on PHQ-9 or >= 4 on GAD-7, no reliable fall ---

TEST(NhsReliableDeterioration, Phq9RiseOfExactlySixIsReliableFiveIsNot) {
  EXPECT_EQ(outcome(8, 14, 3, 3).reliable_deterioration.flag, Flag::kYes);
  EXPECT_EQ(outcome(8, 13, 3, 3).reliable_deterioration.flag, Flag::kNo);
}

TEST(NhsReliableDeterioration, Gad7RiseOfExactlyFourIsReliableThreeIsNot) {
  EXPECT_EQ(outcome(3, 3, 6, 10).reliable_deterioration.flag, Flag::kYes);
  EXPECT_EQ(outcome(3, 3, 6, 9).reliable_deterioration.flag, Flag::kNo);
}

TEST(NhsReliableDeterioration, DeterioratingCaseIsNeitherRecoveredNorImproved) {
  const EpisodeOutcome o = outcome(12, 20, 10, 15);
  EXPECT_EQ(o.reliable_deterioration.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNo);
  EXPECT_EQ(o.recovery.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kNo);
}

// --- improved on one measure, deteriorated on the other ---

TEST(NhsMixedChange, ImprovedOnOneAndDeterioratedOnTheOtherIsNeither) {
  // PHQ-9 20 -> 10 (fall 10), GAD-7 5 -> 10 (rise 5).
  const EpisodeOutcome o = outcome(20, 10, 5, 10);
  EXPECT_EQ(o.depression.reliably_improved, Flag::kYes);
  EXPECT_EQ(o.anxiety.reliably_deteriorated, Flag::kYes);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_deterioration.flag, Flag::kNo);
  EXPECT_EQ(o.recovery.flag, Flag::kNo);  // both last scores are cases
  EXPECT_EQ(o.reliable_improvement.evidence,
            "phq9 20 -> 10 (improved 10, reliable at 6: reliable improvement); gad7 5 -> 10 "
            "(worsened 5, reliable at 4: reliable deterioration): reliably improved on one "
            "measure and reliably deteriorated on the other, so neither reliable improvement nor "
            "reliable deterioration");
}

TEST(NhsMixedChange, RecoveredWithoutReliableImprovementWhenTheOtherMeasureRose) {
  // PHQ-9 12 -> 3 (fall 9), GAD-7 2 -> 7 (rise 5, still below 8): recovered, not reliably.
  const EpisodeOutcome o = outcome(12, 3, 2, 7);
  EXPECT_EQ(o.recovery.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_deterioration.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kNo);
}

TEST(NhsMixedChange, ThresholdEdgesOnBothMeasuresAtOnce) {
  // Fall of exactly 6 on PHQ-9 and rise of exactly 4 on GAD-7: both reliable, so neither.
  const EpisodeOutcome both = outcome(16, 10, 4, 8);
  EXPECT_EQ(both.reliable_improvement.flag, Flag::kNo);
  EXPECT_EQ(both.reliable_deterioration.flag, Flag::kNo);
  // Rise of 3 on GAD-7 is not reliable: the PHQ-9 fall of 6 stands.
  const EpisodeOutcome one = outcome(16, 10, 4, 7);
  EXPECT_EQ(one.reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(one.reliable_deterioration.flag, Flag::kNo);
}

// --- reliable recovery: recovery and reliable improvement ---

TEST(NhsReliableRecovery, RecoveredAndReliablyImproved) {
  const EpisodeOutcome o = outcome(16, 4, 12, 3);
  EXPECT_EQ(o.recovery.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_recovery.evidence, "recovery met, reliable improvement met");
}

TEST(NhsReliableRecovery, ReliablyImprovedButStillACase) {
  const EpisodeOutcome o = outcome(22, 12, 12, 6);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(o.recovery.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kNo);
}

// --- missing scores and bad input ---

TEST(NhsMissingScores, OutcomesNeedFirstAndLastScoresOnBothMeasures) {
  const EpisodeOutcome o = outcome(20, 5, 12, M);
  EXPECT_EQ(o.caseness_first.flag, Flag::kYes);
  EXPECT_EQ(o.recovery.flag, Flag::kNa);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNa);
  EXPECT_EQ(o.reliable_deterioration.flag, Flag::kNa);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kNa);
  EXPECT_EQ(o.depression.reliably_improved, Flag::kYes);  // the per-measure change is still shown
  EXPECT_EQ(o.anxiety.reliably_improved, Flag::kNa);
  EXPECT_EQ(o.reliable_improvement.evidence,
            "not counted: needs first and last scores on both measures (missing gad7 last)");
}

TEST(NhsInput, ScoresOutsideTheRangeAreInvalid) {
  Status s = invalid(28, 5, 10, 5);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "depression_first");
  EXPECT_EQ(s.message(), "depression_first: 28 is outside phq9's range 0 to 27");
  EXPECT_EQ(invalid(20, 5, 10, -1).field(), "anxiety_last");
  EXPECT_EQ(invalid(20, 5, 22, 5).field(), "anxiety_first");
  EXPECT_EQ(invalid(20, std::numeric_limits<double>::infinity(), 10, 5).field(), "depression_last");
}

TEST(NhsInput, NegativeSessionCountIsInvalid) {
  EXPECT_EQ(invalid(20, 5, 10, 5, -1).field(), "attended_treatment_sessions");
}

TEST(NhsMeasures, ThresholdsComeFromTheInstrumentDefinitions) {
  const auto dir = std::string(TANDEM_SOURCE_DIR) + "/instruments";
  Result<Instrument> phq = io::resolve_instrument("phq9", dir);
  Result<Instrument> gad = io::resolve_instrument("gad7", dir);
  ASSERT_TRUE(phq.has_value()) << phq.error().message();
  ASSERT_TRUE(gad.has_value()) << gad.error().message();
  Result<OutcomeMeasure> dep = outcome_measure(*phq);
  Result<OutcomeMeasure> anx = outcome_measure(*gad);
  ASSERT_TRUE(dep.has_value());
  ASSERT_TRUE(anx.has_value());
  EXPECT_EQ(dep->caseness_cutoff, 10);
  EXPECT_EQ(dep->reliable_change, 6);
  EXPECT_EQ(dep->max_total, 27);
  EXPECT_EQ(anx->caseness_cutoff, 8);
  EXPECT_EQ(anx->reliable_change, 4);
  EXPECT_EQ(anx->max_total, 21);
  EXPECT_EQ(dep->direction, Direction::kLowerIsBetter);
}

TEST(NhsMeasures, AnInstrumentWithoutACutOffCannotBeUsed) {
  Instrument bare;
  bare.id = "bare";
  bare.reliable_change_threshold = 3;
  Result<OutcomeMeasure> measure = outcome_measure(bare);
  ASSERT_FALSE(measure.has_value());
  EXPECT_EQ(measure.error().field(), "caseness_cutoff");
  bare.caseness_cutoff = 5;
  bare.reliable_change_threshold.reset();
  EXPECT_EQ(outcome_measure(bare).error().field(), "reliable_change_threshold");
}

// --- service rates ---

TEST(NhsServiceSummary, RatesUseTheNhsDenominators) {
  const std::vector<EpisodeOutcome> episodes = {
      outcome(16, 4, 12, 3),     // case, recovered, reliably improved -> reliable recovery
      outcome(22, 12, 12, 6),    // case, reliably improved, not recovered
      outcome(9, 2, 7, 1),       // not a case, reliably improved
      outcome(12, 20, 10, 15),   // case, reliably deteriorated
      outcome(20, 5, 15, 3, 1),  // not finished: in no rate
      outcome(20, 5, 12, M),     // finished, missing a last score: in no rate
      outcome(20, 10, 5, 10),    // case, mixed change: neither, not recovered
  };
  const ServiceSummary s = summarise_service(episodes);
  EXPECT_EQ(s.episodes, 7);
  EXPECT_EQ(s.finished_treatment, 6);
  EXPECT_EQ(s.missing_paired_scores, 1);
  EXPECT_EQ(s.finished_at_caseness, 4);
  EXPECT_EQ(s.finished_not_at_caseness, 1);
  EXPECT_EQ(s.recovery.numerator, 1);
  EXPECT_EQ(s.recovery.denominator, 4);
  EXPECT_DOUBLE_EQ(s.recovery.rate, 0.25);
  EXPECT_EQ(s.reliable_improvement.numerator, 3);
  EXPECT_EQ(s.reliable_improvement.denominator, 5);
  EXPECT_DOUBLE_EQ(s.reliable_improvement.rate, 0.6);
  EXPECT_EQ(s.reliable_deterioration.numerator, 1);
  EXPECT_EQ(s.reliable_deterioration.denominator, 5);
  EXPECT_DOUBLE_EQ(s.reliable_deterioration.rate, 0.2);
  EXPECT_EQ(s.reliable_recovery.numerator, 1);
  EXPECT_EQ(s.reliable_recovery.denominator, 4);
}

TEST(NhsServiceSummary, NoEpisodesGiveNoRates) {
  const ServiceSummary s = summarise_service({});
  EXPECT_EQ(s.episodes, 0);
  EXPECT_EQ(s.recovery.denominator, 0);
  EXPECT_TRUE(std::isnan(s.recovery.rate));
  EXPECT_TRUE(std::isnan(s.reliable_improvement.rate));
}

// --- hand checks on the peer file (PHQ-9-like scores; GAD-7 held at 0 -> 0 so it is neutral) ---

struct PeerRow {
  double pre = M;
  double post = M;
  int sessions = 1;
};

PeerRow peer_row(const testing::CsvTable& table, const std::string& id) {
  for (std::size_t row = 0; row < table.size(); ++row) {
    if (table.at(row, "id") != id) continue;
    PeerRow result;
    result.pre = table.number(row, "pre").value_or(M);
    result.post = table.number(row, "post").value_or(M);
    // Sessions 1..post_session attended; only a baseline score means one session.
    result.sessions = static_cast<int>(table.number(row, "post_session").value_or(1));
    return result;
  }
  ADD_FAILURE() << "no row " << id;
  return {};
}

EpisodeOutcome peer_outcome(const testing::CsvTable& table, const std::string& id) {
  const PeerRow row = peer_row(table, id);
  return outcome(row.pre, row.post, 0, 0, row.sessions);
}

const testing::CsvTable& prepost() {
  static const testing::CsvTable table =
      testing::CsvTable::read(std::string(TANDEM_PEER_DIR) + "/case1-prepost.csv");
  return table;
}

TEST(NhsPeerCase1, HandCheckedRows) {
  const testing::CsvTable& t = prepost();
  // c281 18 -> 12: fall of exactly 6 -> reliable improvement; 12 is still a case.
  EpisodeOutcome o = peer_outcome(t, "c281");
  EXPECT_EQ(o.caseness_first.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(o.recovery.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kNo);
  // c290 8 -> 14: rise of exactly 6 -> reliable deterioration; 8 was not a case.
  o = peer_outcome(t, "c290");
  EXPECT_EQ(o.caseness_first.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_deterioration.flag, Flag::kYes);
  EXPECT_EQ(o.recovery.flag, Flag::kNa);
  // c292 17 -> 9: below 10 and a fall of 8 -> reliable recovery.
  o = peer_outcome(t, "c292");
  EXPECT_EQ(o.recovery.flag, Flag::kYes);
  EXPECT_EQ(o.reliable_recovery.flag, Flag::kYes);
  // c300 15 -> 10: fall of 5, ends at 10 (a case) -> nothing.
  o = peer_outcome(t, "c300");
  EXPECT_EQ(o.recovery.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_deterioration.flag, Flag::kNo);
  // c293 5 -> 5: not a case, no change.
  o = peer_outcome(t, "c293");
  EXPECT_EQ(o.caseness_first.flag, Flag::kNo);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNo);
  // c296 27 -> 16: reliable improvement from the ceiling, still a case.
  o = peer_outcome(t, "c296");
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kYes);
  EXPECT_EQ(o.recovery.flag, Flag::kNo);
  // c003 21 -> 5: reliable recovery.
  EXPECT_EQ(peer_outcome(t, "c003").reliable_recovery.flag, Flag::kYes);
  // c002 21 -> 26: rise of 5 -> not reliable.
  EXPECT_EQ(peer_outcome(t, "c002").reliable_deterioration.flag, Flag::kNo);
  // c006 20 -> 27: rise of 7 -> reliable deterioration.
  EXPECT_EQ(peer_outcome(t, "c006").reliable_deterioration.flag, Flag::kYes);
  // c294: no pre score -> caseness unknown, outcomes not counted.
  o = peer_outcome(t, "c294");
  EXPECT_EQ(o.caseness_first.flag, Flag::kNa);
  EXPECT_EQ(o.reliable_improvement.flag, Flag::kNa);
  // c295: baseline only (one session) -> treatment not finished.
  o = peer_outcome(t, "c295");
  EXPECT_EQ(o.finished_treatment.flag, Flag::kNo);
  EXPECT_EQ(o.recovery.flag, Flag::kNa);
}

TEST(NhsPeerCase1, WholeFileCountsMatchAnIndependentTally) {
  // Expected counts tallied separately with awk over case1-prepost.csv (rule: case = pre >= 10;
  // reliable = change >= 6; recovered = case and post < 10; sessions = post_session).
  const testing::CsvTable& t = prepost();
  std::vector<EpisodeOutcome> episodes;
  for (std::size_t row = 0; row < t.size(); ++row) {
    episodes.push_back(peer_outcome(t, t.at(row, "id")));
  }
  const ServiceSummary s = summarise_service(episodes);
  EXPECT_EQ(s.episodes, 300);
  EXPECT_EQ(s.finished_treatment, 299);
  EXPECT_EQ(s.missing_paired_scores, 8);
  EXPECT_EQ(s.finished_at_caseness, 251);
  EXPECT_EQ(s.finished_not_at_caseness, 40);
  EXPECT_EQ(s.recovery.numerator, 93);
  EXPECT_EQ(s.recovery.denominator, 251);
  EXPECT_EQ(s.reliable_improvement.numerator, 139);
  EXPECT_EQ(s.reliable_improvement.denominator, 291);
  EXPECT_EQ(s.reliable_deterioration.numerator, 47);
  EXPECT_EQ(s.reliable_deterioration.denominator, 291);
  EXPECT_EQ(s.reliable_recovery.numerator, 88);
  EXPECT_EQ(s.reliable_recovery.denominator, 251);
}

}  // namespace
}  // namespace tandem::core
