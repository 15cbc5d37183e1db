#include "core/clinical_significance.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/rci_variants.hpp"
#include "core/reliable_change.hpp"
#include "core/series.hpp"
#include "support/csv_table.hpp"

namespace tandem::core {
namespace {

using tandem::testing::CsvTable;
using tandem::testing::peer_file;

constexpr double kReliability = 0.89;  // case1-params.md
constexpr Direction kLower = Direction::kLowerIsBetter;
constexpr Direction kHigher = Direction::kHigherIsBetter;

// case1-params.md: clinical M 15, SD 5; functional M 3, SD 3.
constexpr Norms kCaseNorms{15.0, 5.0, 3.0, 3.0};

// Relative tolerance (peer README, "How to compare"); a tiny absolute floor for exact zeros.
void expect_relative(double expected, double actual, double tolerance, const std::string& what) {
  EXPECT_LE(std::fabs(actual - expected), tolerance * std::fabs(expected) + 1e-15)
      << what << ": expected " << expected << ", got " << actual;
}

// case1-prepost.csv as columns, in file order.
struct PrePostInput {
  std::vector<std::string> ids;
  std::vector<double> pre;
  std::vector<double> post;
  std::map<std::string, std::size_t> row_of;

  static PrePostInput read() {
    const CsvTable table = CsvTable::read(peer_file("case1-prepost.csv"));
    PrePostInput input;
    for (std::size_t row = 0; row < table.size(); ++row) {
      input.ids.push_back(table.at(row, "id"));
      input.pre.push_back(table.number(row, "pre").value_or(kMissing));
      input.post.push_back(table.number(row, "post").value_or(kMissing));
      input.row_of[input.ids.back()] = row;
    }
    return input;
  }

  [[nodiscard]] ClientList clients() const { return ClientList{ids, pre, post}; }
};

const PrePostInput& case1() {
  static const PrePostInput input = PrePostInput::read();
  return input;
}

// The peers' one-hot logical columns from a category.
void expect_category_columns(const CsvTable& table, std::size_t row, Category category,
                             const std::string& what) {
  EXPECT_EQ(table.logical(row, "recovered"), category == Category::kRecovered) << what;
  EXPECT_EQ(table.logical(row, "improved"), category == Category::kImproved) << what;
  EXPECT_EQ(table.logical(row, "unchanged"), category == Category::kUnchanged) << what;
  EXPECT_EQ(table.logical(row, "deteriorated"), category == Category::kDeteriorated) << what;
  EXPECT_EQ(table.logical(row, "harmed"), category == Category::kHarmed) << what;
}

// --- Cut-offs, hand-worked ----------------------------------------------------------------

TEST(Cutoffs, JacobsonTruaxForLowerIsBetter) {
  // a = 15 - 2 * 5 = 5; b = 3 + 2 * 3 = 9 (paper) / 3 + 2 * 5 = 13 (clinicalsignificance, C3);
  // c = (5 * 3 + 3 * 15) / (5 + 3) = 60 / 8 = 7.5
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(kCaseNorms, CutoffType::kA, kLower), 5.0);
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(kCaseNorms, CutoffType::kB, kLower), 9.0);
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(kCaseNorms, CutoffType::kB, kLower, CutoffBSd::kClinical),
                   13.0);
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(kCaseNorms, CutoffType::kC, kLower), 7.5);
}

TEST(Cutoffs, MirroredForHigherIsBetter) {
  // Clinical M 19, SD 6; functional M 29, SD 5 (an ORS-like scale):
  // a = 19 + 2 * 6 = 31; b = 29 - 2 * 5 = 19 (compat: 29 - 2 * 6 = 17);
  // c = (6 * 29 + 5 * 19) / 11 = 269 / 11 = 24.454545
  const Norms norms{19.0, 6.0, 29.0, 5.0};
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(norms, CutoffType::kA, kHigher), 31.0);
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(norms, CutoffType::kB, kHigher), 19.0);
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(norms, CutoffType::kB, kHigher, CutoffBSd::kClinical),
                   17.0);
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(norms, CutoffType::kC, kHigher), 269.0 / 11.0);
  EXPECT_DOUBLE_EQ(jacobson_truax_cutoff(norms, CutoffType::kC, kLower), 269.0 / 11.0);
}

