// Rendering of progress profiles for people and programs: the plain-language texts of
// texts/<lang>.json with their placeholders filled from the evidence, and the JSON
// object `tandem analyze profile --episodes` writes per episode. Texts are immutable
// once loaded and safe to share between threads.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/progress_profile.hpp"
#include "core/status.hpp"

namespace tandem::io {

enum class Audience { kClient, kTherapist };

class Texts {
 public:
  static core::Result<Texts> load(const std::string& path);
  static core::Result<Texts> parse(std::string_view text, std::string_view source);

  // The sentence for a finding, or empty when the file has none for it.
  [[nodiscard]] std::string pattern(const core::PatternFinding& finding, Audience who) const;
  [[nodiscard]] std::string signal(const core::Signal& signal, Audience who) const;
  [[nodiscard]] std::string status(const core::Dimension& dimension, std::string_view instrument,
                                   Audience who) const;

 private:
  [[nodiscard]] std::string lookup(const std::string& key, Audience who) const;
  std::map<std::string, std::string> entries_;  // "patterns.improving.client" -> text
};

// Fills {name} placeholders: extra values first, then the evidence's named values.
std::string fill_placeholders(std::string_view text, const core::Evidence& evidence,
                              const std::map<std::string, std::string>& extra);

// A number as people read it: whole numbers plainly, others to two decimals; NaN "NA".
std::string format_for_people(double value);

// {"id", "instrument", "dimensions", "patterns", "signals", "dropout_risk", "evidence",
// and "texts" when texts are given}. NaN and infinite evidence values become null.
nlohmann::json profile_to_json(const core::Profile& profile, std::string_view instrument,
                               const Texts* texts);

// Compact one-cell forms for CSV and tables.
std::string dimensions_cell(const core::Profile& profile);  // "phq9=improving;alliance=..."
std::string patterns_cell(const core::Profile& profile);    // "improving;sudden-gain"
std::string signals_cell(const core::Profile& profile);     // "crisis@3: reason | ..."

}  // namespace tandem::io
