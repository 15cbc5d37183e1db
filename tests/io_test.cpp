#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/series.hpp"
#include "io/csv.hpp"
#include "io/output.hpp"
#include "io/score_table.hpp"

namespace tandem::io {
namespace {

ScoreTable read_text(const std::string& text, ReadOptions options = {}) {
  auto table = read_scores(MappedFile::from_string(text), options);
  EXPECT_TRUE(table.has_value()) << (table ? "" : table.error().message());
  return std::move(*table);
}

std::string error_of(const std::string& text, ReadOptions options = {}) {
  auto table = read_scores(MappedFile::from_string(text), options);
  EXPECT_FALSE(table.has_value());
  return table ? "" : table.error().message();
}

TEST(FieldSplitter, HandlesQuotesEscapesAndEmptyFields) {
  FieldSplitter splitter;
  std::vector<std::string_view> fields;
  ASSERT_TRUE(splitter.split(R"("c001","say ""hi""",,12,"a,b")", fields));
  ASSERT_EQ(fields.size(), 5u);
  EXPECT_EQ(fields[0], "c001");
  EXPECT_EQ(fields[1], "say \"hi\"");
  EXPECT_EQ(fields[2], "");
  EXPECT_EQ(fields[3], "12");
  EXPECT_EQ(fields[4], "a,b");
  EXPECT_FALSE(splitter.split(R"("unclosed,1)", fields));
}

TEST(ParseNumber, ReadsIntegersDecimalsAndMissing) {
  double v = 0;
  EXPECT_EQ(parse_number("17", v), NumberKind::kValue);
  EXPECT_EQ(v, 17.0);
  EXPECT_EQ(parse_number("-3", v), NumberKind::kValue);
  EXPECT_EQ(v, -3.0);
  EXPECT_EQ(parse_number(" 2.5 ", v), NumberKind::kValue);
  EXPECT_EQ(v, 2.5);
  EXPECT_EQ(parse_number("", v), NumberKind::kMissing);
  EXPECT_EQ(parse_number("NA", v), NumberKind::kMissing);
  EXPECT_EQ(parse_number("abc", v), NumberKind::kInvalid);
  EXPECT_EQ(parse_number("12x", v), NumberKind::kInvalid);
  EXPECT_EQ(parse_number("inf", v), NumberKind::kInvalid);
  EXPECT_EQ(parse_number("1e400", v), NumberKind::kInvalid);
}

TEST(ReadScores, WideLayoutTakesColumnsEndingInANumberAsSessions) {
  const ScoreTable table = read_text(
      "\"id\",\"type\",\"s1\",\"s2\",\"s3\"\r\n\"c1\",\"flat\",10,,12\r\n\"c2\",\"x\",NA,5,6\r\n");
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.max_sessions(), 3u);
  EXPECT_EQ(table.id(0), "c1");
  ASSERT_EQ(table.row(0).size(), 3u);
  EXPECT_EQ(table.row(0)[0], 10.0);
  EXPECT_TRUE(core::is_missing(table.row(0)[1]));
  EXPECT_EQ(table.row(0)[2], 12.0);
  EXPECT_TRUE(core::is_missing(table.row(1)[0]));
}

TEST(ReadScores, LongLayoutIsDetectedAndOrderedBySession) {
  const ScoreTable table = read_text("id,session,score\nb,2,7\na,1,3\nb,1,9\nb,4,5\n");
  ASSERT_EQ(table.size(), 2u);
  EXPECT_EQ(table.id(0), "b");
  ASSERT_EQ(table.row(0).size(), 4u);
  EXPECT_EQ(table.row(0)[0], 9.0);
  EXPECT_EQ(table.row(0)[1], 7.0);
  EXPECT_TRUE(core::is_missing(table.row(0)[2]));
  EXPECT_EQ(table.row(0)[3], 5.0);
  EXPECT_EQ(table.id(1), "a");
  EXPECT_EQ(table.row(1).size(), 1u);
}

TEST(ReadScores, BadNumberNamesTheLineAndField) {
  const std::string message = error_of("id,s1,s2\nc1,3,4\nc2,5,five\n");
  EXPECT_NE(message.find(":3:"), std::string::npos) << message;
  EXPECT_NE(message.find("field 's2'"), std::string::npos) << message;
  EXPECT_NE(message.find("'five'"), std::string::npos) << message;
}

TEST(ReadScores, WrongFieldCountNamesTheLine) {
  const std::string message = error_of("id,s1,s2\nc1,3,4\nc2,5\n");
  EXPECT_NE(message.find(":3: expected 3 fields"), std::string::npos) << message;
}

TEST(ReadScores, DuplicateSessionInLongLayoutIsAnError) {
  const std::string message = error_of("id,session,score\na,1,3\na,1,4\n");
  EXPECT_NE(message.find(":3:"), std::string::npos) << message;
  EXPECT_NE(message.find("already has session 1 (line 2)"), std::string::npos) << message;
}

TEST(ReadScores, SessionMustBeAWholeNumberFromOne) {
  EXPECT_NE(error_of("id,session,score\na,0,3\n").find("field 'session'"), std::string::npos);
  EXPECT_NE(error_of("id,session,score\na,1.5,3\n").find("field 'session'"), std::string::npos);
}

TEST(ReadScores, NoSessionColumnsIsAnError) {
  EXPECT_NE(error_of("id,type\nc1,flat\n").find("no session columns"), std::string::npos);
}

TEST(ReadScores, SkipInvalidCountsRowsWithGlobalLineNumbers) {
  ReadOptions options;
  options.skip_invalid = true;
  const ScoreTable table = read_text("id,s1,s2\nc1,3,4\nc2,x,4\nc3,1,2\nc4,1\n", options);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.skipped().rows, 2u);
  ASSERT_EQ(table.skipped().reasons.size(), 2u);
  EXPECT_EQ(table.skipped().reasons[0].rfind("line 3:", 0), 0u) << table.skipped().reasons[0];
  EXPECT_EQ(table.skipped().reasons[1].rfind("line 5:", 0), 0u) << table.skipped().reasons[1];
}

TEST(ReadScores, ParallelPiecesGiveTheSameTableAndLineNumbers) {
  std::string text = "id,s1,s2,s3\n";
  for (int i = 0; i < 20000; ++i)
    text += "c" + std::to_string(i) + "," + std::to_string(i % 28) + ",,7\n";
  ReadOptions one;
  ReadOptions four;
  four.threads = 4;
  const ScoreTable a = read_text(text, one);
  const ScoreTable b = read_text(text, four);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); i += 997) {
    EXPECT_EQ(a.id(i), b.id(i));
    EXPECT_EQ(a.row(i)[0], b.row(i)[0]);
  }
  text += "bad,1,2\n";
  text.insert(text.size() - 2, "x");  // line 20002 gets a bad s3
  const std::string message = error_of(text, four);
  EXPECT_NE(message.find(":20002:"), std::string::npos) << message;
}

TEST(ReadPrePost, UsesPreAndPostColumnsOrFirstAndLastScore) {
  auto named = read_pre_post(MappedFile::from_string("id,pre,post\na,20,10\nb,,5\n"), {});
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(named->pre[0], 20.0);
  EXPECT_TRUE(core::is_missing(named->pre[1]));
  auto wide = read_pre_post(MappedFile::from_string("id,s1,s2,s3\na,,20,12\nb,9,,\n"), {});
  ASSERT_TRUE(wide.has_value());
  EXPECT_EQ(wide->pre[0], 20.0);
  EXPECT_EQ(wide->post[0], 12.0);
  EXPECT_EQ(wide->pre[1], 9.0);
  EXPECT_TRUE(core::is_missing(wide->post[1]));
}

TEST(ReadGoals, GroupsGoalsByClientInOrderOfAppearance) {
  auto goals = read_goals(
      MappedFile::from_string("id,goal,score,weight\ng2,1,2,1\ng1,1,-1,\ng2,2,,3\n"), {});
  ASSERT_TRUE(goals.has_value());
  ASSERT_EQ(goals->ids.size(), 2u);
  EXPECT_EQ(goals->ids[0], "g2");
  EXPECT_EQ(goals->offsets[1], 2u);
  EXPECT_TRUE(core::is_missing(goals->scores[1]));
  EXPECT_TRUE(core::is_missing(goals->weights[2]));
}

TEST(OutputFile, LeavesNoFileWhenNotCommitted) {
  const auto path = std::filesystem::temp_directory_path() / "tandem_io_test_uncommitted.csv";
  std::filesystem::remove(path);
  {
    OutputFile out;
    ASSERT_TRUE(out.open(path.string(), Format::kCsv, {"id", "x"}).is_ok());
    RowBuffer row(Format::kCsv, out.columns());
    row.begin_row();
    row.text("a");
    row.number(1.5);
    row.end_row();
    ASSERT_TRUE(out.write(row).is_ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(OutputFile, WritesCsvAndJsonThatRoundTrip) {
  const auto dir = std::filesystem::temp_directory_path();
  for (Format format : {Format::kCsv, Format::kJson}) {
    const auto path = dir / (format == Format::kCsv ? "tandem_io_test.csv" : "tandem_io_test.json");
    OutputFile out;
    ASSERT_TRUE(out.open(path.string(), format, {"id", "x", "flag"}).is_ok());
    RowBuffer rows(format, out.columns());
    for (int i = 0; i < 2; ++i) {
      rows.begin_row();
      rows.text(i == 0 ? "a,\"b\"" : "c");
      rows.number(i == 0 ? 0.1 : core::kMissing);
      rows.flag(i == 0 ? core::Flag::kYes : core::Flag::kNa);
      rows.end_row();
    }
    ASSERT_TRUE(out.write(rows).is_ok());
    ASSERT_TRUE(out.commit().is_ok());
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (format == Format::kCsv) {
      EXPECT_EQ(text, "id,x,flag\n\"a,\"\"b\"\"\",0.1,1\nc,,\n");
    } else {
      EXPECT_EQ(text,
                "[{\"id\":\"a,\\\"b\\\"\",\"x\":0.1,\"flag\":1},\n{\"id\":\"c\",\"x\":null,"
                "\"flag\":null}]\n");
    }
    std::filesystem::remove(path);
  }
}

}  // namespace
}  // namespace tandem::io
