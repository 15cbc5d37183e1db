// Sudden gains and losses: golden comparison with suddengains 0.7.2 on the peer cases
// (tests/golden/peer-cases, README "How to compare") and hand-worked unit cases.
#include "core/sudden_gains.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/statistics.hpp"
#include "support/csv_table.hpp"

namespace tandem::core {
namespace {

using tandem::testing::CsvTable;
using tandem::testing::peer_file;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr int kSessions = 12;

struct Client {
  std::string id;
  std::vector<double> scores;
};

std::vector<Client> read_wide(const std::string& name) {
  const CsvTable table = CsvTable::read(peer_file(name));
  std::vector<Client> clients;
  for (std::size_t row = 0; row < table.size(); ++row) {
    Client client{table.at(row, "id"), {}};
    for (int s = 1; s <= kSessions; ++s) {
      client.scores.push_back(table.number(row, "s" + std::to_string(s)).value_or(kMissing));
    }
    clients.push_back(std::move(client));
  }
  return clients;
}

const Client& client_by_id(const std::vector<Client>& clients, const std::string& id) {
  for (const Client& client : clients) {
    if (client.id == id) return client;
  }
  throw std::out_of_range("no client " + id);
}

Flag peer_flag(const CsvTable& table, std::size_t row, const std::string& column) {
  const std::optional<double> value = table.number(row, column);
  if (!value) return Flag::kNa;
  return *value == 1.0 ? Flag::kYes : Flag::kNo;
}

const char* name(Flag flag) {
  switch (flag) {
    case Flag::kNa:
      return "NA";
    case Flag::kNo:
      return "0";
    case Flag::kYes:
      return "1";
  }
  return "?";
}

// Config A of case1-params.md: cutoff 6, 25%, critical value adjusted for missing scores.
SuddenGainOptions config_a(ChangeKind kind, bool compat = false) {
  SuddenGainOptions options;
  options.kind = kind;
  options.cutoff = 6.0;
  options.compat_suddengains = compat;
  return options;
}

// Config B: cutoff = define_crit1_cutoff(sd = 5, reliability = .89), fixed 2.776.
SuddenGainOptions config_b(ChangeKind kind, bool compat = false) {
  SuddenGainOptions options = config_a(kind, compat);
  options.cutoff = crit1_cutoff_from_reliability(5.0, 0.89);
  options.adjust_critical_value = false;
  options.critical_value = 2.776;
  return options;
}

using ConfigFn = SuddenGainOptions (*)(ChangeKind, bool);

std::vector<IntervalTest> intervals(std::span<const double> scores,
                                    const SuddenGainOptions& options) {
  std::vector<IntervalTest> out;
  test_intervals(scores, options, out);
  return out;
}

std::vector<SuddenChange> changes(std::span<const double> scores,
                                  const SuddenGainOptions& options) {
  std::vector<SuddenChange> out;
  find_sudden_changes(scores, options, out);
  return out;
}

// Scores for hand-worked cases; NaN = missing.
std::vector<double> series(std::initializer_list<double> values) { return values; }

// --- golden: every client x interval ------------------------------------------------------

struct FlagColumns {
  const char* label;
  ChangeKind kind;
  bool compat;
  const char* crit1;
  const char* crit2;
  const char* crit3;
  const char* sudden;
};

// Losses by default use the symmetric relative criterion (the peer's run with pct = -0.25);
// compat reproduces identify_sl's own pct = 0.25 (S3).
constexpr std::array<FlagColumns, 3> kFlagColumns = {{
    {"gain", ChangeKind::kGain, false, "crit1_sg", "crit2_sg", "crit3_sg", "sudden_gain"},
    {"loss", ChangeKind::kLoss, false, "crit1_sl", "crit2_sl_pctneg", "crit3_sl",
     "sudden_loss_pctneg"},
    {"loss compat", ChangeKind::kLoss, true, "crit1_sl", "crit2_sl", "crit3_sl", "sudden_loss"},
}};

// Headline counts of the peer README: untestable intervals (2->3 .. 10->11) and changes found.
struct IntervalCounts {
  int untestable;
  int gains;
  int losses;
};

void expect_intervals_match(const std::string& file, ConfigFn config, IntervalCounts counts) {
  const std::vector<Client> clients = read_wide("case1-data.csv");
  const CsvTable peer = CsvTable::read(peer_file(file));
  ASSERT_EQ(peer.size(), 2700u);  // 300 clients x intervals 2->3 .. 10->11 (S1)

  for (const FlagColumns& columns : kFlagColumns) {
    const SuddenGainOptions options = config(columns.kind, columns.compat);
    std::vector<std::vector<IntervalTest>> ours;
    ours.reserve(clients.size());
    for (const Client& client : clients) ours.push_back(intervals(client.scores, options));

    int untestable = 0;
    int found = 0;
    for (const std::vector<IntervalTest>& client : ours) {
      for (std::size_t i = 1; i + 1 < client.size(); ++i) {
        untestable += client[i].sudden == Flag::kNa ? 1 : 0;
        found += client[i].sudden == Flag::kYes ? 1 : 0;
      }
    }
    EXPECT_EQ(untestable, counts.untestable) << columns.label;
    EXPECT_EQ(found, columns.kind == ChangeKind::kGain ? counts.gains : counts.losses)
        << columns.label;

    int mismatches = 0;
    std::set<std::pair<std::string, int>> seen;
    for (std::size_t row = 0; row < peer.size(); ++row) {
      const std::string& id = peer.at(row, "id");
      const int pregain = static_cast<int>(*peer.number(row, "pregain_session"));
      ASSERT_EQ(*peer.number(row, "postgain_session"), pregain + 1);
      ASSERT_TRUE(seen.emplace(id, pregain).second) << id << " " << pregain;
      std::size_t index = 0;
      while (index < clients.size() && clients[index].id != id) ++index;
      ASSERT_LT(index, clients.size()) << id;
      const std::vector<IntervalTest>& mine = ours[index];
      ASSERT_EQ(mine.size(), static_cast<std::size_t>(kSessions - 1));
      const IntervalTest& test = mine[static_cast<std::size_t>(pregain - 1)];
      ASSERT_EQ(test.pregain_session, pregain);

      const std::array<std::pair<Flag, const char*>, 4> checks = {{{test.crit1, columns.crit1},
                                                                   {test.crit2, columns.crit2},
                                                                   {test.crit3, columns.crit3},
                                                                   {test.sudden, columns.sudden}}};
      for (const auto& [flag, column] : checks) {
        const Flag expected = peer_flag(peer, row, column);
        if (flag != expected && ++mismatches <= 20) {
          ADD_FAILURE() << file << " " << columns.label << " " << id << " " << pregain << "->"
                        << pregain + 1 << " " << column << ": ours " << name(flag) << ", peer "
                        << name(expected);
        }
      }
    }
    EXPECT_EQ(mismatches, 0) << file << " " << columns.label;
  }
}

TEST(SuddenGainsPeer, ConfigAFlagsMatchSuddengainsForEveryClientAndInterval) {
  expect_intervals_match("case1-suddengains-intervals-cfgA.csv", config_a, {504, 75, 31});
}

TEST(SuddenGainsPeer, ConfigBFlagsMatchSuddengainsForEveryClientAndInterval) {
  EXPECT_NEAR(config_b(ChangeKind::kGain, false).cutoff, 4.596607, 1e-6);
  expect_intervals_match("case1-suddengains-intervals-cfgB.csv", config_b, {504, 85, 37});
}

// suddengains never reports 1->2 and 11->12 (S1); here they exist but criterion 3 has only one
// score on one side there, so they come out NA whatever criteria 1 and 2 say (c289: a drop of
// 9 at 1->2; c288: a drop of 8 at 11->12).
TEST(SuddenGainsPeer, FirstAndLastIntervalsAreNeverTestable) {
  const std::vector<Client> clients = read_wide("case1-data.csv");
  for (ConfigFn config : {config_a, config_b}) {
    for (const FlagColumns& columns : kFlagColumns) {
      const SuddenGainOptions options = config(columns.kind, columns.compat);
      for (const Client& client : clients) {
        const std::vector<IntervalTest> mine = intervals(client.scores, options);
        ASSERT_EQ(mine.size(), 11u);
        for (const IntervalTest& end : {mine.front(), mine.back()}) {
          EXPECT_EQ(end.crit3, Flag::kNa) << client.id << " " << end.pregain_session;
          EXPECT_EQ(end.sudden, Flag::kNa) << client.id << " " << end.pregain_session;
        }
      }
    }
  }
  const SuddenGainOptions gains = config_a(ChangeKind::kGain);
  EXPECT_EQ(intervals(client_by_id(clients, "c289").scores, gains).front().crit1, Flag::kYes);
  EXPECT_EQ(intervals(client_by_id(clients, "c288").scores, gains).back().crit1, Flag::kYes);
}

// --- golden: one row per gain / loss ------------------------------------------------------

bool same_number(double ours, std::optional<double> peer, double tolerance) {
  if (!peer) return std::isnan(ours);
  if (std::isinf(*peer)) return ours == *peer;
  return std::fabs(ours - *peer) <= tolerance;
}

void expect_changes_match(const std::string& file, const SuddenGainOptions& options,
                          std::size_t expected_count) {
  const std::vector<Client> clients = read_wide("case1-data.csv");
  const CsvTable peer = CsvTable::read(peer_file(file));
  ASSERT_EQ(peer.size(), expected_count);

  std::size_t ours_total = 0;
  for (const Client& client : clients) ours_total += changes(client.scores, options).size();
  EXPECT_EQ(ours_total, expected_count) << "extra or missing changes";

  const std::array<const char*, 6> around_columns = {"sg_phq_2n", "sg_phq_1n", "sg_phq_n",
                                                     "sg_phq_n1", "sg_phq_n2", "sg_phq_n3"};
  for (std::size_t row = 0; row < peer.size(); ++row) {
    const std::string& id = peer.at(row, "id");
    const int session = static_cast<int>(*peer.number(row, "sg_session_n"));
    const Client& client = client_by_id(clients, id);
    const std::vector<SuddenChange> found = changes(client.scores, options);
    EXPECT_EQ(static_cast<double>(found.size()), *peer.number(row, "sg_freq_byperson")) << id;
    const SuddenChange* match = nullptr;
    for (const SuddenChange& change : found) {
      if (change.pregain_session == session) match = &change;
    }
    ASSERT_NE(match, nullptr) << id << " " << session << " not found";
    SCOPED_TRACE(id + " session " + std::to_string(session));
    EXPECT_EQ(match->kind, options.kind);
    EXPECT_EQ(match->postgain_session, session + 1);
    for (std::size_t k = 0; k < match->around.size(); ++k) {
      EXPECT_TRUE(same_number(match->around[k], peer.number(row, around_columns[k]), 0.0))
          << around_columns[k] << " ours " << match->around[k];
    }
    EXPECT_EQ(match->pregain_score, match->around[2]);
    EXPECT_EQ(match->postgain_score, match->around[3]);
    EXPECT_EQ(match->magnitude, *peer.number(row, "sg_magnitude"));
    // Treatment change is s1 - s12, the first and last session columns (NA if either is).
    EXPECT_TRUE(same_number(client.scores.front() - client.scores.back(),
                            peer.number(row, "sg_phq_tx_change"), 0.0));
    EXPECT_TRUE(
        same_number(match->change_proportion, peer.number(row, "sg_change_proportion"), 1e-9))
        << "change proportion ours " << match->change_proportion;
    EXPECT_TRUE(same_number(match->reversal_value, peer.number(row, "sg_reversal_value"), 1e-9))
        << "reversal value ours " << match->reversal_value;
    EXPECT_EQ(match->reversal, *peer.logical(row, "sg_reversal"));
  }
}

TEST(SuddenGainsPeer, EveryGainMatchesBysgAndThereAre75) {
  expect_changes_match("case1-suddengains-bysg-cfgA.csv", config_a(ChangeKind::kGain), 75);
}

TEST(SuddenGainsPeer, EveryLossMatchesBysl31InDefaultAndCompatMode) {
  expect_changes_match("case1-suddengains-bysl-cfgA.csv", config_a(ChangeKind::kLoss, false), 31);
  expect_changes_match("case1-suddengains-bysl-cfgA.csv", config_a(ChangeKind::kLoss, true), 31);
}

// S7 in the data: c017 and c184 have s1 = s12 (gain: +Inf; c184's loss: |magnitude| / 0 = +Inf);
// c015 has no s12 (NaN).
TEST(SuddenGainsPeer, ChangeProportionIsInfiniteWithoutTotalChangeAndNaNWithoutLastScore) {
  const std::vector<Client> clients = read_wide("case1-data.csv");
  for (const char* id : {"c017", "c184"}) {
    const auto found = changes(client_by_id(clients, id).scores, config_a(ChangeKind::kGain));
    ASSERT_EQ(found.size(), 1u) << id;
    EXPECT_EQ(found[0].change_proportion, kInf) << id;
  }
  const auto loss = changes(client_by_id(clients, "c184").scores, config_a(ChangeKind::kLoss));
  ASSERT_EQ(loss.size(), 1u);
  EXPECT_EQ(loss[0].change_proportion, kInf);
  const auto no_end = changes(client_by_id(clients, "c015").scores, config_a(ChangeKind::kGain));
  ASSERT_EQ(no_end.size(), 1u);
  EXPECT_TRUE(std::isnan(no_end[0].change_proportion));
}

// --- golden: one change per person ---------------------------------------------------------

struct Selected {
  std::optional<int> session;
  double magnitude = kNaN;
};

Selected select(const std::vector<SuddenChange>& found, Selection selection, bool compat) {
  const std::optional<std::size_t> index = select_one(found, selection, compat);
  if (!index) return {};
  return {found[*index].pregain_session, found[*index].magnitude};
}

Selection selection_named(const std::string& text) {
  if (text == "first") return Selection::kFirst;
  if (text == "last") return Selection::kLast;
  if (text == "smallest") return Selection::kSmallest;
  if (text == "largest") return Selection::kLargest;
  throw std::invalid_argument("selection " + text);
}

Selected peer_selected(const CsvTable& peer, std::size_t row) {
  if (*peer.number(row, "sg_crit123") == 0.0) {
    EXPECT_EQ(*peer.number(row, "sg_freq_byperson"), 0.0);
    return {};
  }
  return {static_cast<int>(*peer.number(row, "sg_session_n")), *peer.number(row, "sg_magnitude")};
}

// Row of the same id (and `identify`, in case 2) with another selection.
std::size_t peer_row(const CsvTable& peer, const std::string& id, const std::string& identify,
                     const std::string& selection) {
  for (std::size_t row = 0; row < peer.size(); ++row) {
    if (peer.at(row, "id") == id && peer.at(row, "selection") == selection &&
        (identify.empty() || peer.at(row, "identify") == identify)) {
      return row;
    }
  }
  throw std::out_of_range(id + " " + selection);
}

// Compares every row; returns the rows (id/selection) where the default (absolute size) choice
// differs from the peer. For losses, the default choice must equal the peer's opposite
// selection: suddengains' "largest" is the smallest loss (S8).
std::set<std::string> expect_byperson(const std::vector<Client>& clients, const CsvTable& peer,
                                      const std::string& identify) {
  const bool loss = identify == "sl";
  std::set<std::string> differing;
  std::size_t rows = 0;
  for (std::size_t row = 0; row < peer.size(); ++row) {
    if (peer.has("identify") && peer.at(row, "identify") != identify) continue;
    ++rows;
    const std::string& id = peer.at(row, "id");
    const std::string& selection_text = peer.at(row, "selection");
    const Selection selection = selection_named(selection_text);
    std::string row_name = id;
    row_name.append(" ").append(selection_text);
    SCOPED_TRACE(row_name);
    const auto found = changes(client_by_id(clients, id).scores,
                               config_a(loss ? ChangeKind::kLoss : ChangeKind::kGain));
    EXPECT_EQ(static_cast<double>(found.size()), *peer.number(row, "sg_freq_byperson"));

    const Selected expected = peer_selected(peer, row);
    const Selected compat = select(found, selection, true);
    EXPECT_EQ(compat.session, expected.session);
    if (expected.session) {
      EXPECT_EQ(compat.magnitude, expected.magnitude);
    }

    const Selected absolute = select(found, selection, false);
    Selected expected_absolute = expected;
    if (loss && (selection == Selection::kSmallest || selection == Selection::kLargest)) {
      const std::string opposite = selection == Selection::kSmallest ? "largest" : "smallest";
      expected_absolute =
          peer_selected(peer, peer_row(peer, id, peer.has("identify") ? identify : "", opposite));
    }
    EXPECT_EQ(absolute.session, expected_absolute.session);
    if (expected_absolute.session) {
      EXPECT_EQ(absolute.magnitude, expected_absolute.magnitude);
    }
    if (absolute.session != expected.session) differing.insert(row_name);
  }
  EXPECT_GT(rows, 0u);
  return differing;
}

TEST(SuddenGainsPeer, Case1OneGainPerPersonMatchesByperson) {
  const std::vector<Client> clients = read_wide("case1-data.csv");
  const CsvTable peer = CsvTable::read(peer_file("case1-suddengains-byperson-sg-cfgA.csv"));
  ASSERT_EQ(peer.size(), 1200u);
  EXPECT_TRUE(expect_byperson(clients, peer, "sg").empty());
}

// Case 1's only client with two losses (c298) has two of -7: the tie goes to the earlier
// session in both modes, so absolute and signed size agree on every case-1 row.
TEST(SuddenGainsPeer, Case1OneLossPerPersonMatchesBypersonInBothModes) {
  const std::vector<Client> clients = read_wide("case1-data.csv");
  const CsvTable peer = CsvTable::read(peer_file("case1-suddengains-byperson-sl-cfgA.csv"));
  ASSERT_EQ(peer.size(), 1200u);
  EXPECT_TRUE(expect_byperson(clients, peer, "sl").empty());
}

// Case 2: m01-m03 two gains (9 after 7, 7 after 10, 7 and 7), m04/m05 two losses of different
// size, m06 one gain and one loss. Compat reproduces the peer everywhere; by default smallest
// and largest of m04 and m05 swap (S8): the largest loss of m04 is -9 at session 7, not -7.
TEST(SuddenGainsPeer, Case2SelectionsMatchPeerAndLossesBySizeDifferOnlyForM04AndM05) {
  const std::vector<Client> clients = read_wide("case2-multi-data.csv");
  const CsvTable peer = CsvTable::read(peer_file("case2-suddengains-byperson-expected.csv"));
  ASSERT_EQ(peer.size(), 48u);
  EXPECT_TRUE(expect_byperson(clients, peer, "sg").empty());
  const std::set<std::string> expected_differences = {"m04 largest", "m04 smallest", "m05 largest",
                                                      "m05 smallest"};
  EXPECT_EQ(expect_byperson(clients, peer, "sl"), expected_differences);

  const auto m04 = changes(client_by_id(clients, "m04").scores, config_a(ChangeKind::kLoss));
  ASSERT_EQ(m04.size(), 2u);
  EXPECT_EQ(m04[*select_one(m04, Selection::kLargest, false)].magnitude, -9.0);
  EXPECT_EQ(m04[*select_one(m04, Selection::kLargest, true)].magnitude, -7.0);
}

// --- hand-worked cases ----------------------------------------------------------------------

// Sessions 1-6: 20 22 21 | 12 11 13, interval 3->4.
//   crit 1: 21 - 12 = 9 >= 7; crit 2: 9 >= 0.25 * 21 = 5.25.
//   crit 3: pre mean 21, squared deviations 1 + 1 + 0 = 2 (SD 1); post mean 12, 1 + 0 + 1 = 2
//   (SD 1); pooled SD = sqrt((2 * 1 + 2 * 1) / (3 + 3 - 2)) = 1; df 4: qt(.975, 4) = 2.776445;
//   21 - 12 = 9 > 2.776445 * 1.
TEST(SuddenGainsUnit, TextbookGainWithAllSixScoresPassesAllThreeCriteria) {
  const std::vector<double> scores = series({20, 22, 21, 12, 11, 13});
  const SuddenGainOptions options;  // Tang & DeRubeis: 7 points, 25%, crit 3 on
  const std::vector<IntervalTest> tests = intervals(scores, options);
  ASSERT_EQ(tests.size(), 5u);
  const IntervalTest& gain = tests[2];
  EXPECT_EQ(gain.pregain_session, 3);
  EXPECT_EQ(gain.crit1, Flag::kYes);
  EXPECT_EQ(gain.crit2, Flag::kYes);
  EXPECT_EQ(gain.crit3, Flag::kYes);
  EXPECT_EQ(gain.sudden, Flag::kYes);
  EXPECT_EQ(tests[1].crit1, Flag::kNo);   // 22 -> 21
  EXPECT_EQ(tests[4].sudden, Flag::kNa);  // 11 -> 13: one postgain score only
  EXPECT_EQ(tests[0].sudden, Flag::kNa);  // 20 -> 22: one pregain score only

  const std::vector<SuddenChange> found = changes(scores, options);
  ASSERT_EQ(found.size(), 1u);
  const SuddenChange& change = found[0];
  EXPECT_EQ(change.kind, ChangeKind::kGain);
  EXPECT_EQ(change.pregain_session, 3);
  EXPECT_EQ(change.postgain_session, 4);
  const std::array<double, 6> around = {20, 22, 21, 12, 11, 13};
  EXPECT_EQ(change.around, around);
  EXPECT_EQ(change.magnitude, 9.0);
  EXPECT_EQ(change.pre_mean, 21.0);
  EXPECT_EQ(change.post_mean, 12.0);
  EXPECT_DOUBLE_EQ(change.change_proportion, 9.0 / (20.0 - 13.0));
  EXPECT_EQ(change.reversal_value, 16.5);
  EXPECT_FALSE(change.reversal);
}

TEST(SuddenGainsUnit, SurroundingScoresRunFromTwoBeforePregainToThreeAfterIt) {
  const std::vector<double> scores = series({20, 22, 21, 21, 12, 11, 13});
  const std::vector<SuddenChange> found = changes(scores, SuddenGainOptions{});
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].pregain_session, 4);
  const std::array<double, 6> expected = {22, 21, 21, 12, 11, 13};
  EXPECT_EQ(found[0].around, expected);
}

