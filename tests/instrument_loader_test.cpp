// The JSON loader: the shipped definitions load with the values the papers give, malformed
// definitions (tests/golden/instruments/malformed, expected errors in expected.csv) fail with
// the file and field path named, and directories and names resolve as documented.
#include "io/instrument_loader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/instrument.hpp"
#include "core/series.hpp"
#include "support/csv_table.hpp"

namespace tandem::io {
namespace {

namespace fs = std::filesystem;
using core::Flag;
using core::Instrument;
using core::Result;
using core::Status;
using core::StatusCode;

const fs::path kShipped = fs::path(TANDEM_SOURCE_DIR) / "instruments";
const fs::path kFixtures = fs::path(TANDEM_GOLDEN_DIR) / "instruments";

Instrument shipped(const std::string& id) {
  Result<Instrument> instrument = load_instrument(kShipped / (id + ".json"));
  EXPECT_TRUE(instrument.has_value()) << (instrument ? "" : instrument.error().message());
  return instrument.value_or(Instrument{});
}

std::vector<std::string> item_codes(const Instrument& instrument) {
  std::vector<std::string> codes;
  for (const core::InstrumentItem& item : instrument.items) codes.push_back(item.code);
  return codes;
}

std::vector<std::string> option_codes(const Instrument& instrument) {
  std::vector<std::string> codes;
  for (const core::AnswerOption& option : instrument.options) codes.push_back(option.code);
  return codes;
}

TEST(ShippedInstruments, Phq9CarriesItsCodesRangeAndRules) {
  const Instrument phq = shipped("phq9");
  EXPECT_EQ(phq.id, "phq9");
  EXPECT_EQ(phq.code_system, "http://loinc.org");
  EXPECT_EQ(phq.panel_code, "44249-1");
  EXPECT_EQ(phq.total_code, "44261-6");
  EXPECT_EQ(phq.answer_list_code, "LL358-3");
  EXPECT_EQ(item_codes(phq),
            (std::vector<std::string>{"44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
                                      "44258-2", "44252-5", "44253-3", "44260-8"}));
  EXPECT_EQ(option_codes(phq),
            (std::vector<std::string>{"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"}));
  EXPECT_EQ(phq.options[2].label, "More than half the days");
  EXPECT_EQ(phq.direction, core::Direction::kLowerIsBetter);
  EXPECT_EQ(phq.min_total, 0);
  EXPECT_EQ(phq.max_total, 27);
  EXPECT_EQ(phq.max_missing, 1);
  EXPECT_TRUE(phq.prorate);
  EXPECT_EQ(phq.rounding, core::ProrateRounding::kHalfUp);
  EXPECT_EQ(phq.caseness_cutoff, 10);
  EXPECT_EQ(phq.reliable_change_threshold, 6);
  EXPECT_EQ(phq.reliability, 0.89);
  EXPECT_FALSE(phq.rci_sd.has_value());  // no citable SD: see docs/methods
  ASSERT_EQ(phq.bands.size(), 5u);
  EXPECT_EQ(phq.bands[3].label, "moderately severe");
  EXPECT_EQ(phq.bands[3].min, 15);
  EXPECT_EQ(phq.crisis_item, std::optional<std::size_t>(8));
  EXPECT_EQ(phq.items[8].id, "phq9_9");
  EXPECT_EQ(phq.crisis_min_value, 1);
  EXPECT_TRUE(phq.licence.wording_redistributable);
  EXPECT_EQ(phq.items[0].text, "Little interest or pleasure in doing things");
  EXPECT_EQ(phq.sources.count("reliability"), 1u);
}

TEST(ShippedInstruments, Gad7CarriesItsCodesRangeAndRules) {
  const Instrument gad = shipped("gad7");
  EXPECT_EQ(gad.panel_code, "69737-5");
  EXPECT_EQ(gad.total_code, "70274-6");
  EXPECT_EQ(item_codes(gad), (std::vector<std::string>{"69725-0", "68509-9", "69733-4", "69734-2",
                                                       "69735-9", "69689-8", "69736-7"}));
  EXPECT_EQ(option_codes(gad),
            (std::vector<std::string>{"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"}));
  EXPECT_EQ(gad.max_total, 21);
  EXPECT_EQ(gad.caseness_cutoff, 8);
  EXPECT_EQ(gad.reliable_change_threshold, 4);
  EXPECT_EQ(gad.reliability, 0.92);
  ASSERT_EQ(gad.bands.size(), 4u);
  EXPECT_EQ(gad.bands[3].min, 15);
  EXPECT_EQ(gad.bands[3].max, 21);
  EXPECT_FALSE(gad.crisis_item.has_value());
  EXPECT_EQ(gad.items[5].text, "Becoming easily annoyed or irritable");
}

TEST(ShippedInstruments, DirectoryHoldsExactlyPhq9AndGad7) {
  Result<std::vector<Instrument>> all = load_instruments(kShipped);
  ASSERT_TRUE(all.has_value()) << all.error().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "gad7");  // sorted by file name
  EXPECT_EQ((*all)[1].id, "phq9");
}

TEST(ShippedInstruments, OnlyRedistributableWordingIsShipped) {
  Result<std::vector<Instrument>> all = load_instruments(kShipped);
  ASSERT_TRUE(all.has_value()) << all.error().message();
  for (const Instrument& instrument : *all) {
    const bool has_text = std::any_of(instrument.items.begin(), instrument.items.end(),
                                      [](const auto& item) { return !item.text.empty(); });
    EXPECT_TRUE(!has_text || instrument.licence.wording_redistributable) << instrument.id;
    EXPECT_FALSE(instrument.licence.notice.empty()) << instrument.id;
  }
}

TEST(ShippedInstruments, FileStemIsTheInstrumentId) {
  for (const auto& entry : fs::directory_iterator(kShipped)) {
    if (entry.path().extension() != ".json" || is_schema_file(entry.path())) continue;
    Result<Instrument> instrument = load_instrument(entry.path());
    ASSERT_TRUE(instrument.has_value()) << instrument.error().message();
    EXPECT_EQ(instrument->id, entry.path().stem().string());
  }
}

TEST(ShippedInstruments, ScoreEndToEnd) {
  const Instrument phq = shipped("phq9");
  const std::vector<double> answers = {2, 2, 1, 2, 1, 1, 1, 0, 1};  // 11
  Result<core::ScoreResult> r = core::score(phq, answers);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->total, 11);
  EXPECT_EQ(r->band, "moderate");
  EXPECT_EQ(r->crisis, Flag::kYes);
  EXPECT_EQ(core::is_case(phq, r->total), Flag::kYes);
}

