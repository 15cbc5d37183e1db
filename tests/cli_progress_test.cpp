// End-to-end tests of the progress-intelligence commands: profile --episodes against
// the golden episodes, its errors, profile of score files, and evaluate-alerts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "support/cli_runner.hpp"
#include "support/csv_table.hpp"

namespace tandem {
namespace {

using testing::CliTest;
using testing::CsvTable;
using testing::Outcome;

const std::string kGolden = std::string(TANDEM_GOLDEN_DIR) + "/episodes/";

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

TEST_F(CliTest, EpisodeProfilesMatchTheGoldenFile) {
  const Outcome r = run("analyze profile --episodes " + kGolden + "episodes.jsonl");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto ours = json_lines(r.out);
  const auto expected = json_lines(testing::slurp(kGolden + "expected.jsonl"));
  ASSERT_EQ(ours.size(), expected.size());
  ASSERT_GE(ours.size(), 20u);
  for (std::size_t i = 0; i < ours.size(); ++i) {
    const auto& e = expected[i];
    EXPECT_EQ(ours[i]["id"], e["id"]);
    EXPECT_EQ(ours[i]["dimensions"], e["dimensions"]) << e["id"];
    EXPECT_EQ(ours[i]["patterns"], e["patterns"]) << e["id"];
    ASSERT_EQ(ours[i]["signals"].size(), e["signals"].size()) << e["id"];
    for (std::size_t s = 0; s < e["signals"].size(); ++s) {
      EXPECT_EQ(ours[i]["signals"][s]["type"], e["signals"][s]["type"]) << e["id"];
      EXPECT_EQ(ours[i]["signals"][s]["session"], e["signals"][s]["session"]) << e["id"];
      EXPECT_FALSE(ours[i]["signals"][s]["reason"].get<std::string>().empty());
    }
    // Every pattern carries its evidence: the rule and the numbers.
    for (const auto& pattern : ours[i]["patterns"]) {
      const auto& evidence = ours[i]["evidence"]["patterns"][pattern.get<std::string>()];
      EXPECT_FALSE(evidence["rule"].get<std::string>().empty()) << e["id"] << " " << pattern;
    }
  }
}

TEST_F(CliTest, EpisodeTextsAreFilledAndKind) {
  const Outcome r = run("analyze profile --episodes " + kGolden + "episodes.jsonl --texts " +
                        std::string(TANDEM_SOURCE_DIR) + "/texts/en.json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int sentences = 0;
  for (const auto& profile : json_lines(r.out)) {
    for (const auto& [name, text] : profile["texts"]["patterns"].items()) {
      const std::string client = text["client"];
      EXPECT_FALSE(client.empty()) << name;
      EXPECT_EQ(client.find('{'), std::string::npos) << "unfilled placeholder: " << client;
      EXPECT_EQ(client.find("fail"), std::string::npos) << client;
      ++sentences;
    }
    for (const auto& signal : profile["texts"]["signals"]) {
      EXPECT_EQ(signal["therapist"].get<std::string>().find('{'), std::string::npos)
          << signal["therapist"];
    }
  }
  EXPECT_GT(sentences, 20);
}

TEST_F(CliTest, BadEpisodeLineNamesTheLineAndFieldAndWritesNothing) {
  const auto input = write(
      "episodes.jsonl",
      R"({"id":"a","instrument":"phq9","sessions":[{"n":1,"date":"2026-01-05","attendance":"attended","score":12}]})"
      "\n"
      R"({"id":"b","instrument":"phq9","sessions":[{"n":1,"date":"2026-02-30","attendance":"attended"}]})"
      "\n");
  const auto out = dir_ / "profiles.jsonl";
  const Outcome r = run("analyze profile --episodes " + input.string() + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("episodes.jsonl:2: sessions[0].date"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(CliTest, EpisodeWithAnUnknownGoalIsRejected) {
  const auto input = write(
      "episodes.jsonl",
      R"({"id":"a","instrument":"phq9","goals":[{"id":"sleep","scale":"gbo"}],"sessions":[{"n":1,"date":"2026-01-05","attendance":"attended","goals":{"walks":{"client":4}}}]})"
      "\n");
  const Outcome r = run("analyze profile --episodes " + input.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(":1: sessions[0].goals.walks"), std::string::npos) << r.err;
}

TEST_F(CliTest, ScoreFileProfileCarriesPatternsAndSignals) {
  const Outcome r = run("analyze profile " + testing::peer_file("case1-data.csv") +
                        " --instrument phq9 --columns id,patterns,signals");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CsvTable t = CsvTable::parse(r.out);
  ASSERT_EQ(t.size(), 300u);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.at(i, "id") == "c284") {  // 20 x5 then 13 x7: a sudden gain on zero variance
      EXPECT_NE(t.at(i, "patterns").find("sudden-gain"), std::string::npos) << t.at(i, "patterns");
      EXPECT_NE(t.at(i, "patterns").find("improving"), std::string::npos);
    }
    // A score file says nothing about reviews: never review-due.
    EXPECT_EQ(t.at(i, "signals").find("review-due"), std::string::npos);
  }
}

TEST_F(CliTest, EvaluateAlertsIsDeterministicAndExportsBandsThatProfileReads) {
  // A small reference built from case 1's complete episodes, repeated to reach the
  // minimum stratum sizes (fictional data either way).
  const CsvTable data = CsvTable::read(testing::peer_file("case1-data.csv"));
  std::string reference = "id,session,score\n";
  for (int copy = 0; copy < 4; ++copy) {
    for (std::size_t i = 0; i < data.size(); ++i) {
      for (int s = 1; s <= 12; ++s) {
        const std::string v = data.at(i, "s" + std::to_string(s));
        if (!v.empty()) {
          reference += data.at(i, "id") + "_" + std::to_string(copy) + "," + std::to_string(s) +
                       "," + v + "\n";
        }
      }
    }
  }
  const auto ref = write("reference.csv", reference);
  const auto bands = dir_ / "bands.csv";
  const Outcome a = run("evaluate-alerts " + ref.string() +
                        " --holdout 0.3 --seed 7 --export-bands " + bands.string());
  const Outcome b = run("evaluate-alerts " + ref.string() + " --holdout 0.3 --seed 7");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  const CsvTable figures = CsvTable::parse(a.out);
  ASSERT_EQ(figures.size(), 2u);
  EXPECT_EQ(figures.at(0, "predictor"), "not-on-track");
  EXPECT_EQ(figures.at(1, "predictor"), "no-improvement-since-intake");
  const double tp = *figures.number(0, "true_positives");
  const double fn = *figures.number(0, "false_negatives");
  EXPECT_NEAR(*figures.number(0, "sensitivity"), tp / (tp + fn), 1e-12);
  ASSERT_TRUE(std::filesystem::exists(bands));
  const Outcome profile =
      run("analyze profile " + testing::peer_file("case1-data.csv") +
          " --instrument phq9 --reference " + bands.string() + " --columns id,signals");
  ASSERT_EQ(profile.exit_code, 0) << profile.err;
  EXPECT_NE(profile.out.find("not-on-track@"), std::string::npos);
}

TEST_F(CliTest, LongFileWithEpisodeColumnsGivesEverySignalWithItsReason) {
  const auto input = write("episodes.csv",
                           "id,session,date,attendance,score,item9,felt_hard,alliance,"
                           "gbo:sleep:client,gbo:sleep:therapist,moments\n"
                           "demo-a,1,2026-09-01,attended,18,0,0,8,2,2,\n"
                           "demo-a,3,2026-09-15,attended,15,1,0,8,4,4,laughed/client\n"
                           "demo-a,2,2026-09-08,attended,17,0,1,5,3,6,\n"
                           "demo-b,1,2026-09-02,attended,14,0,0,9,5,5,\n"
                           "demo-b,2,2026-09-09,dna,,,,,,,\n");
  const Outcome r = run("analyze profile " + input.string() +
                        " --instrument phq9 --columns id,n_scores,dimensions,signals");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CsvTable t = CsvTable::parse(r.out);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.at(0, "id"), "demo-a");
  EXPECT_EQ(t.at(0, "n_scores"), "3");
  EXPECT_NE(t.at(0, "dimensions").find("goal:sleep="), std::string::npos);
  EXPECT_NE(t.at(0, "signals").find("crisis@3: item 9 answered 1"), std::string::npos)
      << t.at(0, "signals");
  EXPECT_NE(t.at(0, "signals").find("alliance-rupture@2"), std::string::npos);
  EXPECT_NE(t.at(0, "signals").find("returned-after-hard-session@3"), std::string::npos);
}

TEST_F(CliTest, LongFileEpisodeErrorsNameTheLineAndColumn) {
  const auto input = write("episodes.csv",
                           "id,session,date,attendance,score\n"
                           "demo-a,1,2026-09-01,attended,18\n"
                           "demo-a,2,2026-09-08,came,17\n");
  const Outcome r = run("analyze profile " + input.string() + " --instrument phq9");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("episodes.csv:3: field 'attendance'"), std::string::npos) << r.err;
}

TEST_F(CliTest, ProfileNeedsExactlyOneInput) {
  EXPECT_EQ(run("analyze profile --instrument phq9").exit_code, 2);
  const Outcome both = run("analyze profile " + testing::peer_file("case1-data.csv") +
                           " --episodes " + kGolden + "episodes.jsonl");
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("either INPUT"), std::string::npos);
}

}  // namespace
}  // namespace tandem