TEST(Cutoffs, HagemanArrindellTrueScoreCutoffs) {
  // SE = 5 sqrt(.11), SE^2 = 2.75; r1 = (25 - 2.75) / 25 = .89; r0 = (9 - 2.75) / 9 = .694444
  // s1 sqrt(r1) = 4.716991; s0 sqrt(r0) = 3 * 2.5 / 3 = 2.5
  // a = 15 - 2 * 4.716991 = 5.566019; b = 3 + 2 * 2.5 = 8 (compat: 3 + 2 * 4.716991 = 12.433981)
  // c = (4.716991 * 3 + 2.5 * 15) / (4.716991 + 2.5) = 7.156857
  const double se = standard_error_of_measurement(5.0, kReliability);
  EXPECT_NEAR(true_score_reliability(3.0, se), 0.6944444444444444, 1e-12);
  EXPECT_NEAR(hageman_arrindell_cutoff(kCaseNorms, se, CutoffType::kA, kLower), 5.566018867943397,
              1e-12);
  EXPECT_NEAR(hageman_arrindell_cutoff(kCaseNorms, se, CutoffType::kB, kLower), 8.0, 1e-12);
  EXPECT_NEAR(
      hageman_arrindell_cutoff(kCaseNorms, se, CutoffType::kB, kLower, CutoffBSd::kClinical),
      12.433981132056603, 1e-12);
  EXPECT_NEAR(hageman_arrindell_cutoff(kCaseNorms, se, CutoffType::kC, kLower), 7.156857311303066,
              1e-12);
  EXPECT_NEAR(hageman_arrindell_cutoff(kCaseNorms, se, CutoffType::kA, kHigher),
              15.0 + 2.0 * 4.716990566028302, 1e-12);
}

// --- Categories, hand-worked --------------------------------------------------------------

JacobsonTruaxClassifier classifier(CutoffType type, const ClinicalSignificanceRules& rules,
                                   const Norms& norms = kCaseNorms) {
  Result<JacobsonTruaxClassifier> made =
      JacobsonTruaxClassifier::make(norms, kReliability, type, rules);
  EXPECT_TRUE(made.has_value());
  return *made;
}

TEST(Categories, PostExactlyAtTheCutoffIsFunctionalOnlyWhenInclusive) {
  // c291: pre 16, post 5 = cut-off a. RC = -11 / 2.345208 = -4.69: reliably improved.
  // Strict (paper, clinicalsignificance C4): 5 is not below 5 -> improved, not recovered.
  // Inclusive (JTRCI's post <= cut-off): recovered.
  const PrePost c291{16.0, 5.0};
  const auto strict = classifier(CutoffType::kA, jacobson_truax_rules(kLower)).evaluate(c291);
  ASSERT_TRUE(strict.has_value());
  EXPECT_NEAR(strict->rci, -11.0 / 2.345207879911715, 1e-12);
  EXPECT_TRUE(strict->clinical_pre);
  EXPECT_FALSE(strict->functional_post);
  EXPECT_EQ(strict->category, Category::kImproved);

  ClinicalSignificanceRules inclusive = jacobson_truax_rules(kLower);
  inclusive.comparison = Comparison::kInclusive;
  const auto at = classifier(CutoffType::kA, inclusive).evaluate(c291);
  EXPECT_TRUE(at->functional_post);
  EXPECT_EQ(at->category, Category::kRecovered);
}