// --- malformed definitions: one runner over the golden files ---

TEST(MalformedDefinitions, EachFailsWithTheFileAndFieldNamed) {
  const fs::path dir = kFixtures / "malformed";
  const testing::CsvTable expected = testing::CsvTable::read((dir / "expected.csv").string());
  ASSERT_GT(expected.size(), 10u);
  for (std::size_t row = 0; row < expected.size(); ++row) {
    const std::string file = expected.at(row, "file");
    SCOPED_TRACE(file);
    Result<Instrument> result = load_instrument(dir / file);
    ASSERT_FALSE(result.has_value());
    const Status& error = result.error();
    EXPECT_EQ(error.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(error.field(), expected.at(row, "field"));
    const std::string& message = expected.at(row, "message");
    if (expected.at(row, "exact") == "1") {
      EXPECT_EQ(error.message(), message);
    } else {
      EXPECT_EQ(error.message().rfind(message, 0), 0u) << error.message();
    }
  }
}

TEST(MalformedDefinitions, EveryFixtureHasAnExpectedError) {
  const fs::path dir = kFixtures / "malformed";
  const testing::CsvTable expected = testing::CsvTable::read((dir / "expected.csv").string());
  std::set<std::string> listed;
  for (std::size_t row = 0; row < expected.size(); ++row) listed.insert(expected.at(row, "file"));
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    EXPECT_EQ(listed.count(entry.path().filename().string()), 1u) << entry.path();
  }
}

TEST(MalformedDefinitions, DirectoryLoadStopsAtTheFirstBadFileAndNamesIt) {
  Result<std::vector<Instrument>> all = load_instruments(kFixtures / "malformed");
  ASSERT_FALSE(all.has_value());
  EXPECT_EQ(all.error().message().rfind("bad_direction.json: direction:", 0), 0u)
      << all.error().message();
}

// Mutations of the shipped PHQ-9, for errors not worth a file each.
nlohmann::json phq9_json() {
  std::ifstream in(kShipped / "phq9.json");
  return nlohmann::json::parse(in);
}

Status mutated_error(const nlohmann::json& definition) {
  Result<Instrument> result = instrument_from_json(definition, "phq9.json");
  EXPECT_FALSE(result.has_value());
  return result ? Status::ok() : result.error();
}

