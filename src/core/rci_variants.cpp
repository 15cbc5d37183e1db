#include "core/rci_variants.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace tandem::core {
namespace {

constexpr std::array<std::pair<RciMethod, std::string_view>, 6> kMethodCodes = {{
    {RciMethod::kJacobsonTruax, "JT"},
    {RciMethod::kGulliksenLordNovick, "GLN"},
    {RciMethod::kHsuLinnLord, "HLL"},
    {RciMethod::kEdwardsNunnally, "EN"},
    {RciMethod::kNunnallyKotsch, "NK"},
    {RciMethod::kHagemanArrindell, "HA"},
}};

constexpr std::array<std::pair<CutoffType, std::string_view>, 3> kCutoffCodes = {{
    {CutoffType::kA, "a"},
    {CutoffType::kB, "b"},
    {CutoffType::kC, "c"},
}};

bool beyond(double value, double threshold, Comparison comparison) {
  return comparison == Comparison::kStrict ? value > threshold : value >= threshold;
}

double or_default(double value, double fallback) { return is_missing(value) ? fallback : value; }

Status validate_options(const SampleOptions& options) {
  if (!std::isfinite(options.reliability) || options.reliability < 0.0 ||
      options.reliability >= 1.0) {
    return Status::invalid_argument("reliability must be in [0, 1)", "reliability");
  }
  const double r_post = or_default(options.reliability_post, options.reliability);
  if (!std::isfinite(r_post) || r_post < 0.0 || r_post > 1.0) {
    return Status::invalid_argument("reliability_post must be in [0, 1]", "reliability_post");
  }
  if (!is_missing(options.rci_sd) && (!std::isfinite(options.rci_sd) || options.rci_sd <= 0.0)) {
    return Status::invalid_argument("the SD for the RCI must be positive", "rci_sd");
  }
  if (!is_missing(options.given_cutoff) && !std::isfinite(options.given_cutoff)) {
    return Status::invalid_argument("the given cut-off must be finite", "given_cutoff");
  }
  return Status::ok();
}

}  // namespace

std::string_view method_code(RciMethod method) {
  for (const auto& [value, code] : kMethodCodes) {
    if (value == method) return code;
  }
  return "";
}

std::optional<RciMethod> parse_method(std::string_view code) {
  for (const auto& [value, name] : kMethodCodes) {
    if (name == code) return value;
  }
  return std::nullopt;
}

std::string_view cutoff_code(CutoffType type) {
  for (const auto& [value, code] : kCutoffCodes) {
    if (value == type) return code;
  }
  return "";
}

std::optional<CutoffType> parse_cutoff(std::string_view code) {
  for (const auto& [value, name] : kCutoffCodes) {
    if (name == code) return value;
  }
  return std::nullopt;
}

Result<SampleStatistics> complete_case_statistics(std::span<const double> pre,
                                                  std::span<const double> post) {
  if (pre.size() != post.size()) {
    return fail(Status::invalid_argument("pre and post must have the same length", "post"));
  }
  // Two passes over the complete pairs (no copy): means, then centred sums of squares.
  SampleStatistics s;
  s.n_original = pre.size();
  double sum_pre = 0.0;
  double sum_post = 0.0;
  for (std::size_t i = 0; i < pre.size(); ++i) {
    if (is_missing(pre[i]) || is_missing(post[i])) continue;
    ++s.n_used;
    sum_pre += pre[i];
    sum_post += post[i];
  }
  if (s.n_used < 2) {
    return fail(Status::failed_precondition("fewer than two clients with both pre and post"));
  }
  const auto n = static_cast<double>(s.n_used);
  s.m_pre = sum_pre / n;
  s.m_post = sum_post / n;
  double ss_pre = 0.0;
  double ss_post = 0.0;
  double cross = 0.0;
  for (std::size_t i = 0; i < pre.size(); ++i) {
    if (is_missing(pre[i]) || is_missing(post[i])) continue;
    const double dx = pre[i] - s.m_pre;
    const double dy = post[i] - s.m_post;
    ss_pre += dx * dx;
    ss_post += dy * dy;
    cross += dx * dy;
  }
  s.sd_pre = std::sqrt(ss_pre / (n - 1.0));
  s.sd_post = std::sqrt(ss_post / (n - 1.0));
  s.r12 = cross / std::sqrt(ss_pre * ss_post);
  if (!(s.sd_pre > 0.0)) {
    return fail(Status::failed_precondition("the pre scores of the sample do not vary"));
  }
  return s;
}