TEST(Categories, PreExactlyAtTheCutoffIsNotClinical) {
  // Pre 5 = cut-off a, post 0: RC = -5 / 2.345208 = -2.13, reliably improved, post functional.
  // Paper / clinicalsignificance: recovery needs a clinical pre score -> improved.
  // JTRCI does not ask for one -> recovered.
  const PrePost pair{5.0, 0.0};
  const auto paper = classifier(CutoffType::kA, jacobson_truax_rules(kLower)).evaluate(pair);
  EXPECT_FALSE(paper->clinical_pre);
  EXPECT_TRUE(paper->functional_post);
  EXPECT_EQ(paper->category, Category::kImproved);
  const auto jtrci = classifier(CutoffType::kA, jtrci_rules(kLower)).evaluate(pair);
  EXPECT_EQ(jtrci->category, Category::kRecovered);
}

TEST(Categories, HarmedOnlyWithTheClinicalSignificanceRules) {
  // Pre 2, post 10, cut-off c = 7.5: RC = 8 / 2.345208 = 3.41, reliably worse; pre not
  // clinical, post not functional. Paper: deteriorated. clinicalsignificance (C5): harmed.
  const PrePost pair{2.0, 10.0};
  EXPECT_EQ(classifier(CutoffType::kC, jacobson_truax_rules(kLower)).evaluate(pair)->category,
            Category::kDeteriorated);
  EXPECT_EQ(classifier(CutoffType::kC, clinicalsignificance_rules(kLower)).evaluate(pair)->category,
            Category::kHarmed);
  // From a clinical pre score it stays "deteriorated" under both.
  EXPECT_EQ(classifier(CutoffType::kC, clinicalsignificance_rules(kLower))
                .evaluate({12.0, 20.0})
                ->category,
            Category::kDeteriorated);
}

TEST(Categories, NonReliableRecoveryOnlyForJtrciAndRciplot) {
  // Pre 9, post 6, cut-off 7.5: RC = -3 / 2.345208 = -1.28, no reliable change, post
  // functional. Paper: unchanged. JTRCI: "non reliably recovered".
  const PrePost pair{9.0, 6.0};
  EXPECT_EQ(classifier(CutoffType::kC, jacobson_truax_rules(kLower)).evaluate(pair)->category,
            Category::kUnchanged);
  EXPECT_EQ(classifier(CutoffType::kC, jtrci_rules(kLower)).evaluate(pair)->category,
            Category::kNonReliablyRecovered);
  EXPECT_EQ(category_name(Category::kNonReliablyRecovered, CategoryNaming::kJtrci),
            "non reliably recovered");
  EXPECT_EQ(category_name(Category::kNonReliablyRecovered, CategoryNaming::kRciplot),
            "non-reliable recovery");
}

TEST(Categories, HigherIsBetterMirrorsEverything) {
  // Clinical M 19, SD 6; functional M 29, SD 5; r .8: S_diff = sqrt(2) * 6 * sqrt(.2) = 3.794733;
  // c = 24.454545. 15 -> 30: RC = 15 / 3.794733 = 3.95, improved, 15 clinical, 30 functional.
  const Norms norms{19.0, 6.0, 29.0, 5.0};
  const JacobsonTruaxClassifier paper =
      *JacobsonTruaxClassifier::make(norms, 0.8, CutoffType::kC, jacobson_truax_rules(kHigher));
  const auto up = paper.evaluate({15.0, 30.0});
  EXPECT_NEAR(up->rci, 15.0 / (std::sqrt(2.0) * 6.0 * std::sqrt(0.2)), 1e-12);
  EXPECT_EQ(up->change, ReliableChange::kImproved);
  EXPECT_TRUE(up->clinical_pre);
  EXPECT_TRUE(up->functional_post);
  EXPECT_EQ(up->category, Category::kRecovered);
  // 30 -> 15: reliably worse, from a non-clinical pre to a non-functional post.
  const auto down = paper.evaluate({30.0, 15.0});
  EXPECT_EQ(down->change, ReliableChange::kDeteriorated);
  EXPECT_FALSE(down->clinical_pre);
  EXPECT_FALSE(down->functional_post);
  EXPECT_EQ(down->category, Category::kDeteriorated);
  const JacobsonTruaxClassifier compat = *JacobsonTruaxClassifier::make(
      norms, 0.8, CutoffType::kC, clinicalsignificance_rules(kHigher));
  EXPECT_EQ(compat.evaluate({30.0, 15.0})->category, Category::kHarmed);
  // 20 -> 24: RC = 1.05, no reliable change, still below c.
  EXPECT_EQ(paper.evaluate({20.0, 24.0})->category, Category::kUnchanged);
}