// Sessions: - 12 24 | 2 2 5, interval 3->4, one pregain score missing.
//   pre mean 18, squared deviations 36 + 36 = 72; post mean 3, 1 + 1 + 4 = 6;
//   pooled SD = sqrt((72 + 6) / (2 + 3 - 2)) = sqrt(26) = 5.0990; mean shift 15.
//   df 3: 3.182446 * 5.0990 = 16.227 > 15, fails; fixed 2.776 * 5.0990 = 14.155 < 15, passes.
TEST(SuddenGainsUnit, OneMissingPregainScoreUsesTheCriticalValueForThreeDf) {
  const std::vector<double> scores = series({kNaN, 12, 24, 2, 2, 5});
  SuddenGainOptions options;
  const IntervalTest adjusted = intervals(scores, options)[2];
  EXPECT_EQ(adjusted.crit1, Flag::kYes);
  EXPECT_EQ(adjusted.crit2, Flag::kYes);
  EXPECT_EQ(adjusted.crit3, Flag::kNo);
  EXPECT_EQ(adjusted.sudden, Flag::kNo);
  options.adjust_critical_value = false;
  EXPECT_EQ(intervals(scores, options)[2].crit3, Flag::kYes);
  EXPECT_NEAR(crit3_critical_value(3), 3.182446, 5e-7);
}