TEST(MalformedDefinitions, WrongTypesAreNamedByPath) {
  nlohmann::json j = phq9_json();
  j["items"][3]["options"] = "0-3";
  EXPECT_EQ(mutated_error(j).message(),
            "phq9.json: items[3].options: expected an array, got string");

  j = phq9_json();
  j["items"][0]["reverse"] = "yes";
  EXPECT_EQ(mutated_error(j).message(),
            "phq9.json: items[0].reverse: expected true or false, got string");

  j = phq9_json();
  j["range"] = nlohmann::json::array({0, 27});
  EXPECT_EQ(mutated_error(j).message(), "phq9.json: range: expected an object, got array");

  j = phq9_json();
  j["caseness_cutoff"] = "10";
  EXPECT_EQ(mutated_error(j).message(),
            "phq9.json: caseness_cutoff: expected a number, got string");

  j = phq9_json();
  j["sources"]["bands"] = 5;
  EXPECT_EQ(mutated_error(j).message(), "phq9.json: sources.bands: expected a string, got number");

  j = phq9_json();
  j["options"][0]["value"] = 4294967296LL;
  EXPECT_EQ(mutated_error(j).message(),
            "phq9.json: options[0].value: 4294967296 is out of range for an integer");
}

TEST(MalformedDefinitions, UnknownNestedFieldsAreRejected) {
  nlohmann::json j = phq9_json();
  j["items"][2]["txt"] = "typo";
  Status s = mutated_error(j);
  EXPECT_EQ(s.message(), "phq9.json: items[2].txt: unknown field");
  EXPECT_EQ(s.field(), "items[2].txt");
  j = phq9_json();
  j["licence"]["free"] = true;
  EXPECT_EQ(mutated_error(j).message(), "phq9.json: licence.free: unknown field");
}

TEST(MalformedDefinitions, EnumeratedValuesAreChecked) {
  nlohmann::json j = phq9_json();
  j["prorate_rounding"] = "banker";
  EXPECT_EQ(mutated_error(j).message(),
            "phq9.json: prorate_rounding: expected \"half_up\" or \"none\", got \"banker\"");
}

TEST(MalformedDefinitions, CrisisThresholdWithoutACrisisItemIsRejected) {
  nlohmann::json j = phq9_json();
  j.erase("crisis_item");
  EXPECT_EQ(mutated_error(j).message(), "phq9.json: crisis_min_value: given without a crisis_item");
}

TEST(MalformedDefinitions, CoherenceErrorsFromTheCoreAlsoNameTheFile) {
  nlohmann::json j = phq9_json();
  j["bands"][4]["max"] = 26;
  const Status s = mutated_error(j);
  EXPECT_EQ(s.message(),
            "phq9.json: bands[4].max: expected 27 (bands must cover the range up to its max), "
            "got 26");
  EXPECT_EQ(s.field(), "bands[4].max");
}

TEST(MalformedDefinitions, TopLevelMustBeAnObject) {
  EXPECT_EQ(mutated_error(nlohmann::json::array()).message(),
            "phq9.json: expected a JSON object at the top level, got array");
  Result<Instrument> r = parse_instrument("", "empty.json");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message().rfind("empty.json: not valid JSON: ", 0), 0u);
}

// --- valid fixtures: licensed wording, reverse items, per-item answers, schema files ---

TEST(ValidDefinitions, LicensedInstrumentLoadsWithoutItsWording) {
  Result<Instrument> r = load_instrument(kFixtures / "valid" / "licensed_example.json");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_FALSE(r->licence.wording_redistributable);
  for (const core::InstrumentItem& item : r->items) EXPECT_TRUE(item.text.empty());
  EXPECT_EQ(r->direction, core::Direction::kHigherIsBetter);
  const std::vector<double> answers = {5, 6, 4, 7};
  Result<core::ScoreResult> scored = core::score(*r, answers);
  ASSERT_TRUE(scored.has_value());
  EXPECT_EQ(scored->total, 22);
  EXPECT_EQ(core::is_case(*r, 22), Flag::kNo);  // higher is better: a case at or below 20
  EXPECT_EQ(core::is_case(*r, 20), Flag::kYes);
}