TEST(Categories, MissingPreOrPostGivesNoResult) {
  const JacobsonTruaxClassifier c = classifier(CutoffType::kC, clinicalsignificance_rules(kLower));
  EXPECT_FALSE(c.evaluate({kMissing, 10.0}).has_value());
  EXPECT_FALSE(c.evaluate({10.0, kMissing}).has_value());
  EXPECT_FALSE(c.evaluate({}).has_value());
  EXPECT_FALSE(classify_outcome({10.0, 5.0}, kMissing, 7.5, jacobson_truax_rules(kLower)));
}

TEST(Categories, InvalidNormsAreRejected) {
  Norms bad = kCaseNorms;
  bad.functional_sd = 0.0;
  EXPECT_EQ(
      JacobsonTruaxClassifier::make(bad, kReliability, CutoffType::kC, jacobson_truax_rules(kLower))
          .error()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_FALSE(
      JacobsonTruaxClassifier::make(kCaseNorms, 1.0, CutoffType::kC, jacobson_truax_rules(kLower))
          .has_value());
}

TEST(SampleAnalysis, KeepsInputOrderAndLeavesIncompletePairsEmpty) {
  const std::vector<std::string> ids = {"x1", "x2", "x3", "x4"};
  const std::vector<double> pre = {20.0, kMissing, 15.0, 10.0};
  const std::vector<double> post = {10.0, 12.0, 14.0, 12.0};
  const Result<SampleAnalysis> analysis = analyse_sample(
      {ids, pre, post}, clinicalsignificance_options(RciMethod::kJacobsonTruax, CutoffType::kC, 0.8,
                                                     3.0, 3.0, kLower));
  ASSERT_TRUE(analysis.has_value());
  EXPECT_EQ(analysis->statistics.n_used, 3u);
  ASSERT_EQ(analysis->clients.size(), 4u);
  EXPECT_TRUE(analysis->clients[0].has_value());
  EXPECT_FALSE(analysis->clients[1].has_value());
  EXPECT_NEAR(analysis->clients[0]->rci, -10.0 / analysis->parameters.s_diff, 1e-12);

  const std::vector<std::string> short_ids = {"x1"};
  EXPECT_EQ(analyse_sample({short_ids, pre, post},
                           clinicalsignificance_options(RciMethod::kJacobsonTruax, CutoffType::kC,
                                                        0.8, 3.0, 3.0, kLower))
                .error()
                .code(),
            StatusCode::kInvalidArgument);
}

// --- Peer: clinicalsignificance, fixed norms (internal functions) -------------------------

TEST(ClinicalSignificancePeer, FixedNormsReproduceEveryRowWithTheCompatRules) {
  const CsvTable expected = CsvTable::read(peer_file("case1-clinsig-fixednorms-expected.csv"));
  ASSERT_EQ(expected.size(), 6u * 291u);
  std::map<std::string, int> counts_c;
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string id = expected.at(row, "id");
    const std::string type = expected.at(row, "cutoff_type");
    const std::string what = id + " cutoff " + type + " crit " + expected.at(row, "critical_value");
    ClinicalSignificanceRules rules = clinicalsignificance_rules(kLower);
    rules.critical_value = *expected.number(row, "critical_value");  // 1.96 and qnorm(.975)
    const JacobsonTruaxClassifier c = classifier(*parse_cutoff(type), rules);
    expect_relative(*expected.number(row, "cutoff"), c.cutoff(), 1e-12, what);
    expect_relative(*expected.number(row, "s_diff"), c.index().s_diff(), 1e-12, what);

    const PrePost pair{*expected.number(row, "pre"), *expected.number(row, "post")};
    const std::optional<ClinicalOutcome> outcome = c.evaluate(pair);
    ASSERT_TRUE(outcome.has_value()) << what;
    expect_relative(*expected.number(row, "rci"), outcome->rci, 1e-9, what);
    EXPECT_EQ(expected.logical(row, "clinical_pre"), outcome->clinical_pre) << what;
    EXPECT_EQ(expected.logical(row, "functional_post"), outcome->functional_post) << what;
    expect_category_columns(expected, row, outcome->category, what);
    if (type == "c") ++counts_c[std::string(category_name(outcome->category))];
  }
  // README headline counts for cut-off c over both critical values.
  EXPECT_EQ(counts_c["Recovered"], 126);
  EXPECT_EQ(counts_c["Improved"], 162);
  EXPECT_EQ(counts_c["Unchanged"], 188);
  EXPECT_EQ(counts_c["Deteriorated"], 94);
  EXPECT_EQ(counts_c["Harmed"], 12);
}

