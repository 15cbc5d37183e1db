// End-to-end tests of `tandem analyze`: the real binary on the peer files and on bad
// input, checking outputs, exit codes and that failed runs leave no file behind.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "support/cli_runner.hpp"
#include "support/csv_table.hpp"

namespace tandem {
namespace {

namespace fs = std::filesystem;
using testing::CliTest;
using testing::CsvTable;
using testing::Outcome;
using testing::peer_file;

std::string key(const std::string& id, const std::string& session) { return id + "/" + session; }

TEST_F(CliTest, SuddenGainIntervalsMatchSuddengainsConfigA) {
  const fs::path intervals = dir_ / "intervals.csv";
  const Outcome r = run("analyze sudden-gains " + peer_file("case1-data.csv") +
                        " --cutoff 6 --intervals " + intervals.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CsvTable ours = CsvTable::read(intervals.string());
  const CsvTable peer = CsvTable::read(peer_file("case1-suddengains-intervals-cfgA.csv"));
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    index[key(ours.at(i, "id"), ours.at(i, "pregain_session"))] = i;
  }
  ASSERT_EQ(peer.size(), 2700u);
  for (std::size_t p = 0; p < peer.size(); ++p) {
    const auto it = index.find(key(peer.at(p, "id"), peer.at(p, "pregain_session")));
    ASSERT_NE(it, index.end()) << peer.at(p, "id");
    for (const auto& [mine, theirs] : {std::pair{"crit1", "crit1_sg"},
                                       {"crit2", "crit2_sg"},
                                       {"crit3", "crit3_sg"},
                                       {"sudden", "sudden_gain"}}) {
      EXPECT_EQ(ours.at(it->second, mine), peer.at(p, theirs))
          << peer.at(p, "id") << " " << peer.at(p, "interval") << " " << mine;
    }
  }
  // One row per gain: 75 gains in case 1 (README headline count).
  EXPECT_EQ(CsvTable::parse(r.out).size(), 75u);
}

TEST_F(CliTest, SuddenLossesInCompatModeMatchSuddengainsConfigB) {
  const fs::path intervals = dir_ / "intervals.csv";
  const Outcome r = run("analyze sudden-gains " + peer_file("case1-data.csv") +
                        " --sd 5 --reliability 0.89 --no-adjust --losses --compat suddengains "
                        "--intervals " +
                        intervals.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CsvTable ours = CsvTable::read(intervals.string());
  const CsvTable peer = CsvTable::read(peer_file("case1-suddengains-intervals-cfgB.csv"));
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    index[key(ours.at(i, "id"), ours.at(i, "pregain_session"))] = i;
  }
  for (std::size_t p = 0; p < peer.size(); ++p) {
    const std::size_t i = index.at(key(peer.at(p, "id"), peer.at(p, "pregain_session")));
    EXPECT_EQ(ours.at(i, "crit2"), peer.at(p, "crit2_sl")) << peer.at(p, "id");
    EXPECT_EQ(ours.at(i, "sudden"), peer.at(p, "sudden_loss")) << peer.at(p, "id");
  }
  EXPECT_EQ(CsvTable::parse(r.out).size(), 37u);  // config B: 37 losses
}

TEST_F(CliTest, LongLayoutGivesTheSameGainsAsWide) {
  const CsvTable wide = CsvTable::read(peer_file("case1-data.csv"));
  std::string long_text = "id,session,score\n";
  for (std::size_t i = wide.size(); i-- > 0;) {  // reversed: order must not matter
    for (int s = 12; s >= 1; --s) {
      const std::string value = wide.at(i, "s" + std::to_string(s));
      if (!value.empty())
        long_text += wide.at(i, "id") + "," + std::to_string(s) + "," + value + "\n";
    }
  }
  const fs::path long_file = write("long.csv", long_text);
  const Outcome a = run("analyze sudden-gains " + peer_file("case1-data.csv") + " --cutoff 6");
  const Outcome b = run("analyze sudden-gains " + long_file.string() + " --cutoff 6");
  ASSERT_EQ(a.exit_code, 0);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  const CsvTable ta = CsvTable::parse(a.out);
  const CsvTable tb = CsvTable::parse(b.out);
  ASSERT_EQ(ta.size(), tb.size());
  std::multiset<std::string> sa;
  std::multiset<std::string> sb;
  for (std::size_t i = 0; i < ta.size(); ++i)
    sa.insert(ta.at(i, "id") + ta.at(i, "pregain_session") + ta.at(i, "magnitude"));
  for (std::size_t i = 0; i < tb.size(); ++i)
    sb.insert(tb.at(i, "id") + tb.at(i, "pregain_session") + tb.at(i, "magnitude"));
  EXPECT_EQ(sa, sb);
}

TEST_F(CliTest, ReliableChangeMatchesClinicalsignificanceApiForEveryMethod) {
  const CsvTable peer = CsvTable::read(peer_file("case1-clinsig-api-expected.csv"));
  for (const std::string method : {"JT", "GLN", "HLL", "EN", "NK", "HA"}) {
    for (const std::string cutoff : {"a", "b", "c"}) {
      std::string lower = method;
      for (char& c : lower) c = static_cast<char>(std::tolower(c));
      const Outcome r =
          run("analyze reliable-change " + peer_file("case1-prepost.csv") +
              " --reliability 0.89 --sample-sd --method " + lower + " --cutoff " + cutoff +
              " --functional-mean 3 --functional-sd 3 --compat clinicalsignificance");
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const CsvTable ours = CsvTable::parse(r.out);
      std::map<std::string, std::size_t> index;
      for (std::size_t i = 0; i < ours.size(); ++i) index[ours.at(i, "id")] = i;
      int compared = 0;
      for (std::size_t p = 0; p < peer.size(); ++p) {
        if (peer.at(p, "method") != method || peer.at(p, "cutoff_type") != cutoff) continue;
        const std::size_t i = index.at(peer.at(p, "id"));
        const double expected = *peer.number(p, "rci");
        EXPECT_NEAR(*ours.number(i, "rci"), expected, 1e-9 * std::max(1.0, std::fabs(expected)))
            << method << cutoff << peer.at(p, "id");
        std::string category = peer.at(p, "category");
        for (char& c : category) c = static_cast<char>(std::tolower(c));
        EXPECT_EQ(ours.at(i, "category"), category) << method << cutoff << peer.at(p, "id");
        ++compared;
      }
      EXPECT_EQ(compared, 291) << method << cutoff;
    }
  }
}

TEST_F(CliTest, ReliableChangeWithFixedNormsMatchesThePeersInternals) {
  const CsvTable peer = CsvTable::read(peer_file("case1-clinsig-fixednorms-expected.csv"));
  const Outcome r = run("analyze reliable-change " + peer_file("case1-prepost.csv") +
                        " --reliability 0.89 --sd 5 --clinical-mean 15 --clinical-sd 5 "
                        "--functional-mean 3 --functional-sd 3 --cutoff c --critical-value 1.96 "
                        "--compat clinicalsignificance");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CsvTable ours = CsvTable::parse(r.out);
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < ours.size(); ++i) index[ours.at(i, "id")] = i;
  std::map<std::string, int> counts;
  for (std::size_t p = 0; p < peer.size(); ++p) {
    if (peer.at(p, "cutoff_type") != "c" || peer.at(p, "critical_value") != "1.96") continue;
    const std::size_t i = index.at(peer.at(p, "id"));
    EXPECT_NEAR(*ours.number(i, "rci"), *peer.number(p, "rci"), 1e-9);
    EXPECT_NEAR(*ours.number(i, "s_diff"), *peer.number(p, "s_diff"), 1e-12);
    EXPECT_EQ(*ours.number(i, "cutoff"), 7.5);
    ++counts[ours.at(i, "category")];
  }
  EXPECT_EQ(counts["recovered"] + counts["improved"] + counts["unchanged"] +
                counts["deteriorated"] + counts["harmed"],
            291);
}

TEST_F(CliTest, GasMatchesGasr) {
  const CsvTable peer = CsvTable::read(peer_file("case1-gasr-tscore-expected.csv"));
  const Outcome weighted = run("analyze gas " + peer_file("case1-gas-data.csv"));
  const Outcome unweighted =
      run("analyze gas " + peer_file("case1-gas-data.csv") + " --unweighted --rho 0.5");
  ASSERT_EQ(weighted.exit_code, 0) << weighted.err;
  ASSERT_EQ(unweighted.exit_code, 0) << unweighted.err;
  const CsvTable w = CsvTable::parse(weighted.out);
  const CsvTable u = CsvTable::parse(unweighted.out);
  ASSERT_EQ(w.size(), peer.size());
  for (std::size_t p = 0; p < peer.size(); ++p) {
    ASSERT_EQ(w.at(p, "id"), peer.at(p, "id"));
    EXPECT_EQ(w.at(p, "n_goals"), peer.at(p, "n_goals"));
    const auto expected_w = peer.number(p, "t_weighted_rho03");
    const auto expected_u = peer.number(p, "t_unweighted_rho05");
    if (!expected_w) {
      EXPECT_EQ(w.at(p, "t_score"), "") << peer.at(p, "id");
    } else {
      EXPECT_NEAR(*w.number(p, "t_score"), *expected_w, 1e-12 * *expected_w) << peer.at(p, "id");
    }
    if (expected_u) {
      EXPECT_NEAR(*u.number(p, "t_score"), *expected_u, 1e-12 * *expected_u);
    }
  }
}

TEST_F(CliTest, BadNumberStopsWithFileLineFieldAndLeavesNoOutput) {
  const fs::path input = write("bad.csv", "id,s1,s2,s3\nc1,10,9,8\nc2,12,twelve,3\n");
  const fs::path out = dir_ / "out.csv";
  const Outcome r =
      run("analyze sudden-gains " + input.string() + " --cutoff 6 --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.csv:3: field 's2': 'twelve' is not a number"), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(fs::is_empty(dir_ / "stdout") || r.out.empty());
  // No stray temporary file either.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find("out.csv"), std::string::npos) << entry.path();
  }
}

