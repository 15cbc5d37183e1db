#include "core/reliable_change.hpp"

#include <cmath>

#include "core/statistics.hpp"

namespace tandem::core {
namespace {

bool passes(double value, double threshold, Comparison comparison) {
  return comparison == Comparison::kStrict ? value > threshold : value >= threshold;
}

std::optional<ReliableChange> classify_signed(double signed_change, double threshold,
                                              Comparison comparison) {
  if (std::isnan(signed_change)) return std::nullopt;
  if (passes(signed_change, threshold, comparison)) return ReliableChange::kImproved;
  if (passes(-signed_change, threshold, comparison)) return ReliableChange::kDeteriorated;
  return ReliableChange::kNone;
}

}  // namespace

double two_sided_critical_value(double alpha) { return normal_quantile(1.0 - alpha / 2.0); }

double one_sided_critical_value(double alpha) { return normal_quantile(1.0 - alpha); }

double standard_error_of_measurement(double sd, double reliability) {
  return sd * std::sqrt(1.0 - reliability);
}

double standard_error_of_difference(double se_measurement) {
  // Written as the peers write it (sqrt(2 * SE^2)) so the doubles agree to the last bit.
  return std::sqrt(2.0 * se_measurement * se_measurement);
}

Result<JacobsonTruaxIndex> JacobsonTruaxIndex::make(double sd, double reliability) {
  if (!std::isfinite(sd) || sd <= 0.0) {
    return fail(Status::invalid_argument("the SD for the RCI must be positive", "sd"));
  }
  if (!std::isfinite(reliability) || reliability < 0.0 || reliability >= 1.0) {
    return fail(Status::invalid_argument("reliability must be in [0, 1)", "reliability"));
  }
  const double se = standard_error_of_measurement(sd, reliability);
  return JacobsonTruaxIndex(sd, reliability, se, standard_error_of_difference(se));
}

std::optional<ReliableChange> classify_index(double rci, Direction direction, double critical_value,
                                             Comparison comparison) {
  return classify_signed(improvement_sign(direction) * rci, critical_value, comparison);
}

std::optional<ReliableChange> classify_fixed_threshold(const PrePost& pair, double threshold,
                                                       Direction direction, Comparison comparison) {
  return classify_signed(improvement_sign(direction) * (pair.post - pair.pre), threshold,
                         comparison);
}

}  // namespace tandem::core