TEST(ClinicalSignificancePeer, PaperRulesDifferOnlyInCutoffBAndHarmed) {
  // With the paper's rules, cut-offs a and c give the peer's categories except that "harmed"
  // is "deteriorated"; cut-off b is 9, not 13. c292 (pre 17, post 9 = JT b) is not functional
  // under the strict rule; c005 (post 0 < 9) is recovered under both.
  const CsvTable expected = CsvTable::read(peer_file("case1-clinsig-fixednorms-expected.csv"));
  int b_differences = 0;
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string id = expected.at(row, "id");
    const std::string type = expected.at(row, "cutoff_type");
    const JacobsonTruaxClassifier paper =
        classifier(*parse_cutoff(type), jacobson_truax_rules(kLower));
    const PrePost pair{*expected.number(row, "pre"), *expected.number(row, "post")};
    const ClinicalOutcome outcome = *paper.evaluate(pair);
    Category peer = Category::kUnchanged;
    for (const auto& [column, category] :
         std::array<std::pair<const char*, Category>, 5>{{{"recovered", Category::kRecovered},
                                                          {"improved", Category::kImproved},
                                                          {"unchanged", Category::kUnchanged},
                                                          {"deteriorated", Category::kDeteriorated},
                                                          {"harmed", Category::kHarmed}}}) {
      if (*expected.logical(row, column)) peer = category;
    }
    if (peer == Category::kHarmed) peer = Category::kDeteriorated;
    if (type == "b") {
      EXPECT_DOUBLE_EQ(paper.cutoff(), 9.0);
      if (outcome.category != peer) ++b_differences;
      if (id == "c292") {
        EXPECT_FALSE(outcome.functional_post);
        EXPECT_EQ(outcome.category, Category::kImproved);
      }
    } else {
      EXPECT_EQ(outcome.category, peer) << id << " " << type;
    }
  }
  EXPECT_GT(b_differences, 0);
}

// --- Peer: clinicalsignificance cs_combined(), sample-estimated ----------------------------