TEST(ValidDefinitions, ReverseItemsAndPerItemAnswersComeThrough) {
  Result<Instrument> r = load_instrument(kFixtures / "valid" / "wellbeing_example.json");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r->items[1].reverse);
  ASSERT_EQ(r->items[4].options.size(), 3u);
  EXPECT_EQ(r->items[4].options[2].value, 4);
  EXPECT_EQ(r->rounding, core::ProrateRounding::kNone);
  // w1 4, w2 2 reversed to 4, w3 3, w4 missing, w5 2: 13 * 5 / 4 = 16.25 (unrounded)
  const std::vector<double> answers = {4, 2, 3, core::kMissing, 2};
  Result<core::ScoreResult> scored = core::score(*r, answers);
  ASSERT_TRUE(scored.has_value());
  EXPECT_DOUBLE_EQ(scored->total, 16.25);
  EXPECT_EQ(scored->band, "moderate");
}

TEST(ValidDefinitions, DirectoryLoadSkipsSchemaFiles) {
  Result<std::vector<Instrument>> all = load_instruments(kFixtures / "valid");
  ASSERT_TRUE(all.has_value()) << all.error().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, "licensed_example");
  EXPECT_EQ((*all)[1].id, "wellbeing_example");
}

TEST(InstrumentFiles, SchemaFilesAreRecognisedByName) {
  EXPECT_TRUE(is_schema_file("schema.json"));
  EXPECT_TRUE(is_schema_file("/x/instrument.schema.json"));
  EXPECT_FALSE(is_schema_file("phq9.json"));
  EXPECT_FALSE(is_schema_file(".schema.json.bak"));
}

// A scratch directory removed when the test ends.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            (std::string("tandem-instrument-loader-") + info->name() + "-" +
             std::to_string(std::hash<std::string>{}(fs::current_path().string())));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(InstrumentDirectories, TwoFilesDefiningOneIdAreRejected) {
  ScratchDir dir;
  fs::copy_file(kShipped / "phq9.json", dir.path() / "a_phq9.json");
  fs::copy_file(kShipped / "phq9.json", dir.path() / "b_phq9.json");
  Result<std::vector<Instrument>> all = load_instruments(dir.path());
  ASSERT_FALSE(all.has_value());
  EXPECT_EQ(all.error().message(), "b_phq9.json: id: \"phq9\" is already defined in a_phq9.json");
  EXPECT_EQ(all.error().field(), "id");
}

TEST(InstrumentDirectories, MissingDirectoryIsNotFound) {
  Result<std::vector<Instrument>> all = load_instruments(kFixtures / "no-such-directory");
  ASSERT_FALSE(all.has_value());
  EXPECT_EQ(all.error().code(), StatusCode::kNotFound);
}

TEST(InstrumentDirectories, MissingFileIsNotFound) {
  Result<Instrument> r = load_instrument(kShipped / "ors.json");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);
}

// --- resolve: "phq9" | "gad7" | a path ---

TEST(ResolveInstrument, ByIdInTheInstrumentDirectory) {
  Result<Instrument> phq = resolve_instrument("phq9", kShipped);
  ASSERT_TRUE(phq.has_value()) << phq.error().message();
  EXPECT_EQ(phq->id, "phq9");
  Result<Instrument> gad = resolve_instrument("gad7", kShipped);
  ASSERT_TRUE(gad.has_value()) << gad.error().message();
  EXPECT_EQ(gad->id, "gad7");
}

TEST(ResolveInstrument, PublishedSpellingsFindTheSameFile) {
  for (const char* name : {"PHQ-9", "Phq9", "phq_9"}) {
    Result<Instrument> r = resolve_instrument(name, kShipped);
    ASSERT_TRUE(r.has_value()) << name << ": " << r.error().message();
    EXPECT_EQ(r->id, "phq9");
  }
  Result<Instrument> gad = resolve_instrument("GAD-7", kShipped);
  ASSERT_TRUE(gad.has_value());
  EXPECT_EQ(gad->id, "gad7");
}

TEST(ResolveInstrument, ByPath) {
  const fs::path file = kFixtures / "valid" / "licensed_example.json";
  Result<Instrument> r = resolve_instrument(file.string(), kShipped);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->id, "licensed_example");
}

TEST(ResolveInstrument, UnknownNameListsWhatIsAvailable) {
  Result<Instrument> r = resolve_instrument("ors", kShipped);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.error().message(), "unknown instrument \"ors\": no ors.json in " + kShipped.string() +
                                     " (available: gad7, phq9)");
}

}  // namespace
}  // namespace tandem::io