TEST(SuddenGainsUnit, TabledCriticalValuesAreStudentTQuantiles) {
  EXPECT_NEAR(crit3_critical_value(2), 4.302653, 5e-7);
  EXPECT_NEAR(crit3_critical_value(3), 3.182446, 5e-7);
  EXPECT_NEAR(crit3_critical_value(4), 2.776445, 5e-7);
  for (int df = 2; df <= 6; ++df) {
    EXPECT_NEAR(crit3_critical_value(df), student_t_quantile(0.975, df), 1e-11) << df;
  }
}

TEST(SuddenGainsUnit, CriterionThreeNeedsTwoScoresOnEachSide) {
  // 3->4 with sessions 1 and 2 missing: one pregain score.
  EXPECT_EQ(intervals(series({kNaN, kNaN, 21, 12, 11, 13}), {})[2].crit3, Flag::kNa);
  // One missing on each side: df 2, 4.302653.
  const std::vector<double> both = series({kNaN, 22, 21, 12, kNaN, 13});
  const IntervalTest test = intervals(both, {})[2];
  EXPECT_EQ(test.crit3, Flag::kYes);  // 21.5 - 12.5 = 9 > 4.302653 * sqrt((0.5 + 0.5) / 2)
  // A missing postgain score leaves crit 1 and 2 untestable but crit 3 is still tested (c286).
  const IntervalTest no_post = intervals(series({20, 22, 21, kNaN, 11, 13}), {})[2];
  EXPECT_EQ(no_post.crit1, Flag::kNa);
  EXPECT_EQ(no_post.crit2, Flag::kNa);
  EXPECT_EQ(no_post.crit3, Flag::kYes);
  EXPECT_EQ(no_post.sudden, Flag::kNa);
}