Result<SampleMethod> SampleMethod::make(const SampleStatistics& statistics,
                                        const SampleOptions& options) {
  if (Status status = validate_options(options); !status.is_ok()) return fail(std::move(status));
  const double r = options.reliability;
  const double sd = or_default(options.rci_sd, statistics.sd_pre);
  const Direction direction = options.rules.direction;

  SampleMethod m;
  m.method_ = options.method;
  m.rules_ = options.rules;
  m.m_pre_ = statistics.m_pre;
  m.m_post_ = statistics.m_post;
  m.reliability_ = r;
  MethodParameters& p = m.parameters_;

  const Norms norms{or_default(options.clinical_mean, statistics.m_pre),
                    or_default(options.clinical_sd, statistics.sd_pre), options.functional_mean,
                    options.functional_sd};
  const bool given_cutoff = !is_missing(options.given_cutoff);
  if (!given_cutoff) {
    if (Status status = validate_norms(norms); !status.is_ok()) return fail(std::move(status));
  }

  const double se_measurement = standard_error_of_measurement(sd, r);
  switch (options.method) {
    case RciMethod::kJacobsonTruax:
      p.s_diff = standard_error_of_difference(se_measurement);
      p.denominator = p.s_diff;
      break;
    case RciMethod::kGulliksenLordNovick:
    case RciMethod::kHsuLinnLord:
      // Standard error of prediction, SD * sqrt(1 - r^2) (Hsu 1989).
      p.se_prediction = sd * std::sqrt(1.0 - r * r);
      p.denominator = p.se_prediction;
      break;
    case RciMethod::kEdwardsNunnally:
      p.se_measurement = se_measurement;
      p.denominator = se_measurement;
      break;
    case RciMethod::kNunnallyKotsch: {
      const double r_post = or_default(options.reliability_post, r);
      p.denominator = std::sqrt(r * r * sd * sd * (1.0 - r) + sd * sd * (1.0 - r_post));
      break;
    }
    case RciMethod::kHagemanArrindell: {
      const double r_pre = true_score_reliability(statistics.sd_pre, se_measurement);
      const double r_post = true_score_reliability(statistics.sd_post, se_measurement);
      const double cov = 2.0 * statistics.sd_pre * statistics.sd_post * statistics.r12;
      const double var_pre = statistics.sd_pre * statistics.sd_pre;
      const double var_post = statistics.sd_post * statistics.sd_post;
      // Reliability of the difference scores (Hageman & Arrindell 1999).
      p.r_dd = (var_pre * r_pre + var_post * r_post - cov) / (var_pre + var_post - cov);
      if (!(p.r_dd > 0.0)) {
        return fail(Status::failed_precondition(
            "the reliability of the difference scores is not positive (Hageman & Arrindell)"));
      }
      p.se_measurement = se_measurement;
      p.denominator = std::sqrt(p.r_dd) * std::sqrt(2.0 * se_measurement * se_measurement);
      break;
    }
  }
  if (!(p.denominator > 0.0) || !std::isfinite(p.denominator)) {
    return fail(Status::failed_precondition("the RCI's standard error is zero"));
  }

  if (options.method == RciMethod::kHagemanArrindell) {
    p.critical_value =
        or_default(options.rules.true_score_critical_value, one_sided_critical_value(0.05));
    m.rules_.critical_value = p.critical_value;
    m.se_clinical_ = standard_error_of_measurement(norms.clinical_sd, r);
    m.r_post_true_ = true_score_reliability(statistics.sd_post, m.se_clinical_);
    if (!(m.r_post_true_ > 0.0)) {
      return fail(Status::failed_precondition(
          "post scores vary less than the measurement error (Hageman & Arrindell)"));
    }
    p.cutoff = given_cutoff ? options.given_cutoff
                            : hageman_arrindell_cutoff(norms, m.se_clinical_, options.cutoff,
                                                       direction, options.rules.b_sd);
  } else {
    p.critical_value = options.rules.critical_value;
    p.cutoff = given_cutoff
                   ? options.given_cutoff
                   : jacobson_truax_cutoff(norms, options.cutoff, direction, options.rules.b_sd);
  }
  if (!std::isfinite(p.cutoff)) {
    return fail(Status::failed_precondition("the cut-off is undefined for these norms"));
  }
  return m;
}