TEST(ClinicalSignificancePeer, AllMethodsAndCutoffsFromTheSampleReproduceTheApi) {
  const PrePostInput& input = case1();
  const CsvTable expected = CsvTable::read(peer_file("case1-clinsig-api-expected.csv"));
  const CsvTable params = CsvTable::read(peer_file("case1-clinsig-api-params-used.csv"));
  ASSERT_EQ(params.size(), 18u);
  ASSERT_EQ(expected.size(), 18u * 291u);

  std::map<std::string, SampleAnalysis> runs;
  for (std::size_t row = 0; row < params.size(); ++row) {
    const std::string key = params.at(row, "method") + "/" + params.at(row, "cutoff_type");
    const SampleOptions options = clinicalsignificance_options(
        *parse_method(params.at(row, "method")), *parse_cutoff(params.at(row, "cutoff_type")),
        kReliability, kCaseNorms.functional_mean, kCaseNorms.functional_sd, kLower);
    Result<SampleAnalysis> analysis = analyse_sample(input.clients(), options);
    ASSERT_TRUE(analysis.has_value()) << key << ": " << analysis.error().message();
    const SampleStatistics& s = analysis->statistics;
    const MethodParameters& p = analysis->parameters;
    EXPECT_EQ(static_cast<double>(s.n_original), *params.number(row, "n_original")) << key;
    EXPECT_EQ(static_cast<double>(s.n_used), *params.number(row, "n_used")) << key;
    const std::array<std::pair<const char*, double>, 10> columns = {{
        {"m_pre_sample", s.m_pre},
        {"sd_pre_sample", s.sd_pre},
        {"m_post_sample", s.m_post},
        {"sd_post_sample", s.sd_post},
        {"cutoff", p.cutoff},
        {"critical_value", p.critical_value},
        {"s_diff", p.s_diff},
        {"se_prediction", p.se_prediction},
        {"se_measurement", p.se_measurement},
        {"r_dd", p.r_dd},
    }};
    for (const auto& [column, value] : columns) {
      const std::optional<double> want = params.number(row, column);
      if (want) {
        expect_relative(*want, value, 1e-9, key + " " + column);
      } else {
        EXPECT_TRUE(std::isnan(value)) << key << " " << column << " should be empty";
      }
    }
    runs.emplace(key, std::move(*analysis));
  }

  std::map<std::string, int> rows_per_run;
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string method = expected.at(row, "method");
    const std::string key = method + "/" + expected.at(row, "cutoff_type");
    const std::string id = expected.at(row, "id");
    const std::string what = key + " " + id;
    ++rows_per_run[key];
    const std::size_t input_row = input.row_of.at(id);
    const std::optional<ClinicalOutcome>& outcome = runs.at(key).clients[input_row];
    ASSERT_TRUE(outcome.has_value()) << what;
    EXPECT_EQ(input.pre[input_row], *expected.number(row, "pre")) << what;
    EXPECT_EQ(input.post[input_row], *expected.number(row, "post")) << what;
    expect_relative(*expected.number(row, "rci"), outcome->rci, 1e-9, what);
    expect_category_columns(expected, row, outcome->category, what);
    EXPECT_EQ(expected.at(row, "category"), category_name(outcome->category)) << what;
    if (method == "HA") {
      expect_relative(*expected.number(row, "cs_indiv"), outcome->cs_indiv, 1e-9, what);
      EXPECT_EQ(expected.logical(row, "clinical_post"), outcome->clinical_post) << what;
    } else {
      EXPECT_FALSE(expected.number(row, "cs_indiv").has_value()) << what;
    }
  }
  // Every complete pair is in every run, and only those (C6: c001 ... c295 dropped).
  for (const auto& [key, analysis] : runs) {
    EXPECT_EQ(rows_per_run[key], 291) << key;
    std::size_t evaluated = 0;
    for (const auto& client : analysis.clients) evaluated += client.has_value() ? 1 : 0;
    EXPECT_EQ(evaluated, 291u) << key;
  }
  EXPECT_FALSE(runs.at("JT/a").clients[input.row_of.at("c001")].has_value());
  EXPECT_FALSE(runs.at("JT/a").clients[input.row_of.at("c295")].has_value());
}

// --- Peer: JTRCI 0.1.0 ----------------------------------------------------------------------

