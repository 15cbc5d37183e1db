#include "core/clinical_significance.hpp"

#include <cmath>
#include <utility>

namespace tandem::core {
namespace {

// Jacobson & Truax 1991, p. 13: cut-offs a and b lie two standard deviations from the mean.
constexpr double kCutoffSds = 2.0;

// The sign that moves a score from the clinical towards the functional population: -1 when
// lower is better. Cut-off a and b step that way from M1 and back from M0.
double toward_health(Direction direction) { return improvement_sign(direction); }

}  // namespace

double jacobson_truax_cutoff(const Norms& norms, CutoffType type, Direction direction,
                             CutoffBSd b_sd) {
  const double sign = toward_health(direction);
  switch (type) {
    case CutoffType::kA:
      return norms.clinical_mean + sign * kCutoffSds * norms.clinical_sd;
    case CutoffType::kB: {
      const double sd = b_sd == CutoffBSd::kFunctional ? norms.functional_sd : norms.clinical_sd;
      return norms.functional_mean - sign * kCutoffSds * sd;
    }
    case CutoffType::kC:
      return (norms.clinical_sd * norms.functional_mean +
              norms.functional_sd * norms.clinical_mean) /
             (norms.clinical_sd + norms.functional_sd);
  }
  return kMissing;
}

double true_score_reliability(double sd, double se_measurement) {
  return (sd * sd - se_measurement * se_measurement) / (sd * sd);
}

double hageman_arrindell_cutoff(const Norms& norms, double se_measurement, CutoffType type,
                                Direction direction, CutoffBSd b_sd) {
  const double sign = toward_health(direction);
  const double clinical_true_sd =
      norms.clinical_sd * std::sqrt(true_score_reliability(norms.clinical_sd, se_measurement));
  const double functional_true_sd =
      norms.functional_sd * std::sqrt(true_score_reliability(norms.functional_sd, se_measurement));
  switch (type) {
    case CutoffType::kA:
      return norms.clinical_mean + sign * kCutoffSds * clinical_true_sd;
    case CutoffType::kB: {
      const double sd = b_sd == CutoffBSd::kFunctional ? functional_true_sd : clinical_true_sd;
      return norms.functional_mean - sign * kCutoffSds * sd;
    }
    case CutoffType::kC:
      return (clinical_true_sd * norms.functional_mean + functional_true_sd * norms.clinical_mean) /
             (clinical_true_sd + functional_true_sd);
  }
  return kMissing;
}

std::string_view category_name(Category category, CategoryNaming naming) {
  switch (naming) {
    case CategoryNaming::kClinicalSignificance:
      switch (category) {
        case Category::kRecovered:
          return "Recovered";
        case Category::kImproved:
          return "Improved";
        case Category::kUnchanged:
          return "Unchanged";
        case Category::kDeteriorated:
          return "Deteriorated";
        case Category::kHarmed:
          return "Harmed";
        case Category::kNonReliablyRecovered:
          return "Non-reliably recovered";
      }
      break;
    case CategoryNaming::kJtrci:
      switch (category) {
        case Category::kRecovered:
          return "recovered";
        case Category::kImproved:
          return "improved";
        case Category::kUnchanged:
          return "unchanged";
        case Category::kDeteriorated:
          return "deteriorated";
        case Category::kHarmed:
          return "harmed";
        case Category::kNonReliablyRecovered:
          return "non reliably recovered";
      }
      break;
    case CategoryNaming::kRciplot:
      switch (category) {
        case Category::kRecovered:
          return "reliable recovery";
        case Category::kImproved:
          return "reliable improvement";
        case Category::kUnchanged:
          return "no reliable change";
        case Category::kDeteriorated:
          return "reliable deterioration";
        case Category::kHarmed:
          return "harm";
        case Category::kNonReliablyRecovered:
          return "non-reliable recovery";
      }
      break;
  }
  return "";
}

ClinicalSignificanceRules jacobson_truax_rules(Direction direction) {
  ClinicalSignificanceRules rules;
  rules.direction = direction;
  return rules;
}

ClinicalSignificanceRules clinicalsignificance_rules(Direction direction) {
  ClinicalSignificanceRules rules;
  rules.direction = direction;
  rules.critical_value = two_sided_critical_value(0.05);
  rules.true_score_critical_value = one_sided_critical_value(0.05);
  rules.comparison = Comparison::kStrict;
  rules.b_sd = CutoffBSd::kClinical;
  rules.require_clinical_pre = true;
  rules.harmed_category = true;
  return rules;
}

ClinicalSignificanceRules jtrci_rules(Direction direction) {
  ClinicalSignificanceRules rules;
  rules.direction = direction;
  rules.critical_value = kJacobsonTruaxCriticalValue;
  rules.comparison = Comparison::kInclusive;
  rules.require_clinical_pre = false;
  rules.non_reliable_recovery = true;
  return rules;
}

ClinicalSignificanceRules rciplot_rules(Direction direction) {
  ClinicalSignificanceRules rules;
  rules.direction = direction;
  rules.critical_value = two_sided_critical_value(0.05);
  rules.comparison = Comparison::kStrict;
  rules.require_clinical_pre = false;
  rules.non_reliable_recovery = true;
  return rules;
}

bool is_clinical(double score, double cutoff, Direction direction) {
  const double sign = improvement_sign(direction);
  return sign * score < sign * cutoff;
}

bool is_functional(double score, double cutoff, Direction direction, Comparison comparison) {
  const double sign = improvement_sign(direction);
  return comparison == Comparison::kStrict ? sign * score > sign * cutoff
                                           : sign * score >= sign * cutoff;
}

Category categorize(ReliableChange change, bool clinical_pre, bool functional_post,
                    const ClinicalSignificanceRules& rules) {
  const bool crossed = functional_post && (clinical_pre || !rules.require_clinical_pre);
  switch (change) {
    case ReliableChange::kImproved:
      return crossed ? Category::kRecovered : Category::kImproved;
    case ReliableChange::kDeteriorated:
      return rules.harmed_category && !clinical_pre && !functional_post ? Category::kHarmed
                                                                        : Category::kDeteriorated;
    case ReliableChange::kNone:
      break;
  }
  return rules.non_reliable_recovery && crossed ? Category::kNonReliablyRecovered
                                                : Category::kUnchanged;
}

std::optional<ClinicalOutcome> classify_outcome(const PrePost& pair, double rci, double cutoff,
                                                const ClinicalSignificanceRules& rules) {
  if (!is_complete(pair)) return std::nullopt;
  const std::optional<ReliableChange> change =
      classify_index(rci, rules.direction, rules.critical_value, rules.comparison);
  if (!change) return std::nullopt;
  ClinicalOutcome outcome;
  outcome.rci = rci;
  outcome.change = *change;
  outcome.clinical_pre = is_clinical(pair.pre, cutoff, rules.direction);
  outcome.functional_post = is_functional(pair.post, cutoff, rules.direction, rules.comparison);
  outcome.category = categorize(*change, outcome.clinical_pre, outcome.functional_post, rules);
  return outcome;
}

Status validate_norms(const Norms& norms) {
  for (const double mean : {norms.clinical_mean, norms.functional_mean}) {
    if (!std::isfinite(mean)) return Status::invalid_argument("norm means must be finite", "norms");
  }
  for (const double sd : {norms.clinical_sd, norms.functional_sd}) {
    if (!std::isfinite(sd) || sd <= 0.0) {
      return Status::invalid_argument("norm SDs must be positive", "norms");
    }
  }
  return Status::ok();
}

Result<JacobsonTruaxClassifier> JacobsonTruaxClassifier::make(
    const Norms& norms, double reliability, CutoffType type, const ClinicalSignificanceRules& rules,
    double rci_sd) {
  if (Status status = validate_norms(norms); !status.is_ok()) return fail(std::move(status));
  Result<JacobsonTruaxIndex> index =
      JacobsonTruaxIndex::make(is_missing(rci_sd) ? norms.clinical_sd : rci_sd, reliability);
  if (!index) return fail(index.error());
  return JacobsonTruaxClassifier(
      *index, jacobson_truax_cutoff(norms, type, rules.direction, rules.b_sd), rules);
}

std::optional<ClinicalOutcome> JacobsonTruaxClassifier::evaluate(const PrePost& pair) const {
  return classify_outcome(pair, index_.index(pair), cutoff_, rules_);
}

}  // namespace tandem::core