// The combined flag is suddengains' product crit1 * crit2 * crit3, so NA * 0 = NA (S5):
// a fall of 1 fails crit 1 but the interval still reads NA when crit 3 cannot be tested.
TEST(SuddenGainsUnit, UntestableCriterionMakesTheFlagNaEvenWhenAnotherFails) {
  const IntervalTest test = intervals(series({kNaN, 15, 14, 14, 15}), {})[1];
  EXPECT_EQ(test.crit1, Flag::kNo);
  EXPECT_EQ(test.crit3, Flag::kNa);
  EXPECT_EQ(test.sudden, Flag::kNa);
}

// S6 (c284): with constant windows the pooled SD is 0, so any shift passes crit 3 and no shift
// fails it (strict >), as c285 (all zeros) shows; 0 >= 0.25 * 0 passes crit 2 there.
TEST(SuddenGainsUnit, ZeroVarianceLetsAnyShiftPassCriterionThreeButNotNoShift) {
  const IntervalTest drop = intervals(series({20, 20, 20, 13, 13, 13}), {})[2];
  EXPECT_EQ(drop.crit3, Flag::kYes);
  EXPECT_EQ(drop.sudden, Flag::kYes);
  const IntervalTest zeros = intervals(series({0, 0, 0, 0, 0, 0}), {})[2];
  EXPECT_EQ(zeros.crit1, Flag::kNo);
  EXPECT_EQ(zeros.crit2, Flag::kYes);
  EXPECT_EQ(zeros.crit3, Flag::kNo);
  EXPECT_EQ(zeros.sudden, Flag::kNo);
}

