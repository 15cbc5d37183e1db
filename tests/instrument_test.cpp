// Generic scorer and definition checks, on instruments built in code (no JSON here: the
// loader has its own tests). Every expected total is worked by hand in the comment beside it.
#include "core/instrument.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "core/series.hpp"

namespace tandem::core {
namespace {

constexpr double M = kMissing;

std::vector<AnswerOption> frequency_options() {
  return {{0, "Not at all", "LA6568-5"},
          {1, "Several days", "LA6569-3"},
          {2, "More than half the days", "LA6570-1"},
          {3, "Nearly every day", "LA6571-9"}};
}

// Mirrors instruments/phq9.json (without wording): 9 items 0-3, one missing item prorated.
Instrument phq9_like() {
  Instrument phq;
  phq.id = "phq9";
  phq.name = "PHQ-9";
  phq.direction = Direction::kLowerIsBetter;
  phq.min_total = 0;
  phq.max_total = 27;
  phq.options = frequency_options();
  for (int i = 1; i <= 9; ++i)
    phq.items.push_back({"phq9_" + std::to_string(i), "", "", false, {}});
  phq.max_missing = 1;
  phq.prorate = true;
  phq.caseness_cutoff = 10;
  phq.reliable_change_threshold = 6;
  phq.reliability = 0.89;
  phq.bands = {{0, 4, "minimal"},
               {5, 9, "mild"},
               {10, 14, "moderate"},
               {15, 19, "moderately severe"},
               {20, 27, "severe"}};
  phq.crisis_item = 8;
  phq.crisis_min_value = 1;
  return phq;
}

// Mirrors instruments/gad7.json: 7 items 0-3.
Instrument gad7_like() {
  Instrument gad;
  gad.id = "gad7";
  gad.name = "GAD-7";
  gad.min_total = 0;
  gad.max_total = 21;
  gad.options = frequency_options();
  for (int i = 1; i <= 7; ++i)
    gad.items.push_back({"gad7_" + std::to_string(i), "", "", false, {}});
  gad.max_missing = 1;
  gad.prorate = true;
  gad.caseness_cutoff = 8;
  gad.reliable_change_threshold = 4;
  gad.bands = {{0, 4, "minimal"}, {5, 9, "mild"}, {10, 14, "moderate"}, {15, 21, "severe"}};
  return gad;
}

ScoreResult scored(const Instrument& instrument, const std::vector<double>& responses) {
  Result<ScoreResult> result = score(instrument, responses);
  EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message());
  return result.value_or(ScoreResult{});
}

Status invalid_score(const Instrument& instrument, const std::vector<double>& responses) {
  Result<ScoreResult> result = score(instrument, responses);
  EXPECT_FALSE(result.has_value());
  return result ? Status::ok() : result.error();
}

TEST(InstrumentScore, CompleteFormIsTheSumOfItsAnswers) {
  // 1+2+3+0+1+2+3+0+1 = 13 -> moderate (10-14)
  const ScoreResult r = scored(phq9_like(), {1, 2, 3, 0, 1, 2, 3, 0, 1});
  EXPECT_DOUBLE_EQ(r.total, 13);
  EXPECT_EQ(r.answered, 9);
  EXPECT_EQ(r.missing, 0);
  EXPECT_FALSE(r.prorated);
  EXPECT_EQ(r.band, "moderate");
  EXPECT_EQ(r.evidence, "sum of 9 items = 13");
}

TEST(InstrumentScore, FloorAndCeilingOfTheRange) {
  EXPECT_DOUBLE_EQ(scored(phq9_like(), {0, 0, 0, 0, 0, 0, 0, 0, 0}).total, 0);
  EXPECT_EQ(scored(phq9_like(), {0, 0, 0, 0, 0, 0, 0, 0, 0}).band, "minimal");
  EXPECT_DOUBLE_EQ(scored(phq9_like(), {3, 3, 3, 3, 3, 3, 3, 3, 3}).total, 27);
  EXPECT_EQ(scored(phq9_like(), {3, 3, 3, 3, 3, 3, 3, 3, 3}).band, "severe");
  EXPECT_DOUBLE_EQ(scored(gad7_like(), {3, 3, 3, 3, 3, 3, 3}).total, 21);
}

TEST(InstrumentScore, BandsChangeExactlyAtTheirPublishedCutPoints) {
  const Instrument phq = phq9_like();
  EXPECT_EQ(band_for(phq, 4), "minimal");
  EXPECT_EQ(band_for(phq, 5), "mild");
  EXPECT_EQ(band_for(phq, 9), "mild");
  EXPECT_EQ(band_for(phq, 10), "moderate");
  EXPECT_EQ(band_for(phq, 14), "moderate");
  EXPECT_EQ(band_for(phq, 15), "moderately severe");
  EXPECT_EQ(band_for(phq, 19), "moderately severe");
  EXPECT_EQ(band_for(phq, 20), "severe");
  const Instrument gad = gad7_like();
  EXPECT_EQ(band_for(gad, 14), "moderate");
  EXPECT_EQ(band_for(gad, 15), "severe");
  EXPECT_EQ(band_for(phq, M), "");
  EXPECT_EQ(band_for(phq, 28), "");
  EXPECT_EQ(band_for(phq, -1), "");
}

TEST(InstrumentScore, FractionalTotalTakesTheBandItHasReached) {
  // 14.625 is past 14 but short of 15: still "moderate" (last band whose min <= total).
  EXPECT_EQ(band_for(phq9_like(), 14.625), "moderate");
  EXPECT_EQ(band_for(phq9_like(), 9.5), "mild");
}

TEST(InstrumentScore, OneMissingItemIsProratedAndRoundedHalfUp) {
  // 8 answered, sum 1+2+3+0+1+2+3+1 = 13; 13 * 9 / 8 = 14.625 -> 15 (moderately severe).
  const ScoreResult r = scored(phq9_like(), {1, 2, 3, 0, 1, 2, 3, M, 1});
  EXPECT_DOUBLE_EQ(r.total, 15);
  EXPECT_EQ(r.answered, 8);
  EXPECT_EQ(r.missing, 1);
  EXPECT_TRUE(r.prorated);
  EXPECT_EQ(r.band, "moderately severe");
  EXPECT_EQ(r.evidence,
            "8 of 9 items answered; prorated 13 x 9 / 8 = 14.625, rounded half up to 15");
}

TEST(InstrumentScore, ProratedHalfwayTotalsRoundUp) {
  const Instrument gad = gad7_like();
  // 6 answered, sum 9: 9 * 7 / 6 = 10.5 -> 11
  EXPECT_DOUBLE_EQ(scored(gad, {2, 2, 2, 1, 1, 1, M}).total, 11);
  // sum 3: 3 * 7 / 6 = 3.5 -> 4
  EXPECT_DOUBLE_EQ(scored(gad, {M, 1, 1, 1, 0, 0, 0}).total, 4);
  // sum 5: 35 / 6 = 5.833 -> 6
  EXPECT_DOUBLE_EQ(scored(gad, {1, 1, 1, 1, 1, 0, M}).total, 6);
  // sum 1: 7 / 6 = 1.167 -> 1
  EXPECT_DOUBLE_EQ(scored(gad, {1, 0, 0, M, 0, 0, 0}).total, 1);
  // sum 0 stays 0
  EXPECT_DOUBLE_EQ(scored(gad, {0, 0, 0, M, 0, 0, 0}).total, 0);
}

TEST(InstrumentScore, ProratedTotalCanCrossTheCasenessCutOff) {
  // PHQ-9, 8 answered summing 8: 8 * 9 / 8 = 9 -> not a case; summing 9: 81 / 8 = 10.125 -> 10.
  EXPECT_DOUBLE_EQ(scored(phq9_like(), {1, 1, 1, 1, 1, 1, 1, 1, M}).total, 9);
  EXPECT_DOUBLE_EQ(scored(phq9_like(), {2, 1, 1, 1, 1, 1, 1, 1, M}).total, 10);
}

TEST(InstrumentScore, UnroundedProrationKeepsTheExactMean) {
  Instrument phq = phq9_like();
  phq.rounding = ProrateRounding::kNone;
  const ScoreResult r = scored(phq, {1, 2, 3, 0, 1, 2, 3, M, 1});
  EXPECT_DOUBLE_EQ(r.total, 14.625);
  EXPECT_EQ(r.band, "moderate");
  EXPECT_EQ(r.evidence, "8 of 9 items answered; prorated 13 x 9 / 8 = 14.625");
}

TEST(InstrumentScore, MoreMissingItemsThanAllowedGiveNoTotal) {
  const ScoreResult r = scored(phq9_like(), {1, 2, 3, 0, 1, 2, M, M, 1});
  EXPECT_TRUE(std::isnan(r.total));
  EXPECT_EQ(r.answered, 7);
  EXPECT_EQ(r.missing, 2);
  EXPECT_FALSE(r.prorated);
  EXPECT_EQ(r.band, "");
  EXPECT_EQ(r.evidence, "7 of 9 items answered; at most 1 may be missing, so no total");
}

TEST(InstrumentScore, EmptyFormGivesNoTotal) {
  const ScoreResult r = scored(gad7_like(), {M, M, M, M, M, M, M});
  EXPECT_TRUE(std::isnan(r.total));
  EXPECT_EQ(r.answered, 0);
  EXPECT_EQ(r.missing, 7);
}

TEST(InstrumentScore, WithoutProrationAnyMissingItemGivesNoTotal) {
  Instrument gad = gad7_like();
  gad.max_missing = 0;
  gad.prorate = false;
  EXPECT_TRUE(std::isnan(scored(gad, {1, 1, 1, 1, 1, 1, M}).total));
  EXPECT_DOUBLE_EQ(scored(gad, {1, 1, 1, 1, 1, 1, 1}).total, 7);
}

TEST(InstrumentScore, AnswerOutsideTheOptionsIsInvalidAndNamesTheItem) {
  const Status s = invalid_score(phq9_like(), {0, 0, 4, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), "phq9_3");
  EXPECT_EQ(s.message(), "item phq9_3: 4 is not one of its answer values (0, 1, 2, 3)");
  EXPECT_EQ(invalid_score(phq9_like(), {-1, 0, 0, 0, 0, 0, 0, 0, 0}).field(), "phq9_1");
}

TEST(InstrumentScore, FractionalOrInfiniteAnswerIsInvalid) {
  const Status half = invalid_score(gad7_like(), {0, 1.5, 0, 0, 0, 0, 0});
  EXPECT_EQ(half.field(), "gad7_2");
  EXPECT_EQ(half.message(), "item gad7_2: 1.5 is not one of its answer values (0, 1, 2, 3)");
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(invalid_score(gad7_like(), {0, 0, 0, 0, 0, 0, inf}).field(), "gad7_7");
}

TEST(InstrumentScore, WrongNumberOfResponsesIsInvalid) {
  const Status s = invalid_score(gad7_like(), {0, 0, 0});
  EXPECT_EQ(s.field(), "responses");
  EXPECT_EQ(s.message(), "expected 7 responses (one per item of gad7), got 3");
}

TEST(InstrumentScore, CrisisItemEndorsementRaisesTheFlag) {
  EXPECT_EQ(scored(phq9_like(), {0, 0, 0, 0, 0, 0, 0, 0, 0}).crisis, Flag::kNo);
  EXPECT_EQ(scored(phq9_like(), {0, 0, 0, 0, 0, 0, 0, 0, 1}).crisis, Flag::kYes);
  EXPECT_EQ(scored(phq9_like(), {0, 0, 0, 0, 0, 0, 0, 0, 3}).crisis, Flag::kYes);
  EXPECT_EQ(scored(gad7_like(), {3, 3, 3, 3, 3, 3, 3}).crisis, Flag::kNa);  // no crisis item
}

TEST(InstrumentScore, UnansweredCrisisItemIsUnknownNotNo) {
  // The total is prorated (8 answers summing 16: 16 * 9 / 8 = 18) but item 9 is not assumed 0.
  const ScoreResult r = scored(phq9_like(), {2, 2, 2, 2, 2, 2, 2, 2, M});
  EXPECT_DOUBLE_EQ(r.total, 18);
  EXPECT_EQ(r.crisis, Flag::kNa);
}

TEST(InstrumentScore, CrisisThresholdIsData) {
  Instrument phq = phq9_like();
  phq.crisis_min_value = 2;
  EXPECT_EQ(scored(phq, {0, 0, 0, 0, 0, 0, 0, 0, 1}).crisis, Flag::kNo);
  EXPECT_EQ(scored(phq, {0, 0, 0, 0, 0, 0, 0, 0, 2}).crisis, Flag::kYes);
}

// A higher-is-better scale: items 1-5, w2 reverse-scored, w3 with its own answers {0, 2, 4}.
Instrument wellbeing_like() {
  Instrument w;
  w.id = "wellbeing";
  w.name = "Wellbeing";
  w.direction = Direction::kHigherIsBetter;
  w.options = {
      {1, "none", ""}, {2, "rarely", ""}, {3, "some", ""}, {4, "often", ""}, {5, "all", ""}};
  w.items = {{"w1", "", "", false, {}},
             {"w2", "", "", true, {}},
             {"w3", "", "", false, {{0, "none", ""}, {2, "a few", ""}, {4, "most", ""}}}};
  w.min_total = 2;   // 1 + 1 + 0
  w.max_total = 14;  // 5 + 5 + 4
  w.caseness_cutoff = 6;
  return w;
}

TEST(InstrumentScore, ReverseScoredItemCountsFromTheOtherEnd) {
  // w1 = 4, w2 = 1 reversed to 1 + 5 - 1 = 5, w3 = 2: total 11
  EXPECT_DOUBLE_EQ(scored(wellbeing_like(), {4, 1, 2}).total, 11);
  // w2 = 5 reversed to 1
  EXPECT_DOUBLE_EQ(scored(wellbeing_like(), {4, 5, 2}).total, 7);
}

TEST(InstrumentScore, ItemWithItsOwnAnswersAcceptsOnlyThose) {
  EXPECT_DOUBLE_EQ(scored(wellbeing_like(), {1, 5, 4}).total, 6);
  const Status s = invalid_score(wellbeing_like(), {1, 5, 3});
  EXPECT_EQ(s.field(), "w3");
  EXPECT_EQ(s.message(), "item w3: 3 is not one of its answer values (0, 2, 4)");
}

TEST(InstrumentScore, HalfUpRoundingOfNegativeTotalsGoesTowardPlusInfinity) {
  // Answers -2..2 (as in goal attainment scaling), 3 items, one may be missing.
  Instrument gas;
  gas.id = "gas3";
  gas.name = "GAS";
  gas.options = {{-2, "much less", ""},
                 {-1, "less", ""},
                 {0, "expected", ""},
                 {1, "more", ""},
                 {2, "much more", ""}};
  gas.items = {{"g1", "", "", false, {}}, {"g2", "", "", false, {}}, {"g3", "", "", false, {}}};
  gas.min_total = -6;
  gas.max_total = 6;
  gas.max_missing = 1;
  gas.prorate = true;
  ASSERT_TRUE(validate(gas).is_ok()) << validate(gas).message();
  // (-2 + -1) * 3 / 2 = -4.5 -> -4
  EXPECT_DOUBLE_EQ(scored(gas, {-2, -1, M}).total, -4);
  // (-2 + -2) * 3 / 2 = -6 exactly
  EXPECT_DOUBLE_EQ(scored(gas, {-2, M, -2}).total, -6);
  // (-1 + 0) * 3 / 2 = -1.5 -> -1 ; (1 + 0) * 3 / 2 = 1.5 -> 2
  EXPECT_DOUBLE_EQ(scored(gas, {M, -1, 0}).total, -1);
  EXPECT_DOUBLE_EQ(scored(gas, {M, 1, 0}).total, 2);
}

TEST(InstrumentCaseness, CutOffIsInclusiveOnTheClinicalSide) {
  const Instrument phq = phq9_like();
  EXPECT_EQ(is_case(phq, 10), Flag::kYes);
  EXPECT_EQ(is_case(phq, 9), Flag::kNo);
  EXPECT_EQ(is_case(phq, 27), Flag::kYes);
  EXPECT_EQ(is_case(phq, M), Flag::kNa);
  const Instrument gad = gad7_like();
  EXPECT_EQ(is_case(gad, 8), Flag::kYes);
  EXPECT_EQ(is_case(gad, 7), Flag::kNo);
}

TEST(InstrumentCaseness, HigherIsBetterScalesAreCasesAtOrBelowTheCutOff) {
  const Instrument w = wellbeing_like();
  EXPECT_EQ(is_case(w, 6), Flag::kYes);
  EXPECT_EQ(is_case(w, 5), Flag::kYes);
  EXPECT_EQ(is_case(w, 7), Flag::kNo);
}

TEST(InstrumentCaseness, NoCutOffMeansUnknown) {
  Instrument phq = phq9_like();
  phq.caseness_cutoff.reset();
  EXPECT_EQ(is_case(phq, 20), Flag::kNa);
}

TEST(InstrumentItems, FindsAnItemByItsId) {
  EXPECT_EQ(find_item(phq9_like(), "phq9_9"), std::optional<std::size_t>(8));
  EXPECT_EQ(find_item(phq9_like(), "phq9_10"), std::nullopt);
}

// --- validate(): one broken thing at a time, with the field path it must name ---

void expect_invalid(const Instrument& instrument, const std::string& field,
                    const std::string& message) {
  const Status s = validate(instrument);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.field(), field);
  EXPECT_EQ(s.message(), message);
}