TEST(JtrciPeer, CriteriaABCWithInclusiveBoundaries) {
  const PrePostInput& input = case1();
  const CsvTable expected = CsvTable::read(peer_file("case1-jtrci-expected.csv"));
  ASSERT_EQ(expected.size(), 3u * 291u);
  std::map<std::string, SampleAnalysis> runs;
  for (const CutoffType criterion : {CutoffType::kA, CutoffType::kB, CutoffType::kC}) {
    Result<SampleAnalysis> analysis =
        analyse_sample(input.clients(), jtrci_options(criterion, kCaseNorms, kReliability, kLower));
    ASSERT_TRUE(analysis.has_value());
    runs.emplace(std::string(1, static_cast<char>('A' + static_cast<int>(criterion))),
                 std::move(*analysis));
  }
  // A = 15 - 2 * 5 = 5; B = 3 + 2 * 3 = 9 (Jacobson & Truax); C from the sample pre M / SD.
  EXPECT_DOUBLE_EQ(runs.at("A").parameters.cutoff, 5.0);
  EXPECT_DOUBLE_EQ(runs.at("B").parameters.cutoff, 9.0);
  EXPECT_NEAR(runs.at("C").parameters.cutoff, 7.61919921265692, 1e-12);

  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string id = expected.at(row, "ppid");
    const std::string criterion = expected.at(row, "JTcrit");
    const std::string what = id + " criterion " + criterion;
    const SampleAnalysis& run = runs.at(criterion);
    const std::optional<ClinicalOutcome>& outcome = run.clients[input.row_of.at(id)];
    ASSERT_TRUE(outcome.has_value()) << what;
    expect_relative(*expected.number(row, "SEmeasurement"),
                    standard_error_of_measurement(run.statistics.sd_pre, kReliability), 1e-9, what);
    expect_relative(*expected.number(row, "Sdiff"), run.parameters.s_diff, 1e-9, what);
    expect_relative(*expected.number(row, "critval"), run.parameters.cutoff, 1e-9, what);
    expect_relative(*expected.number(row, "RCI"), outcome->rci, 1e-9, what);
    EXPECT_EQ(expected.at(row, "class_JTRCI"),
              category_name(outcome->category, CategoryNaming::kJtrci))
        << what;
    // JTRCI's RCI-only class is strict (< -1.96, > 1.96), unlike its JT class.
    const ReliableChange rci_only =
        *classify_index(outcome->rci, kLower, kJacobsonTruaxCriticalValue, Comparison::kStrict);
    const char* rci_name = rci_only == ReliableChange::kImproved       ? "reliably improved"
                           : rci_only == ReliableChange::kDeteriorated ? "reliably deteriorated"
                                                                       : "no reliable change";
    EXPECT_EQ(expected.at(row, "class_RCI"), rci_name) << what;
  }
  // c291 (post 5 = criterion A): recovered only because JTRCI is inclusive.
  EXPECT_EQ(runs.at("A").clients[input.row_of.at("c291")]->category, Category::kRecovered);
}

// --- Peer: rciplot 0.1.1 --------------------------------------------------------------------

TEST(RciplotPeer, CategoriesAndReliableChangeValue) {
  const PrePostInput& input = case1();
  const CsvTable expected = CsvTable::read(peer_file("case1-rciplot-expected.csv"));
  ASSERT_EQ(expected.size(), 291u);
  const Result<SampleAnalysis> run =
      analyse_sample(input.clients(), rciplot_options(7.5, kReliability, kLower));
  ASSERT_TRUE(run.has_value());
  const double threshold = run->parameters.critical_value * run->parameters.s_diff;
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string id = expected.at(row, "id");
    const std::optional<ClinicalOutcome>& outcome = run->clients[input.row_of.at(id)];
    ASSERT_TRUE(outcome.has_value()) << id;
    expect_relative(*expected.number(row, "reliable_change_threshold"), threshold, 1e-9, id);
    EXPECT_EQ(expected.at(row, "category"),
              category_name(outcome->category, CategoryNaming::kRciplot))
        << id;
  }
}

}  // namespace
}  // namespace tandem::core