double SampleMethod::index(const PrePost& pair) const {
  const double r = reliability_;
  const double den = parameters_.denominator;
  switch (method_) {
    case RciMethod::kJacobsonTruax:
      return (pair.post - pair.pre) / den;
    case RciMethod::kGulliksenLordNovick:
      return ((pair.post - m_pre_) - r * (pair.pre - m_pre_)) / den;
    case RciMethod::kHsuLinnLord:
      return ((pair.post - m_post_) - r * (pair.pre - m_pre_)) / den;
    case RciMethod::kEdwardsNunnally:
    case RciMethod::kNunnallyKotsch:
      // The post score against the true pre score estimated by regression to the mean.
      return (pair.post - (r * (pair.pre - m_pre_) + m_pre_)) / den;
    case RciMethod::kHagemanArrindell: {
      const double r_dd = parameters_.r_dd;
      return ((pair.post - pair.pre) * r_dd + (m_post_ - m_pre_) * (1.0 - r_dd)) / den;
    }
  }
  return kMissing;
}

std::optional<ClinicalOutcome> SampleMethod::evaluate(const PrePost& pair) const {
  if (!is_complete(pair)) return std::nullopt;
  const double rci = index(pair);
  if (method_ != RciMethod::kHagemanArrindell) {
    return classify_outcome(pair, rci, parameters_.cutoff, rules_);
  }
  // Hageman & Arrindell: the cut-off is tested on the estimated true post score, with the
  // same one-sided critical value; functional and clinical after need a matching pre side.
  const std::optional<ReliableChange> change =
      classify_index(rci, rules_.direction, rules_.critical_value, rules_.comparison);
  if (!change) return std::nullopt;
  const double sign = improvement_sign(rules_.direction);
  const double crit = rules_.critical_value;
  ClinicalOutcome outcome;
  outcome.rci = rci;
  outcome.change = *change;
  outcome.cs_indiv = (m_post_ + (pair.post - m_post_) * r_post_true_ - parameters_.cutoff) /
                     (std::sqrt(r_post_true_) * se_clinical_);
  outcome.clinical_pre = is_clinical(pair.pre, parameters_.cutoff, rules_.direction);
  outcome.functional_post =
      outcome.clinical_pre && beyond(sign * outcome.cs_indiv, crit, rules_.comparison);
  outcome.clinical_post =
      !outcome.clinical_pre && beyond(-sign * outcome.cs_indiv, crit, rules_.comparison);
  outcome.category = categorize(*change, outcome.clinical_pre, outcome.functional_post, rules_);
  return outcome;
}

Result<SampleAnalysis> analyse_sample(const ClientList& clients, const SampleOptions& options) {
  if (!clients.ids.empty() && clients.ids.size() != clients.pre.size()) {
    return fail(Status::invalid_argument("ids, pre and post must have the same length", "id"));
  }
  Result<SampleStatistics> statistics = complete_case_statistics(clients.pre, clients.post);
  if (!statistics) return fail(statistics.error());
  Result<SampleMethod> method = SampleMethod::make(*statistics, options);
  if (!method) return fail(method.error());

  SampleAnalysis analysis;
  analysis.statistics = *statistics;
  analysis.parameters = method->parameters();
  analysis.clients.resize(clients.pre.size());
  for (std::size_t i = 0; i < clients.pre.size(); ++i) {
    analysis.clients[i] = method->evaluate(PrePost{clients.pre[i], clients.post[i]});
  }
  return analysis;
}

SampleOptions clinicalsignificance_options(RciMethod method, CutoffType cutoff, double reliability,
                                           double functional_mean, double functional_sd,
                                           Direction direction) {
  SampleOptions options;
  options.method = method;
  options.cutoff = cutoff;
  options.reliability = reliability;
  options.functional_mean = functional_mean;
  options.functional_sd = functional_sd;
  options.rules = clinicalsignificance_rules(direction);
  return options;
}

SampleOptions jtrci_options(CutoffType criterion, const Norms& given, double reliability,
                            Direction direction) {
  SampleOptions options;
  options.method = RciMethod::kJacobsonTruax;
  options.cutoff = criterion;
  options.reliability = reliability;
  options.functional_mean = given.functional_mean;
  options.functional_sd = given.functional_sd;
  // JTRCI computes criterion C from the sample's pre mean and SD even when dysfM / dysfSD
  // are given; A uses them.
  if (criterion != CutoffType::kC) {
    options.clinical_mean = given.clinical_mean;
    options.clinical_sd = given.clinical_sd;
  }
  options.rules = jtrci_rules(direction);
  return options;
}

SampleOptions rciplot_options(double recovery_cutoff, double reliability, Direction direction) {
  SampleOptions options;
  options.method = RciMethod::kJacobsonTruax;
  options.reliability = reliability;
  options.given_cutoff = recovery_cutoff;
  options.rules = rciplot_rules(direction);
  return options;
}

}  // namespace tandem::core
