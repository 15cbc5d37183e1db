#include "core/hlm.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "core/clinical_significance.hpp"
#include "core/reliable_change.hpp"
#include "core/series.hpp"
#include "support/csv_table.hpp"

namespace tandem::core {
namespace {

using tandem::testing::CsvTable;
using tandem::testing::peer_file;

constexpr int kSessions = 12;

// case1-data.csv in the long layout: session k at time k.
struct Case1Long {
  std::vector<std::string> ids;
  std::vector<double> time;
  std::vector<double> score;
  std::vector<std::size_t> offsets{0};
  std::map<std::string, std::size_t> index_of;

  static Case1Long read(double time_shift = 0.0, double time_scale = 1.0) {
    const CsvTable table = CsvTable::read(peer_file("case1-data.csv"));
    Case1Long data;
    for (std::size_t row = 0; row < table.size(); ++row) {
      data.index_of[table.at(row, "id")] = data.ids.size();
      data.ids.push_back(table.at(row, "id"));
      for (int s = 1; s <= kSessions; ++s) {
        data.time.push_back(time_shift + time_scale * s);
        data.score.push_back(table.number(row, "s" + std::to_string(s)).value_or(kMissing));
      }
      data.offsets.push_back(data.score.size());
    }
    return data;
  }

  [[nodiscard]] LongitudinalData view() const { return {time, score, offsets}; }
};

HlmOptions case1_options() {
  HlmOptions options;
  options.cutoff = CutoffType::kC;
  options.functional_mean = 3.0;
  options.functional_sd = 3.0;
  options.rules = clinicalsignificance_rules(Direction::kLowerIsBetter);
  return options;
}

TEST(HlmPeer, RandomSlopeIndexMatchesLme4AndCategoriesMatchClinicalSignificance) {
  // cs_combined(rci_method = "HLM"): lme4 REML, RCI = condval / condsd of the random slope,
  // qnorm(.975); categories with cut-off c from the first scores of the 299 included clients
  // (7.643; the fixed-norm 7.5 gives the same categories here).
  const Case1Long data = Case1Long::read();
  const Result<HlmAnalysis> analysis = analyse_hlm(data.view(), case1_options());
  ASSERT_TRUE(analysis.has_value()) << analysis.error().message();
  EXPECT_EQ(analysis->fit.n_clients, 299u);
  EXPECT_NEAR(analysis->cutoff, 7.643245672422885, 1e-9);

  const CsvTable expected = CsvTable::read(peer_file("case1-clinsig-hlm-expected.csv"));
  ASSERT_EQ(expected.size(), 299u);
  const double crit = two_sided_critical_value();
  double worst = 0.0;
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string id = expected.at(row, "id");
    const std::optional<HlmClient>& client = analysis->clients[data.index_of.at(id)];
    ASSERT_TRUE(client.has_value()) << id;
    EXPECT_EQ(static_cast<double>(client->n), *expected.number(row, "n")) << id;
    EXPECT_EQ(client->pre, *expected.number(row, "pre")) << id;
    EXPECT_EQ(client->post, *expected.number(row, "post")) << id;
    const double want = *expected.number(row, "rci");
    worst = std::max(worst, std::fabs(client->outcome.rci - want) / std::fabs(want));
    EXPECT_LE(std::fabs(client->outcome.rci - want), 1e-4 * std::fabs(want))
        << id << ": expected " << want << ", got " << client->outcome.rci;
    // README: categories may differ only within 1e-3 of the critical value.
    if (std::fabs(std::fabs(want) - crit) > 1e-3) {
      EXPECT_EQ(expected.at(row, "category"), category_name(client->outcome.category)) << id;
    }
  }
  RecordProperty("worst_relative_rci_difference", std::to_string(worst));
}

TEST(HlmPeer, ClientsWithFewerThanThreeScoresAreLeftOut) {
  const Case1Long data = Case1Long::read();
  const Result<HlmAnalysis> analysis = analyse_hlm(data.view(), case1_options());
  ASSERT_TRUE(analysis.has_value());
  EXPECT_FALSE(analysis->clients[data.index_of.at("c295")].has_value());  // one score only
  ASSERT_EQ(analysis->clients.size(), 300u);
}

TEST(HlmPeer, FlatClientInAnImprovingSampleIsDeteriorated) {
  // Quirk C9: the index is the deviation from the average slope. c001 (flat, 18 -> 16) is
  // "Deteriorated" because the sample improves on average (fixed slope < 0).
  const Case1Long data = Case1Long::read();
  const Result<HlmAnalysis> analysis = analyse_hlm(data.view(), case1_options());
  ASSERT_TRUE(analysis.has_value());
  EXPECT_LT(analysis->fit.beta[1], 0.0);
  const HlmClient& c001 = *analysis->clients[data.index_of.at("c001")];
  EXPECT_GT(c001.outcome.rci, two_sided_critical_value());
  EXPECT_EQ(c001.outcome.category, Category::kDeteriorated);
}

TEST(Hlm, IndexDoesNotDependOnWhereTimeStartsOrItsUnit) {
  // Intercept and slope are both random and correlated, so an affine change of time only
  // reparametrises the model: the slope's conditional mode / SD stays the same.
  const Case1Long sessions = Case1Long::read();
  const Case1Long weeks = Case1Long::read(-1.0, 0.5);
  const Result<HlmAnalysis> a = analyse_hlm(sessions.view(), case1_options());
  const Result<HlmAnalysis> b = analyse_hlm(weeks.view(), case1_options());
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  for (std::size_t i = 0; i < a->clients.size(); ++i) {
    if (!a->clients[i]) continue;
    EXPECT_NEAR(a->clients[i]->outcome.rci, b->clients[i]->outcome.rci,
                1e-5 * std::fabs(a->clients[i]->outcome.rci) + 1e-9)
        << sessions.ids[i];
  }
  EXPECT_NEAR(a->fit.sigma, b->fit.sigma, 1e-6);
}

TEST(Hlm, FitHasPositiveVariancesAndAFiniteDeviance) {
  const Case1Long data = Case1Long::read();
  const Result<HlmAnalysis> analysis = analyse_hlm(data.view(), case1_options());
  ASSERT_TRUE(analysis.has_value());
  EXPECT_GT(analysis->fit.var_slope, 0.0);
  EXPECT_GT(analysis->fit.var_intercept, 0.0);
  EXPECT_TRUE(std::isfinite(analysis->fit.reml_deviance));
}

TEST(Hlm, RejectsMalformedInput) {
  const std::vector<double> time = {1.0, 2.0, 3.0};
  const std::vector<double> score = {1.0, 2.0, 3.0};
  const std::vector<std::size_t> bad_offsets = {0, 2};
  EXPECT_EQ(analyse_hlm({time, score, bad_offsets}, case1_options()).error().code(),
            StatusCode::kInvalidArgument);
  const std::vector<std::size_t> one_client = {0, 3};
  EXPECT_EQ(analyse_hlm({time, score, one_client}, case1_options()).error().code(),
            StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tandem::core
