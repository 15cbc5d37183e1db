#include "core/instrument.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <utility>

namespace tandem::core {
namespace {

// Bounds that keep every integer sum in scoring far inside int64 (1000 items * 1e6 * 1000).
constexpr std::size_t kMaxItems = 1000;
constexpr std::size_t kMaxOptions = 1000;
constexpr int kMaxAnswerMagnitude = 1000000;

std::string number_text(double value) {
  if (std::isnan(value)) return "missing";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  std::ostringstream out;
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    out << static_cast<std::int64_t>(value);
  } else {
    out.precision(10);
    out << value;
  }
  return out.str();
}

std::string indexed(const std::string& path, std::size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Status invalid(const std::string& field, const std::string& problem) {
  return Status::invalid_argument(field + ": " + problem, field);
}

bool valid_instrument_id(const std::string& id) {
  if (id.empty()) return false;
  const auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  };
  const bool first_ok = (id[0] >= 'a' && id[0] <= 'z') || (id[0] >= '0' && id[0] <= '9');
  return first_ok && std::all_of(id.begin(), id.end(), allowed);
}

Status check_options(const std::vector<AnswerOption>& options, const std::string& path) {
  if (options.empty()) return invalid(path, "expected at least one answer option");
  if (options.size() > kMaxOptions) {
    return invalid(path, "more than " + std::to_string(kMaxOptions) + " answer options");
  }
  std::set<std::string> codes;
  for (std::size_t i = 0; i < options.size(); ++i) {
    const AnswerOption& option = options[i];
    const std::string at = indexed(path, i);
    if (option.value < -kMaxAnswerMagnitude || option.value > kMaxAnswerMagnitude) {
      return invalid(at + ".value", "must lie within +/-" + std::to_string(kMaxAnswerMagnitude));
    }
    if (i > 0 && option.value <= options[i - 1].value) {
      return invalid(at + ".value", "answer values must increase strictly (got " +
                                        std::to_string(option.value) + " after " +
                                        std::to_string(options[i - 1].value) + ")");
    }
    if (option.label.empty()) return invalid(at + ".label", "expected a non-empty label");
    if (!option.code.empty() && !codes.insert(option.code).second) {
      return invalid(at + ".code", "duplicate code \"" + option.code + "\"");
    }
  }
  return Status::ok();
}

Status check_items(const Instrument& instrument) {
  if (instrument.items.empty()) return invalid("items", "expected at least one item");
  if (instrument.items.size() > kMaxItems) {
    return invalid("items", "more than " + std::to_string(kMaxItems) + " items");
  }
  std::map<std::string, std::size_t> ids;
  std::map<std::string, std::size_t> codes;
  for (std::size_t i = 0; i < instrument.items.size(); ++i) {
    const InstrumentItem& item = instrument.items[i];
    const std::string at = indexed("items", i);
    if (item.id.empty()) return invalid(at + ".id", "expected a non-empty id");
    if (auto [it, inserted] = ids.emplace(item.id, i); !inserted) {
      return invalid(at + ".id", "duplicate id \"" + item.id + "\" (also items[" +
                                     std::to_string(it->second) + "])");
    }
    if (!item.code.empty()) {
      if (auto [it, inserted] = codes.emplace(item.code, i); !inserted) {
        return invalid(at + ".code", "duplicate code \"" + item.code + "\" (also items[" +
                                         std::to_string(it->second) + "])");
      }
    }
    if (!item.options.empty()) {
      if (Status s = check_options(item.options, at + ".options"); !s.is_ok()) return s;
    } else if (instrument.options.empty()) {
      return invalid(at + ".options",
                     "the item has no answer options and the instrument has no shared options");
    }
  }
  return Status::ok();
}

Status check_range(const Instrument& instrument) {
  if (!std::isfinite(instrument.min_total)) return invalid("range.min", "expected a number");
  if (!std::isfinite(instrument.max_total)) return invalid("range.max", "expected a number");
  double lowest = 0.0;
  double highest = 0.0;
  for (std::size_t i = 0; i < instrument.items.size(); ++i) {
    const std::vector<AnswerOption>& options = item_options(instrument, i);
    lowest += options.front().value;
    highest += options.back().value;
  }
  if (instrument.min_total != lowest) {
    return invalid("range.min", "expected " + number_text(lowest) +
                                    " (the sum of the items' lowest answer values), got " +
                                    number_text(instrument.min_total));
  }
  if (instrument.max_total != highest) {
    return invalid("range.max", "expected " + number_text(highest) +
                                    " (the sum of the items' highest answer values), got " +
                                    number_text(instrument.max_total));
  }
  return Status::ok();
}

Status check_missing_rule(const Instrument& instrument) {
  const auto items = static_cast<int>(instrument.items.size());
  if (instrument.max_missing < 0 || instrument.max_missing >= items) {
    return invalid("max_missing", "expected 0 to " + std::to_string(items - 1) + ", got " +
                                      std::to_string(instrument.max_missing));
  }
  if (instrument.max_missing > 0 && !instrument.prorate) {
    return invalid("max_missing",
                   "tolerating missing items needs \"prorate\": true (an incomplete form is "
                   "never scored by summing only the answered items)");
  }
  return Status::ok();
}

Status check_bands(const Instrument& instrument) {
  const std::vector<SeverityBand>& bands = instrument.bands;
  std::set<std::string> labels;
  for (std::size_t i = 0; i < bands.size(); ++i) {
    const SeverityBand& band = bands[i];
    const std::string at = indexed("bands", i);
    if (!std::isfinite(band.min)) return invalid(at + ".min", "expected a number");
    if (!std::isfinite(band.max)) return invalid(at + ".max", "expected a number");
    if (band.label.empty()) return invalid(at + ".label", "expected a non-empty label");
    if (!labels.insert(band.label).second) {
      return invalid(at + ".label", "duplicate label \"" + band.label + "\"");
    }
    if (band.max < band.min) {
      return invalid(at + ".max", "below the band's min (" + number_text(band.min) + ")");
    }
    if (i == 0 && band.min != instrument.min_total) {
      return invalid(at + ".min", "expected " + number_text(instrument.min_total) +
                                      " (bands must start at the range's min), got " +
                                      number_text(band.min));
    }
    if (i > 0 && band.min != bands[i - 1].max + 1) {
      return invalid(at + ".min", "expected " + number_text(bands[i - 1].max + 1) +
                                      " (the previous band ends at " +
                                      number_text(bands[i - 1].max) +
                                      "; bands must be in order, without gaps or overlaps), got " +
                                      number_text(band.min));
    }
  }
  if (!bands.empty() && bands.back().max != instrument.max_total) {
    return invalid(indexed("bands", bands.size() - 1) + ".max",
                   "expected " + number_text(instrument.max_total) +
                       " (bands must cover the range up to its max), got " +
                       number_text(bands.back().max));
  }
  return Status::ok();
}

Status check_thresholds(const Instrument& instrument) {
  const double span = instrument.max_total - instrument.min_total;
  if (const auto& cutoff = instrument.caseness_cutoff; cutoff.has_value()) {
    if (!std::isfinite(*cutoff) || *cutoff < instrument.min_total ||
        *cutoff > instrument.max_total) {
      return invalid("caseness_cutoff", "expected a total within the range " +
                                            number_text(instrument.min_total) + " to " +
                                            number_text(instrument.max_total) + ", got " +
                                            number_text(*cutoff));
    }
  }
  if (const auto& threshold = instrument.reliable_change_threshold; threshold.has_value()) {
    if (!std::isfinite(*threshold) || *threshold <= 0 || *threshold > span) {
      return invalid("reliable_change_threshold", "expected more than 0 and at most " +
                                                      number_text(span) + ", got " +
                                                      number_text(*threshold));
    }
  }
  if (const auto& r = instrument.reliability; r.has_value() && !(*r > 0.0 && *r < 1.0)) {
    return invalid("reliability",
                   "expected a value between 0 and 1 (exclusive), got " + number_text(*r));
  }
  if (const auto& sd = instrument.rci_sd; sd.has_value() && !(std::isfinite(*sd) && *sd > 0)) {
    return invalid("rci_sd", "expected a positive number, got " + number_text(*sd));
  }
  return Status::ok();
}

Status check_crisis(const Instrument& instrument) {
  if (!instrument.crisis_item.has_value()) return Status::ok();
  const std::size_t index = *instrument.crisis_item;
  if (index >= instrument.items.size()) {
    return invalid("crisis_item", "no item " + std::to_string(index));
  }
  const std::vector<AnswerOption>& options = item_options(instrument, index);
  if (instrument.crisis_min_value <= options.front().value ||
      instrument.crisis_min_value > options.back().value) {
    return invalid("crisis_min_value", "expected an answer value above the item's lowest (" +
                                           std::to_string(options.front().value) +
                                           ") and at most its highest (" +
                                           std::to_string(options.back().value) + "), got " +
                                           std::to_string(instrument.crisis_min_value));
  }
  return Status::ok();
}

// floor(numerator / denominator) for denominator > 0, exact for negative numerators too.
std::int64_t floor_div(std::int64_t numerator, std::int64_t denominator) {
  std::int64_t quotient = numerator / denominator;
  if (numerator % denominator != 0 && numerator < 0) --quotient;
  return quotient;
}

std::string allowed_values(const std::vector<AnswerOption>& options) {
  std::string text;
  for (const AnswerOption& option : options) {
    if (!text.empty()) text += ", ";
    text += std::to_string(option.value);
  }
  return text;
}

bool offers(const std::vector<AnswerOption>& options, double value) {
  return std::any_of(options.begin(), options.end(),
                     [value](const AnswerOption& o) { return o.value == value; });
}

}  // namespace