TEST_F(CliTest, SkipInvalidReportsSkippedRowsAndCarriesOn) {
  const fs::path input =
      write("bad.csv", "id,s1,s2,s3,s4,s5,s6\nc1,20,20,20,10,10,10\nc2,x,1,1,1,1,1\n");
  const Outcome r = run("analyze sudden-gains " + input.string() + " --cutoff 6 --skip-invalid");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("skipped 1 invalid row"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line 3"), std::string::npos) << r.err;
  EXPECT_EQ(CsvTable::parse(r.out).size(), 1u);
}

TEST_F(CliTest, MissingCutoffIsAUsageErrorThatSaysWhatToGive) {
  const Outcome r = run("analyze sudden-gains " + peer_file("case1-data.csv"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--cutoff"), std::string::npos) << r.err;
}

TEST_F(CliTest, MissingInputFileIsExitTwo) {
  const Outcome r = run("analyze gas " + (dir_ / "nope.csv").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("nope.csv"), std::string::npos);
}

TEST_F(CliTest, UnknownOptionIsExitTwo) {
  EXPECT_EQ(run("analyze gas x.csv --frobnicate").exit_code, 2);
}

TEST_F(CliTest, JsonOutputIsAnArrayOfObjects) {
  const Outcome r = run("analyze sudden-gains " + peer_file("case1-data.csv") +
                        " --cutoff 6 --format json --select largest");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  ASSERT_TRUE(json.is_array());
  EXPECT_EQ(json.size(), 67u);  // 67 clients with a gain in case 1
  EXPECT_EQ(json[0]["kind"], "gain");
  EXPECT_TRUE(json[0]["magnitude"].is_number());
  EXPECT_TRUE(json[0]["reversal"].is_boolean());
}

TEST_F(CliTest, ProfileGivesOneRowPerClientWithTheInstrumentsRules) {
  const Outcome r = run("analyze profile " + peer_file("case1-data.csv") + " --instrument phq9");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const CsvTable t = CsvTable::parse(r.out);
  ASSERT_EQ(t.size(), 300u);
  // c281: 18 -> 12, a drop of exactly 6 = the PHQ-9 reliable change threshold.
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t.at(i, "id") != "c281") continue;
    EXPECT_EQ(t.at(i, "change"), "-6");
    EXPECT_EQ(t.at(i, "reliable_change"), "improved");
    EXPECT_EQ(t.at(i, "case_first"), "1");
    EXPECT_EQ(t.at(i, "case_last"), "1");
    EXPECT_EQ(t.at(i, "recovered"), "0");
    EXPECT_EQ(t.at(i, "sudden_gains"), "1");
    EXPECT_EQ(t.at(i, "first_gain_session"), "4");
  }
}

TEST_F(CliTest, ProfileRejectsAMalformedInstrumentNamingTheField) {
  const fs::path bad = write("bad.json", R"({"format": "tandem-instrument/1", "id": 3})");
  const Outcome r =
      run("analyze profile " + peer_file("case1-data.csv") + " --instrument " + bad.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace tandem