// S4: crit 1 and 2 use >= (c281: a fall of exactly 6; c282: 24 -> 18 is exactly 25%; c283:
// 25 -> 19 is 24%); losses likewise (c290: a rise of exactly 6).
TEST(SuddenGainsUnit, ExactTiesAtTheCutoffAndAtTwentyFivePercentPass) {
  const SuddenGainOptions gains = config_a(ChangeKind::kGain);
  const IntervalTest tie = intervals(series({24, 24, 24, 18, 18, 18}), gains)[2];
  EXPECT_EQ(tie.crit1, Flag::kYes);
  EXPECT_EQ(tie.crit2, Flag::kYes);
  EXPECT_EQ(tie.sudden, Flag::kYes);
  const IntervalTest short_of_pct = intervals(series({25, 25, 25, 19, 19, 19}), gains)[2];
  EXPECT_EQ(short_of_pct.crit1, Flag::kYes);
  EXPECT_EQ(short_of_pct.crit2, Flag::kNo);
  EXPECT_EQ(short_of_pct.sudden, Flag::kNo);
  const IntervalTest short_of_cutoff = intervals(series({24, 24, 24, 19, 19, 19}), gains)[2];
  EXPECT_EQ(short_of_cutoff.crit1, Flag::kNo);

  const SuddenGainOptions losses = config_a(ChangeKind::kLoss);
  const IntervalTest loss = intervals(series({8, 8, 8, 14, 14, 14}), losses)[2];
  EXPECT_EQ(loss.crit1, Flag::kYes);
  EXPECT_EQ(loss.crit2, Flag::kYes);
  EXPECT_EQ(loss.sudden, Flag::kYes);
  // A rise of exactly 25% of the pregain score passes the symmetric loss criterion 2.
  const IntervalTest pct_tie = intervals(series({24, 24, 24, 30, 30, 30}), losses)[2];
  EXPECT_EQ(pct_tie.crit2, Flag::kYes);
}