const std::vector<AnswerOption>& item_options(const Instrument& instrument, std::size_t index) {
  const std::vector<AnswerOption>& own = instrument.items.at(index).options;
  return own.empty() ? instrument.options : own;
}

Status validate(const Instrument& instrument) {
  if (!valid_instrument_id(instrument.id)) {
    return invalid(
        "id", "expected lower-case letters, digits, '_' or '-' (got \"" + instrument.id + "\")");
  }
  if (instrument.name.empty()) return invalid("name", "expected a non-empty name");
  if (!instrument.options.empty()) {
    if (Status s = check_options(instrument.options, "options"); !s.is_ok()) return s;
  }
  if (Status s = check_items(instrument); !s.is_ok()) return s;
  // The remaining checks rely on every item having valid options.
  for (const auto& check :
       {check_range, check_missing_rule, check_bands, check_thresholds, check_crisis}) {
    if (Status s = check(instrument); !s.is_ok()) return s;
  }
  return Status::ok();
}

Result<ScoreResult> score(const Instrument& instrument, std::span<const double> responses) {
  const std::size_t n = instrument.items.size();
  if (responses.size() != n) {
    return fail(Status::invalid_argument("expected " + std::to_string(n) +
                                             " responses (one per item of " + instrument.id +
                                             "), got " + std::to_string(responses.size()),
                                         "responses"));
  }
  ScoreResult result;
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double value = responses[i];
    if (is_missing(value)) {
      ++result.missing;
      continue;
    }
    const std::vector<AnswerOption>& options = item_options(instrument, i);
    if (!offers(options, value)) {
      const std::string& id = instrument.items[i].id;
      return fail(Status::invalid_argument("item " + id + ": " + number_text(value) +
                                               " is not one of its answer values (" +
                                               allowed_values(options) + ")",
                                           id));
    }
    const auto answer = static_cast<std::int64_t>(value);
    const std::int64_t lowest = options.front().value;
    const std::int64_t highest = options.back().value;
    sum += instrument.items[i].reverse ? lowest + highest - answer : answer;
    ++result.answered;
  }

  if (instrument.crisis_item.has_value() && *instrument.crisis_item < n) {
    const double crisis_answer = responses[*instrument.crisis_item];
    if (!is_missing(crisis_answer)) {
      result.crisis = to_flag(crisis_answer >= instrument.crisis_min_value);
    }
  }

  const auto items = static_cast<std::int64_t>(n);
  const std::string of_items =
      std::to_string(result.answered) + " of " + std::to_string(n) + " items answered";
  if (result.missing == 0) {
    result.total = static_cast<double>(sum);
    result.evidence = "sum of " + std::to_string(n) + " items = " + std::to_string(sum);
  } else if (result.missing > instrument.max_missing || !instrument.prorate) {
    result.evidence = of_items + "; at most " + std::to_string(instrument.max_missing) +
                      " may be missing, so no total";
    return result;
  } else {
    const std::int64_t answered = result.answered;
    const double exact = static_cast<double>(sum * items) / static_cast<double>(answered);
    result.prorated = true;
    result.evidence = of_items + "; prorated " + std::to_string(sum) + " x " + std::to_string(n) +
                      " / " + std::to_string(answered) + " = " + number_text(exact);
    if (instrument.rounding == ProrateRounding::kHalfUp) {
      // Integer arithmetic: round(x) half up = floor((2 * sum * n + answered) / (2 * answered)).
      const std::int64_t rounded = floor_div(2 * sum * items + answered, 2 * answered);
      result.total = static_cast<double>(rounded);
      result.evidence += ", rounded half up to " + std::to_string(rounded);
    } else {
      result.total = exact;
    }
  }
  result.band = band_for(instrument, result.total);
  return result;
}

std::string band_for(const Instrument& instrument, double total) {
  const std::vector<SeverityBand>& bands = instrument.bands;
  if (is_missing(total) || bands.empty()) return {};
  if (total < bands.front().min || total > bands.back().max) return {};
  auto after = std::upper_bound(bands.begin(), bands.end(), total,
                                [](double t, const SeverityBand& band) { return t < band.min; });
  return std::prev(after)->label;
}

Flag is_case(const Instrument& instrument, double total) {
  if (is_missing(total) || !instrument.caseness_cutoff.has_value()) return Flag::kNa;
  const double cutoff = *instrument.caseness_cutoff;
  return to_flag(instrument.direction == Direction::kLowerIsBetter ? total >= cutoff
                                                                   : total <= cutoff);
}

std::optional<std::size_t> find_item(const Instrument& instrument, std::string_view item_id) {
  for (std::size_t i = 0; i < instrument.items.size(); ++i) {
    if (instrument.items[i].id == item_id) return i;
  }
  return std::nullopt;
}

}  // namespace tandem::core
