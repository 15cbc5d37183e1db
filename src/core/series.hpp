// Vocabulary shared by the analytics: missing scores, three-valued flags and the
// direction of a measure. Scores are plain doubles; a missing score is NaN so that
// a client's series is one contiguous span (the bulk kernels depend on it).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace tandem::core {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

inline bool is_missing(double score) { return std::isnan(score); }

// A criterion that may be untestable: the R peers' TRUE / FALSE / NA.
enum class Flag : std::int8_t { kNa = -1, kNo = 0, kYes = 1 };

inline Flag to_flag(bool value) { return value ? Flag::kYes : Flag::kNo; }

// Which way is better on a measure. PHQ-9 and GAD-7: lower is better.
enum class Direction : std::int8_t { kLowerIsBetter, kHigherIsBetter };

// +1 when a rise in the score is an improvement, -1 when a fall is.
inline double improvement_sign(Direction direction) {
  return direction == Direction::kHigherIsBetter ? 1.0 : -1.0;
}

}  // namespace tandem::core