// S3: suddengains' identify_sl tests pre - post <= 0.25 * pre, i.e. post >= 0.75 * pre, which
// any rise (and a small fall) passes; by default a loss needs a rise of >= 25% of the pregain.
TEST(SuddenGainsUnit, LossCriterionTwoIsSymmetricByDefaultAndSuddengainsInCompat) {
  // 20 -> 26: a rise of 6 is 30% of 20 (both pass); 24 -> 30 is 25% (both pass);
  // 26 -> 32 is 23% (default fails, compat passes); 20 -> 18 a fall (default fails, compat
  // passes: 2 <= 5).
  const std::vector<double> scores = series({20, 26, 26, 24, 30, 26, 32, 20, 18});
  const std::vector<IntervalTest> symmetric = intervals(scores, config_a(ChangeKind::kLoss));
  const std::vector<IntervalTest> compat = intervals(scores, config_a(ChangeKind::kLoss, true));
  EXPECT_EQ(symmetric[0].crit2, Flag::kYes);
  EXPECT_EQ(compat[0].crit2, Flag::kYes);
  EXPECT_EQ(symmetric[3].crit2, Flag::kYes);
  EXPECT_EQ(symmetric[5].crit2, Flag::kNo);
  EXPECT_EQ(compat[5].crit2, Flag::kYes);
  EXPECT_EQ(symmetric[7].crit2, Flag::kNo);
  EXPECT_EQ(compat[7].crit2, Flag::kYes);
}