TEST(InstrumentValidate, ShippedShapesAreValid) {
  EXPECT_TRUE(validate(phq9_like()).is_ok()) << validate(phq9_like()).message();
  EXPECT_TRUE(validate(gad7_like()).is_ok()) << validate(gad7_like()).message();
  EXPECT_TRUE(validate(wellbeing_like()).is_ok()) << validate(wellbeing_like()).message();
}

TEST(InstrumentValidate, IdMustBeLowerCaseName) {
  Instrument phq = phq9_like();
  phq.id = "PHQ 9";
  expect_invalid(phq, "id", "id: expected lower-case letters, digits, '_' or '-' (got \"PHQ 9\")");
}

TEST(InstrumentValidate, DuplicateItemIdIsNamed) {
  Instrument phq = phq9_like();
  phq.items[4].id = "phq9_2";
  expect_invalid(phq, "items[4].id", "items[4].id: duplicate id \"phq9_2\" (also items[1])");
}

TEST(InstrumentValidate, DuplicateItemCodeIsNamed) {
  Instrument phq = phq9_like();
  phq.items[0].code = "44250-9";
  phq.items[1].code = "44250-9";
  expect_invalid(phq, "items[1].code", "items[1].code: duplicate code \"44250-9\" (also items[0])");
}

TEST(InstrumentValidate, AnswerValuesMustIncrease) {
  Instrument phq = phq9_like();
  std::swap(phq.options[1], phq.options[2]);
  expect_invalid(phq, "options[2].value",
                 "options[2].value: answer values must increase strictly (got 1 after 2)");
}

