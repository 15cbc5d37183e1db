// Questionnaire instruments as values, and the one generic scorer that serves them all.
// An Instrument is plain data (read from instruments/*.json by src/io); nothing here knows
// about files or JSON. Values, thread-safe to copy; the functions are pure.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::core {

// One answer an item offers: the number it scores and, optionally, its code (LOINC LA-code).
struct AnswerOption {
  int value = 0;
  std::string label;
  std::string code;
};

struct InstrumentItem {
  std::string id;
  // Empty when the wording is not shipped (licensed instruments): the scorer never needs it.
  std::string text;
  std::string code;  // e.g. the item's LOINC code; empty when it has none
  // Reverse-scored: an answer v counts as (lowest + highest option value) - v.
  bool reverse = false;
  // The item's own answers; empty means the instrument's shared `options`.
  std::vector<AnswerOption> options;
};

// Totals min..max (inclusive) get `label`. Bands run contiguously over the integer total
// scale; a fractional total (unrounded proration) takes the last band whose min <= total.
struct SeverityBand {
  double min = 0.0;
  double max = 0.0;
  std::string label;
};

// How a prorated total is rounded: half up (toward +infinity) to the integer scale, or not at all.
enum class ProrateRounding { kHalfUp, kNone };

// Who owns the instrument and whether its wording may be redistributed. Tandem ships only
// definitions whose wording is free; a service that holds a licence loads its own file.
struct Licence {
  std::string holder;
  std::string notice;
  bool wording_redistributable = false;
};

struct Instrument {
  std::string id;  // lower-case, [a-z0-9_-]; also the file stem (phq9.json)
  std::string name;
  std::string version;      // revision of this definition, not of the questionnaire
  std::string code_system;  // e.g. "http://loinc.org"
  std::string panel_code;
  std::string total_code;
  std::string answer_list_code;
  std::string preamble;  // the stem shown above the items; may be empty
  Licence licence;
  Direction direction = Direction::kLowerIsBetter;
  double min_total = 0.0;
  double max_total = 0.0;
  std::vector<AnswerOption> options;
  std::vector<InstrumentItem> items;
  // Missing-item rule: up to max_missing unanswered items are tolerated; the total is then
  // the mean of the answered (scored) items times the number of items, rounded per `rounding`.
  int max_missing = 0;
  bool prorate = false;
  ProrateRounding rounding = ProrateRounding::kHalfUp;
  // First total on the clinical side (inclusive): a case when total >= cutoff for
  // lower-is-better measures, total <= cutoff for higher-is-better ones.
  std::optional<double> caseness_cutoff;
  // Smallest change (in points, inclusive) that counts as reliable under the fixed-threshold rule.
  std::optional<double> reliable_change_threshold;
  std::optional<double> reliability;  // for the Jacobson & Truax RCI, when a source gives one
  std::optional<double> rci_sd;       // SD for the RCI, only when a source gives one
  std::vector<SeverityBand> bands;
  // The item whose endorsement must raise a crisis flag (PHQ-9 item 9), as an index into items,
  // and the lowest answer value that counts as endorsed.
  std::optional<std::size_t> crisis_item;
  int crisis_min_value = 1;
  // Citation for each number that comes from a paper, keyed by the field it supports.
  std::map<std::string, std::string> sources;
};

// The answers item `index` offers (its own, else the instrument's).
const std::vector<AnswerOption>& item_options(const Instrument& instrument, std::size_t index);

// Checks that a definition is coherent: unique ids and codes, answer values in increasing
// order, a range equal to the items' range, bands that cover it without gaps, thresholds
// inside it. The error's field() is the definition's field path, e.g. "bands[2].min".
Status validate(const Instrument& instrument);

struct ScoreResult {
  double total = kMissing;  // NaN when not scorable
  int answered = 0;
  int missing = 0;
  bool prorated = false;
  std::string band;         // empty when not scorable or the instrument has no bands
  Flag crisis = Flag::kNa;  // crisis item endorsed; NA when unanswered or none defined
  std::string evidence;     // how the total was reached, for the clinician
};

// Scores one administration. `responses` holds one value per item in item order; a missing
// answer is kMissing. An answer that is not one of the item's option values (out of range,
// fractional, infinite) is InvalidArgument naming the item id. More than max_missing
// unanswered items is not an error: the result has total = NaN.
Result<ScoreResult> score(const Instrument& instrument, std::span<const double> responses);

// The severity band label for a total; empty when the total is missing or there are no bands.
std::string band_for(const Instrument& instrument, double total);

// Whether a total is at caseness; NA when the total is missing or there is no cut-off.
Flag is_case(const Instrument& instrument, double total);

// Index of the item with this id, if any.
std::optional<std::size_t> find_item(const Instrument& instrument, std::string_view item_id);

}  // namespace tandem::core