// With higher = better a gain is a rise: the textbook gain mirrored (30 - x) is found the same
// way, with a positive magnitude, and a later fall below the midpoint is a reversal.
TEST(SuddenGainsUnit, HigherIsBetterMirrorsTheCriteria) {
  SuddenGainOptions options;
  options.direction = Direction::kHigherIsBetter;
  const std::vector<double> scores = series({10, 8, 9, 18, 19, 17, 13});
  const IntervalTest rise = intervals(scores, options)[2];
  EXPECT_EQ(rise.crit1, Flag::kYes);  // 18 - 9 = 9 >= 7
  EXPECT_EQ(rise.crit2, Flag::kYes);  // 9 >= 0.25 * 9
  EXPECT_EQ(rise.crit3, Flag::kYes);  // 18 - 9 = 9 > 2.776445 * 1
  EXPECT_EQ(rise.sudden, Flag::kYes);
  const std::vector<SuddenChange> found = changes(scores, options);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].magnitude, 9.0);
  EXPECT_EQ(found[0].reversal_value, 13.5);
  EXPECT_TRUE(found[0].reversal);                                 // 13 < 13.5
  EXPECT_DOUBLE_EQ(found[0].change_proportion, 9.0 / (13 - 10));  // improvement = last - first
  EXPECT_TRUE(intervals(scores, config_a(ChangeKind::kGain))[2].crit1 == Flag::kNo);

  // A fall is a loss when higher is better; magnitude is negative.
  options.kind = ChangeKind::kLoss;
  const std::vector<double> falling = series({20, 22, 21, 12, 11, 13});
  const std::vector<SuddenChange> losses = changes(falling, options);
  ASSERT_EQ(losses.size(), 1u);
  EXPECT_EQ(losses[0].magnitude, -9.0);
  EXPECT_TRUE(changes(scores, options).empty());

  // Relative criterion mirrored: a rise of >= 25% of the pregain score.
  SuddenGainOptions small_cutoff = options;
  small_cutoff.kind = ChangeKind::kGain;
  small_cutoff.cutoff = 1.0;
  EXPECT_EQ(intervals(series({10, 13}), small_cutoff)[0].crit2, Flag::kYes);
  EXPECT_EQ(intervals(series({10, 12}), small_cutoff)[0].crit2, Flag::kNo);
}

// Criteria 1 and 3 only depend on differences, so on all of case 1 mirrored (27 - x) with
// higher = better they must give what the original gives with lower = better.
TEST(SuddenGainsUnit, HigherIsBetterOnMirroredCase1GivesTheSameCriteriaOneAndThree) {
  const std::vector<Client> clients = read_wide("case1-data.csv");
  for (ChangeKind kind : {ChangeKind::kGain, ChangeKind::kLoss}) {
    SuddenGainOptions lower = config_a(kind);
    SuddenGainOptions higher = lower;
    higher.direction = Direction::kHigherIsBetter;
    for (const Client& client : clients) {
      std::vector<double> mirrored;
      for (double score : client.scores) mirrored.push_back(27.0 - score);
      const std::vector<IntervalTest> a = intervals(client.scores, lower);
      const std::vector<IntervalTest> b = intervals(mirrored, higher);
      for (std::size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].crit1, b[i].crit1) << client.id << " " << i;
        EXPECT_EQ(a[i].crit3, b[i].crit3) << client.id << " " << i;
      }
    }
  }
}

TEST(SuddenGainsUnit, Crit1CutoffFromReliabilityIsTheReliableChangeValue) {
  EXPECT_DOUBLE_EQ(crit1_cutoff_from_reliability(5.0, 0.89),
                   1.96 * std::sqrt(2.0) * 5.0 * std::sqrt(0.11));
  EXPECT_NEAR(crit1_cutoff_from_reliability(5.0, 0.89), 4.596607, 5e-7);
  EXPECT_NEAR(crit1_cutoff_from_reliability(5.0, 0.89, 1.959964), 4.596523, 5e-7);
  EXPECT_TRUE(std::isnan(crit1_cutoff_from_reliability(5.0, 1.5)));
  EXPECT_TRUE(std::isnan(crit1_cutoff_from_reliability(-1.0, 0.8)));
}