TEST(InstrumentValidate, ItemWithoutAnyAnswersIsRejected) {
  Instrument phq = phq9_like();
  phq.options.clear();
  expect_invalid(phq, "items[0].options",
                 "items[0].options: the item has no answer options and the instrument has no "
                 "shared options");
}

TEST(InstrumentValidate, RangeMustEqualTheItemsRange) {
  Instrument phq = phq9_like();
  phq.max_total = 26;
  expect_invalid(phq, "range.max",
                 "range.max: expected 27 (the sum of the items' highest answer values), got 26");
  phq = phq9_like();
  phq.min_total = 1;
  expect_invalid(phq, "range.min",
                 "range.min: expected 0 (the sum of the items' lowest answer values), got 1");
}

TEST(InstrumentValidate, BandsMustStartAtTheRangeMin) {
  Instrument phq = phq9_like();
  phq.bands[0].min = 1;
  expect_invalid(phq, "bands[0].min",
                 "bands[0].min: expected 0 (bands must start at the range's min), got 1");
}

TEST(InstrumentValidate, BandsMustNotLeaveGaps) {
  Instrument phq = phq9_like();
  phq.bands[2].min = 11;
  expect_invalid(phq, "bands[2].min",
                 "bands[2].min: expected 10 (the previous band ends at 9; bands must be in order, "
                 "without gaps or overlaps), got 11");
}

