#include "core/reliable_change.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/rci_variants.hpp"
#include "core/series.hpp"
#include "core/statistics.hpp"
#include "support/csv_table.hpp"

namespace tandem::core {
namespace {

using tandem::testing::CsvTable;
using tandem::testing::peer_file;

constexpr double kPaperReliability = 0.89;  // case1-params.md

// Relative tolerance (peer README, "How to compare"); a tiny absolute floor for exact zeros.
void expect_relative(double expected, double actual, double tolerance, const std::string& what) {
  EXPECT_LE(std::fabs(actual - expected), tolerance * std::fabs(expected) + 1e-15)
      << what << ": expected " << expected << ", got " << actual;
}

// --- Hand-worked formulas ----------------------------------------------------------------

TEST(JacobsonTruaxIndex, StandardErrorsAndReliableChangeValueForSd5AndReliability089) {
  // SE = 5 * sqrt(1 - .89) = 5 * 0.3316625 = 1.658312
  // S_diff = sqrt(2 * 1.658312^2) = 2.345208
  // reliable change value = 1.96 * 2.345208 = 4.596607 (case1-params.md, config B of suddengains)
  const Result<JacobsonTruaxIndex> index = JacobsonTruaxIndex::make(5.0, kPaperReliability);
  ASSERT_TRUE(index.has_value());
  EXPECT_NEAR(index->se_measurement(), 1.6583123951777, 1e-12);
  EXPECT_NEAR(index->s_diff(), 2.345207879911715, 1e-12);
  EXPECT_NEAR(index->reliable_change_value(kJacobsonTruaxCriticalValue), 4.596607444626961, 1e-12);
  EXPECT_NEAR(standard_error_of_measurement(5.0, kPaperReliability), 1.6583123951777, 1e-12);
  EXPECT_NEAR(standard_error_of_difference(1.6583123951777), 2.345207879911715, 1e-12);
}

TEST(JacobsonTruaxIndex, IndexIsTheChangeOverSdiff) {
  // pre 20, post 13: RC = (13 - 20) / 2.345208 = -2.984810; pre 21, post 26: 5 / 2.345208 =
  // 2.132007 (c002 in the fixed-norm peer file).
  const JacobsonTruaxIndex index = *JacobsonTruaxIndex::make(5.0, kPaperReliability);
  EXPECT_NEAR(index.index({20.0, 13.0}), -2.9848100289785457, 1e-12);
  EXPECT_NEAR(index.index({21.0, 26.0}), 2.1320071635561044, 1e-12);
  EXPECT_EQ(index.index({20.0, 20.0}), 0.0);
}

TEST(JacobsonTruaxIndex, MissingScoreGivesNoIndexAndNoClass) {
  const JacobsonTruaxIndex index = *JacobsonTruaxIndex::make(5.0, kPaperReliability);
  const double no_pre = index.index({kMissing, 13.0});
  const double no_post = index.index({20.0, kMissing});
  EXPECT_TRUE(std::isnan(no_pre));
  EXPECT_TRUE(std::isnan(no_post));
  EXPECT_FALSE(classify_index(no_pre, Direction::kLowerIsBetter, 1.96).has_value());
  EXPECT_FALSE(classify_fixed_threshold({kMissing, 3.0}, 6.0, Direction::kLowerIsBetter));
  EXPECT_FALSE(classify_fixed_threshold({12.0, kMissing}, 6.0, Direction::kLowerIsBetter));
}

TEST(JacobsonTruaxIndex, RejectsSdAndReliabilityThatMakeNoStandardError) {
  EXPECT_FALSE(JacobsonTruaxIndex::make(0.0, 0.8).has_value());
  EXPECT_FALSE(JacobsonTruaxIndex::make(kMissing, 0.8).has_value());
  EXPECT_FALSE(JacobsonTruaxIndex::make(5.0, 1.0).has_value());
  EXPECT_FALSE(JacobsonTruaxIndex::make(5.0, -0.1).has_value());
  EXPECT_FALSE(JacobsonTruaxIndex::make(5.0, kMissing).has_value());
  EXPECT_EQ(JacobsonTruaxIndex::make(5.0, 1.0).error().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(JacobsonTruaxIndex::make(5.0, 0.0).has_value());
}

TEST(CriticalValues, ExactQuantilesMatchR) {
  // R: qnorm(0.975), qnorm(0.95)
  EXPECT_NEAR(two_sided_critical_value(), 1.959963984540054, 1e-15);
  EXPECT_NEAR(one_sided_critical_value(), 1.6448536269514722, 1e-15);
  EXPECT_EQ(kJacobsonTruaxCriticalValue, 1.96);
}

TEST(ClassifyIndex, DirectionDecidesWhichSignIsImprovement) {
  EXPECT_EQ(classify_index(-2.5, Direction::kLowerIsBetter, 1.96), ReliableChange::kImproved);
  EXPECT_EQ(classify_index(2.5, Direction::kLowerIsBetter, 1.96), ReliableChange::kDeteriorated);
  EXPECT_EQ(classify_index(2.5, Direction::kHigherIsBetter, 1.96), ReliableChange::kImproved);
  EXPECT_EQ(classify_index(-2.5, Direction::kHigherIsBetter, 1.96), ReliableChange::kDeteriorated);
  EXPECT_EQ(classify_index(1.0, Direction::kHigherIsBetter, 1.96), ReliableChange::kNone);
  EXPECT_EQ(classify_index(-1.0, Direction::kLowerIsBetter, 1.96), ReliableChange::kNone);
}

TEST(ClassifyIndex, ExactlyAtTheCriticalValueIsReliableOnlyWhenInclusive) {
  // Jacobson & Truax: |RC| > 1.96 (strict). JTRCI: RCI <= -1.96 / >= 1.96.
  for (const Direction d : {Direction::kLowerIsBetter, Direction::kHigherIsBetter}) {
    const double toward_better = improvement_sign(d) * 1.96;
    EXPECT_EQ(classify_index(toward_better, d, 1.96), ReliableChange::kNone);
    EXPECT_EQ(classify_index(-toward_better, d, 1.96), ReliableChange::kNone);
    EXPECT_EQ(classify_index(toward_better, d, 1.96, Comparison::kInclusive),
              ReliableChange::kImproved);
    EXPECT_EQ(classify_index(-toward_better, d, 1.96, Comparison::kInclusive),
              ReliableChange::kDeteriorated);
  }
  // Between 1.959964 and 1.96 the two critical values disagree.
  EXPECT_EQ(classify_index(-1.95998, Direction::kLowerIsBetter, two_sided_critical_value()),
            ReliableChange::kImproved);
  EXPECT_EQ(classify_index(-1.95998, Direction::kLowerIsBetter, 1.96), ReliableChange::kNone);
}

TEST(ClassifyFixedThreshold, PhqNineSixPointsIsReliableInclusive) {
  // NHS Talking Therapies: PHQ-9 reliable improvement is a fall of >= 6 (c281: 18 -> 12).
  EXPECT_EQ(classify_fixed_threshold({18.0, 12.0}, 6.0, Direction::kLowerIsBetter),
            ReliableChange::kImproved);
  EXPECT_EQ(classify_fixed_threshold({18.0, 13.0}, 6.0, Direction::kLowerIsBetter),
            ReliableChange::kNone);
  // c290: 8 -> 14, a rise of exactly 6.
  EXPECT_EQ(classify_fixed_threshold({8.0, 14.0}, 6.0, Direction::kLowerIsBetter),
            ReliableChange::kDeteriorated);
  EXPECT_EQ(
      classify_fixed_threshold({18.0, 12.0}, 6.0, Direction::kLowerIsBetter, Comparison::kStrict),
      ReliableChange::kNone);
  // Higher is better (ORS, reliable change 5): 20 -> 25 improves, 25 -> 20 deteriorates.
  EXPECT_EQ(classify_fixed_threshold({20.0, 25.0}, 5.0, Direction::kHigherIsBetter),
            ReliableChange::kImproved);
  EXPECT_EQ(classify_fixed_threshold({25.0, 20.0}, 5.0, Direction::kHigherIsBetter),
            ReliableChange::kDeteriorated);
}

// --- Sample-estimated variants, hand-worked ----------------------------------------------

// M_pre 10, SD_pre 4, M_post 8, SD_post 5, r12 .5, r .75; client pre 14, post 9.
SampleStatistics hand_sample() {
  SampleStatistics s;
  s.n_original = 10;
  s.n_used = 10;
  s.m_pre = 10.0;
  s.sd_pre = 4.0;
  s.m_post = 8.0;
  s.sd_post = 5.0;
  s.r12 = 0.5;
  return s;
}

SampleOptions hand_options(RciMethod method) {
  SampleOptions options = clinicalsignificance_options(method, CutoffType::kA, 0.75, 3.0, 3.0,
                                                       Direction::kLowerIsBetter);
  return options;
}

double hand_index(RciMethod method) {
  const Result<SampleMethod> m = SampleMethod::make(hand_sample(), hand_options(method));
  EXPECT_TRUE(m.has_value());
  return m ? m->index({14.0, 9.0}) : kMissing;
}

TEST(RciVariants, JacobsonTruaxUsesTheSamplePreSd) {
  // SE = 4 * sqrt(.25) = 2, S_diff = sqrt(8) = 2.828427; RC = -5 / 2.828427 = -1.767767
  EXPECT_NEAR(hand_index(RciMethod::kJacobsonTruax), -5.0 / std::sqrt(8.0), 1e-12);
}

TEST(RciVariants, GulliksenLordNovick) {
  // SE_pred = 4 * sqrt(1 - .75^2) = 2.645751; ((9 - 10) - .75 (14 - 10)) = -4 -> -1.511858
  EXPECT_NEAR(hand_index(RciMethod::kGulliksenLordNovick), -1.5118578920369088, 1e-12);
}

TEST(RciVariants, HsuLinnLordCentresPostOnThePostMean) {
  // ((9 - 8) - .75 (14 - 10)) = -2 -> -2 / 2.645751 = -0.755929
  EXPECT_NEAR(hand_index(RciMethod::kHsuLinnLord), -0.7559289460184544, 1e-12);
}

TEST(RciVariants, EdwardsNunnally) {
  // true pre = .75 (14 - 10) + 10 = 13; (9 - 13) / SE 2 = -2
  EXPECT_NEAR(hand_index(RciMethod::kEdwardsNunnally), -2.0, 1e-12);
}

TEST(RciVariants, NunnallyKotschDefaultsPostReliabilityToReliability) {
  // sqrt(.75^2 * 16 * .25 + 16 * (1 - .75)) = sqrt(2.25 + 4) = 2.5; -4 / 2.5 = -1.6
  EXPECT_NEAR(hand_index(RciMethod::kNunnallyKotsch), -1.6, 1e-12);
  SampleOptions options = hand_options(RciMethod::kNunnallyKotsch);
  options.reliability_post = 0.84;  // sqrt(2.25 + 16 * .16) = sqrt(4.81) = 2.193171
  EXPECT_NEAR(SampleMethod::make(hand_sample(), options)->index({14.0, 9.0}),
              -4.0 / std::sqrt(4.81), 1e-12);
}

TEST(RciVariants, HagemanArrindellDifferenceReliabilityAndIndex) {
  // SE = 2; r_pre = (16 - 4) / 16 = .75; r_post = (25 - 4) / 25 = .84
  // r_dd = (16 * .75 + 25 * .84 - 2 * 4 * 5 * .5) / (16 + 25 - 20) = 13 / 21 = 0.619048
  // RC_ind = ((9 - 14) 13/21 + (8 - 10) 8/21) / (sqrt(13/21) sqrt(8)) = -1.733240
  const Result<SampleMethod> m =
      SampleMethod::make(hand_sample(), hand_options(RciMethod::kHagemanArrindell));
  ASSERT_TRUE(m.has_value());
  EXPECT_NEAR(m->parameters().r_dd, 13.0 / 21.0, 1e-12);
  EXPECT_NEAR(m->parameters().se_measurement, 2.0, 1e-12);
  EXPECT_NEAR(m->index({14.0, 9.0}), -1.7332399946691972, 1e-12);
  // Cut-off a on true scores: 10 - 2 * 4 * sqrt(.75) = 3.071797;
  // CS_ind = (8 + (9 - 8) * .84 - 3.071797) / (sqrt(.84) * 2) = 3.146813
  EXPECT_NEAR(m->parameters().cutoff, 3.0717967697244912, 1e-12);
  const std::optional<ClinicalOutcome> outcome = m->evaluate({14.0, 9.0});
  ASSERT_TRUE(outcome.has_value());
  EXPECT_NEAR(outcome->cs_indiv, 3.1468128484078943, 1e-12);
  EXPECT_NEAR(m->parameters().critical_value, 1.6448536269514722, 1e-15);
  // -1.733 < -1.645: reliably improved; pre 14 clinical; CS_ind 3.15 is not below -1.645, so
  // the true post score is not functional: improved, not recovered.
  EXPECT_EQ(outcome->change, ReliableChange::kImproved);
  EXPECT_TRUE(outcome->clinical_pre);
  EXPECT_FALSE(outcome->functional_post);
  EXPECT_EQ(outcome->category, Category::kImproved);
}

TEST(RciVariants, CompleteCaseStatisticsDropIncompletePairs) {
  // Pairs (1, 2), (3, 6), (5, 7) kept; the other two dropped.
  // M_pre 3, SD_pre 2; M_post 5, SD_post sqrt(7); r12 = 10 / sqrt(8 * 14)
  const std::vector<double> pre = {1.0, kMissing, 3.0, 5.0, 9.0};
  const std::vector<double> post = {2.0, 4.0, 6.0, 7.0, kMissing};
  const Result<SampleStatistics> s = complete_case_statistics(pre, post);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->n_original, 5u);
  EXPECT_EQ(s->n_used, 3u);
  EXPECT_DOUBLE_EQ(s->m_pre, 3.0);
  EXPECT_DOUBLE_EQ(s->sd_pre, 2.0);
  EXPECT_DOUBLE_EQ(s->m_post, 5.0);
  EXPECT_DOUBLE_EQ(s->sd_post, std::sqrt(7.0));
  EXPECT_NEAR(s->r12, 10.0 / std::sqrt(8.0 * 14.0), 1e-15);
}

TEST(RciVariants, TooFewPairsOrNoVariationIsAFailedPrecondition) {
  const std::vector<double> one = {1.0, kMissing};
  const std::vector<double> other = {2.0, 3.0};
  EXPECT_EQ(complete_case_statistics(one, other).error().code(), StatusCode::kFailedPrecondition);
  const std::vector<double> flat = {4.0, 4.0, 4.0};
  const std::vector<double> post = {1.0, 2.0, 3.0};
  EXPECT_EQ(complete_case_statistics(flat, post).error().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(complete_case_statistics(flat, other).error().code(), StatusCode::kInvalidArgument);
}

TEST(RciVariants, MethodAndCutoffCodesRoundTrip) {
  for (const RciMethod m :
       {RciMethod::kJacobsonTruax, RciMethod::kGulliksenLordNovick, RciMethod::kHsuLinnLord,
        RciMethod::kEdwardsNunnally, RciMethod::kNunnallyKotsch, RciMethod::kHagemanArrindell}) {
    EXPECT_EQ(parse_method(method_code(m)), m);
  }
  for (const CutoffType c : {CutoffType::kA, CutoffType::kB, CutoffType::kC}) {
    EXPECT_EQ(parse_cutoff(cutoff_code(c)), c);
  }
  EXPECT_FALSE(parse_method("HLM").has_value());
  EXPECT_FALSE(parse_cutoff("d").has_value());
}

// --- Peer: MDMA 1.1.0 rci() ---------------------------------------------------------------

TEST(MdmaPeer, RciUsesTheSdOfEveryNonMissingPreScore) {
  // MDMA divides by sqrt(2 sd(x1, na.rm = TRUE)^2 (1 - r)): the SD includes the pre score of
  // c295, who has no post (292 pre scores, not the 291 complete pairs).
  const CsvTable input = CsvTable::read(peer_file("case1-prepost.csv"));
  const CsvTable expected = CsvTable::read(peer_file("case1-mdma-rci-expected.csv"));
  std::vector<double> pre;
  for (std::size_t row = 0; row < input.size(); ++row) {
    pre.push_back(input.number(row, "pre").value_or(kMissing));
  }
  const Moments all_pre = moments(pre);
  EXPECT_EQ(all_pre.n, 292u);
  const JacobsonTruaxIndex index = *JacobsonTruaxIndex::make(all_pre.sd, kPaperReliability);

  ASSERT_EQ(expected.size(), 300u);
  std::size_t compared = 0;
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string id = expected.at(row, "id");
    ASSERT_EQ(input.at(row, "id"), id);
    const PrePost pair{input.number(row, "pre").value_or(kMissing),
                       input.number(row, "post").value_or(kMissing)};
    const double rci = index.index(pair);
    const std::optional<double> want = expected.number(row, "rci_mdma");
    if (!want) {
      EXPECT_TRUE(std::isnan(rci)) << id;
      continue;
    }
    expect_relative(*want, rci, 1e-9, id);
    ++compared;
  }
  EXPECT_EQ(compared, 291u);
  // c002: 1.9139 with MDMA's SD vs 1.9115 with the complete-case SD (README).
  EXPECT_NEAR(index.index({21.0, 26.0}), 1.91391935357147, 1e-12);
}

}  // namespace
}  // namespace tandem::core