// Reversal: any score from session n + 2 on (n = pregain) beyond the midpoint of the pregain
// and postgain scores, toward the pregain side; missing scores are skipped.
TEST(SuddenGainsUnit, ReversalIsAnyLaterScoreBackPastTheMidpoint) {
  const SuddenGainOptions options;
  // Midpoint 16.5; session 5 (n + 2) at 17 reverses.
  EXPECT_TRUE(changes(series({20, 22, 21, 12, 17, 11}), options)[0].reversal);
  EXPECT_TRUE(changes(series({20, 22, 21, 12, 11, kNaN, 13, 17}), options)[0].reversal);
  // Exactly at the midpoint is not beyond it.
  EXPECT_FALSE(changes(series({20, 22, 21, 12, 11, 10, 16.5}), options)[0].reversal);
  // Losses: back below the midpoint.
  const auto loss = changes(series({12, 11, 13, 21, 22, 20, 16}), config_a(ChangeKind::kLoss));
  ASSERT_EQ(loss.size(), 1u);
  EXPECT_EQ(loss[0].magnitude, -8.0);
  EXPECT_EQ(loss[0].reversal_value, 17.0);
  EXPECT_TRUE(loss[0].reversal);
}

TEST(SuddenGainsUnit, WithoutCriterionThreeEndsAreTestedUnlessCompat) {
  SuddenGainOptions options;
  options.use_crit3 = false;
  const std::vector<double> scores = series({21, 12, 12, 11, 12, 3});
  const std::vector<IntervalTest> tests = intervals(scores, options);
  EXPECT_EQ(tests.front().crit3, Flag::kNa);
  EXPECT_EQ(tests.front().sudden, Flag::kYes);
  EXPECT_EQ(tests.back().sudden, Flag::kYes);
  EXPECT_EQ(tests[1].sudden, Flag::kNo);
  const std::vector<SuddenChange> found = changes(scores, options);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_TRUE(std::isnan(found[0].around[0]));
  EXPECT_TRUE(std::isnan(found[0].around[1]));
  EXPECT_TRUE(std::isnan(found[1].around[5]));

  options.compat_suddengains = true;  // suddengains never tests 1->2 or (S-1)->S (S1)
  const std::vector<IntervalTest> compat = intervals(scores, options);
  EXPECT_EQ(compat.front().crit1, Flag::kYes);
  EXPECT_EQ(compat.front().sudden, Flag::kNa);
  EXPECT_EQ(compat.back().sudden, Flag::kNa);
  EXPECT_TRUE(changes(scores, options).empty());
}

TEST(SuddenGainsUnit, SeriesShorterThanTwoSessionsHaveNoIntervals) {
  std::vector<IntervalTest> out = {IntervalTest{}};
  test_intervals({}, SuddenGainOptions{}, out);
  EXPECT_TRUE(out.empty());
  const std::vector<double> one = {5.0};
  test_intervals(one, SuddenGainOptions{}, out);
  EXPECT_TRUE(out.empty());
  const IntervalTest two = intervals(series({20, 10}), {})[0];
  EXPECT_EQ(two.crit1, Flag::kYes);
  EXPECT_EQ(two.crit3, Flag::kNa);
  EXPECT_EQ(two.sudden, Flag::kNa);
}

TEST(SuddenGainsUnit, OutputBuffersAreClearedAndReusedWithoutReallocation) {
  const std::vector<double> scores = series({20, 22, 21, 12, 11, 13, 24, 24, 24, 17, 17, 17});
  std::vector<IntervalTest> tests;
  test_intervals(scores, {}, tests);
  const IntervalTest* data = tests.data();
  test_intervals(scores, {}, tests);
  EXPECT_EQ(tests.size(), 11u);
  EXPECT_EQ(tests.data(), data);

  std::vector<SuddenChange> found;
  find_sudden_changes(scores, {}, found);
  ASSERT_EQ(found.size(), 2u);
  const SuddenChange* first = found.data();
  find_sudden_changes(scores, {}, found);
  EXPECT_EQ(found.size(), 2u);
  EXPECT_EQ(found.data(), first);
}

TEST(SuddenGainsUnit, SelectOneBreaksTiesByTheEarliestSession) {
  EXPECT_FALSE(select_one({}, Selection::kFirst, false).has_value());
  // Two gains of 7 (c297): smallest and largest both pick session 3.
  const std::vector<SuddenChange> ties =
      changes(series({24, 24, 24, 17, 17, 17, 17, 10, 10, 10}), config_a(ChangeKind::kGain));
  ASSERT_EQ(ties.size(), 2u);
  for (Selection selection : {Selection::kFirst, Selection::kSmallest, Selection::kLargest}) {
    EXPECT_EQ(ties[*select_one(ties, selection, false)].pregain_session, 3);
  }
  EXPECT_EQ(ties[*select_one(ties, Selection::kLast, false)].pregain_session, 7);
}

TEST(SuddenGainsUnit, ValidateRejectsUnusableOptions) {
  EXPECT_TRUE(validate(SuddenGainOptions{}).is_ok());
  SuddenGainOptions options;
  options.cutoff = 0.0;
  EXPECT_EQ(validate(options).field(), "cutoff");
  options = {};
  options.pct = kNaN;
  EXPECT_EQ(validate(options).field(), "pct");
  options = {};
  options.adjust_critical_value = false;
  options.critical_value = -1.0;
  EXPECT_EQ(validate(options).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace tandem::core