TEST(InstrumentValidate, BandsMustNotOverlap) {
  Instrument phq = phq9_like();
  phq.bands[1].max = 10;
  expect_invalid(phq, "bands[2].min",
                 "bands[2].min: expected 11 (the previous band ends at 10; bands must be in "
                 "order, without gaps or overlaps), got 10");
}

TEST(InstrumentValidate, BandsMustReachTheRangeMax) {
  Instrument phq = phq9_like();
  phq.bands[4].max = 26;
  expect_invalid(phq, "bands[4].max",
                 "bands[4].max: expected 27 (bands must cover the range up to its max), got 26");
}

TEST(InstrumentValidate, BandMaxBelowItsMinIsRejected) {
  Instrument phq = phq9_like();
  phq.bands[1].max = 4;
  expect_invalid(phq, "bands[1].max", "bands[1].max: below the band's min (5)");
}

TEST(InstrumentValidate, BandLabelsAreUnique) {
  Instrument phq = phq9_like();
  phq.bands[1].label = "minimal";
  expect_invalid(phq, "bands[1].label", "bands[1].label: duplicate label \"minimal\"");
}

TEST(InstrumentValidate, ThresholdsMustFitTheRange) {
  Instrument phq = phq9_like();
  phq.caseness_cutoff = 28;
  expect_invalid(phq, "caseness_cutoff",
                 "caseness_cutoff: expected a total within the range 0 to 27, got 28");
  phq = phq9_like();
  phq.reliable_change_threshold = 0;
  expect_invalid(phq, "reliable_change_threshold",
                 "reliable_change_threshold: expected more than 0 and at most 27, got 0");
  phq = phq9_like();
  phq.reliability = 1.0;
  expect_invalid(phq, "reliability",
                 "reliability: expected a value between 0 and 1 (exclusive), got 1");
  phq = phq9_like();
  phq.rci_sd = -5.0;
  expect_invalid(phq, "rci_sd", "rci_sd: expected a positive number, got -5");
}

TEST(InstrumentValidate, MissingItemRuleMustBeCoherent) {
  Instrument phq = phq9_like();
  phq.max_missing = 9;
  expect_invalid(phq, "max_missing", "max_missing: expected 0 to 8, got 9");
  phq = phq9_like();
  phq.prorate = false;
  expect_invalid(phq, "max_missing",
                 "max_missing: tolerating missing items needs \"prorate\": true (an incomplete "
                 "form is never scored by summing only the answered items)");
}

TEST(InstrumentValidate, CrisisItemMustExistAndItsThresholdMustBeAnEndorsement) {
  Instrument phq = phq9_like();
  phq.crisis_item = 9;
  expect_invalid(phq, "crisis_item", "crisis_item: no item 9");
  phq = phq9_like();
  phq.crisis_min_value = 0;
  expect_invalid(phq, "crisis_min_value",
                 "crisis_min_value: expected an answer value above the item's lowest (0) and at "
                 "most its highest (3), got 0");
}

TEST(InstrumentValidate, EmptyInstrumentIsRejected) {
  Instrument phq = phq9_like();
  phq.items.clear();
  expect_invalid(phq, "items", "items: expected at least one item");
}

}  // namespace
}  // namespace tandem::core
