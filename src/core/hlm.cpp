#include "core/hlm.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "core/reliable_change.hpp"

namespace tandem::core {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr double kFixedEffects = 2.0;  // p: intercept and slope

// A symmetric or general 2 x 2 matrix, row major: [[a, b], [c, d]].
struct Mat2 {
  double a = 0.0;
  double b = 0.0;
  double c = 0.0;
  double d = 0.0;
};
struct Vec2 {
  double x = 0.0;
  double y = 0.0;
};

Mat2 operator*(const Mat2& l, const Mat2& r) {
  return {l.a * r.a + l.b * r.c, l.a * r.b + l.b * r.d, l.c * r.a + l.d * r.c,
          l.c * r.b + l.d * r.d};
}
Vec2 operator*(const Mat2& m, const Vec2& v) {
  return {m.a * v.x + m.b * v.y, m.c * v.x + m.d * v.y};
}
Mat2 transpose(const Mat2& m) { return {m.a, m.c, m.b, m.d}; }
double determinant(const Mat2& m) { return m.a * m.d - m.b * m.c; }
Mat2 inverse(const Mat2& m, double det) { return {m.d / det, -m.b / det, -m.c / det, m.a / det}; }

// One client's sufficient statistics: Z'Z (= X'X, both are [1, t]), Z'y and y'y.
struct ClientMoments {
  std::size_t index = 0;
  std::size_t n = 0;
  Mat2 ztz;
  Vec2 zty;
  double yty = 0.0;
  double pre = kMissing;
  double post = kMissing;
};

Mat2 lambda_of(const std::array<double, 3>& theta) { return {theta[0], 0.0, theta[1], theta[2]}; }

// The penalised least-squares solution for one theta (Bates, Maechler, Bolker & Walker 2015,
// J Stat Softw 67(1)): per client A_i = L' Z_i'Z_i L + I, then the Schur complement for beta,
// the penalised residual sum of squares and the profiled REML deviance.
struct PlsSolution {
  double deviance = kInfinity;
  Vec2 beta;
  double sigma2 = kMissing;
};

PlsSolution solve_pls(const std::vector<ClientMoments>& clients, std::size_t n_obs,
                      const std::array<double, 3>& theta) {
  const Mat2 lambda = lambda_of(theta);
  const Mat2 lambda_t = transpose(lambda);
  Mat2 schur;
  Vec2 rhs;
  double log_det_a = 0.0;
  for (const ClientMoments& c : clients) {
    const Mat2 b = lambda_t * c.ztz;  // L' Z'X
    Mat2 a = b * lambda;
    a.a += 1.0;
    a.d += 1.0;
    const double det = determinant(a);
    log_det_a += std::log(det);
    const Mat2 a_inv = inverse(a, det);
    const Vec2 cu = lambda_t * c.zty;  // L' Z'y
    const Mat2 bt_ainv = transpose(b) * a_inv;
    const Mat2 correction = bt_ainv * b;
    const Vec2 correction_y = bt_ainv * cu;
    schur.a += c.ztz.a - correction.a;
    schur.b += c.ztz.b - correction.b;
    schur.c += c.ztz.c - correction.c;
    schur.d += c.ztz.d - correction.d;
    rhs.x += c.zty.x - correction_y.x;
    rhs.y += c.zty.y - correction_y.y;
  }
  PlsSolution s;
  const double det_schur = determinant(schur);
  if (!(det_schur > 0.0) || !std::isfinite(log_det_a)) return s;
  s.beta = inverse(schur, det_schur) * rhs;

  // Penalised residual sum of squares: ||y - X beta - Z L u||^2 + ||u||^2.
  double pwrss = 0.0;
  for (const ClientMoments& c : clients) {
    const Mat2 b = lambda_t * c.ztz;
    Mat2 a = b * lambda;
    a.a += 1.0;
    a.d += 1.0;
    const Vec2 cu = lambda_t * c.zty;
    const Vec2 b_beta = b * s.beta;
    const Vec2 u = inverse(a, determinant(a)) * Vec2{cu.x - b_beta.x, cu.y - b_beta.y};
    const Vec2 re = lambda * u;
    const Vec2 g{s.beta.x + re.x, s.beta.y + re.y};  // the client's own line
    const Vec2 ztz_g = c.ztz * g;
    const double rss =
        c.yty - 2.0 * (g.x * c.zty.x + g.y * c.zty.y) + g.x * ztz_g.x + g.y * ztz_g.y;
    pwrss += rss + u.x * u.x + u.y * u.y;
  }
  const double df = static_cast<double>(n_obs) - kFixedEffects;
  s.sigma2 = pwrss / df;
  // Profiled REML deviance (Bates et al. 2015).
  s.deviance =
      log_det_a + std::log(det_schur) + df * (1.0 + std::log(2.0 * std::numbers::pi * pwrss / df));
  return s;
}

// Nelder & Mead (1965) simplex minimiser in three dimensions, standard coefficients
// (reflection 1, expansion 2, contraction 1/2, shrink 1/2).
template <class F>
std::pair<std::array<double, 3>, double> nelder_mead(F&& f, std::array<double, 3> start,
                                                     double step, int max_evaluations,
                                                     int& evaluations) {
  using Point = std::array<double, 3>;
  constexpr int kDim = 3;
  std::array<Point, kDim + 1> p;
  std::array<double, kDim + 1> v{};
  p[0] = start;
  for (int i = 0; i < kDim; ++i) {
    p[i + 1] = start;
    p[i + 1][i] += step;
  }
  for (int i = 0; i <= kDim; ++i) v[i] = f(p[i]);
  evaluations += kDim + 1;
  auto along = [](const Point& from, const Point& to, double t) {
    Point r;
    for (int j = 0; j < kDim; ++j) r[j] = from[j] + t * (to[j] - from[j]);
    return r;
  };
  while (evaluations < max_evaluations) {
    std::array<int, kDim + 1> order{0, 1, 2, 3};
    std::sort(order.begin(), order.end(), [&](int l, int r) { return v[l] < v[r]; });
    std::array<Point, kDim + 1> sorted_p;
    std::array<double, kDim + 1> sorted_v{};
    for (int i = 0; i <= kDim; ++i) {
      sorted_p[i] = p[order[i]];
      sorted_v[i] = v[order[i]];
    }
    p = sorted_p;
    v = sorted_v;
    double spread = 0.0;
    for (int i = 1; i <= kDim; ++i) {
      for (int j = 0; j < kDim; ++j) spread = std::max(spread, std::fabs(p[i][j] - p[0][j]));
    }
    if (std::fabs(v[kDim] - v[0]) <= 1e-13 * (1.0 + std::fabs(v[0])) && spread < 1e-10) break;

    Point centroid{};
    for (int i = 0; i < kDim; ++i) {
      for (int j = 0; j < kDim; ++j) centroid[j] += p[i][j] / kDim;
    }
    const Point reflected = along(centroid, p[kDim], -1.0);
    const double fr = f(reflected);
    ++evaluations;
    if (fr < v[0]) {
      const Point expanded = along(centroid, p[kDim], -2.0);
      const double fe = f(expanded);
      ++evaluations;
      if (fe < fr) {
        p[kDim] = expanded;
        v[kDim] = fe;
      } else {
        p[kDim] = reflected;
        v[kDim] = fr;
      }
      continue;
    }
    if (fr < v[kDim - 1]) {
      p[kDim] = reflected;
      v[kDim] = fr;
      continue;
    }
    const Point contracted =
        fr < v[kDim] ? along(centroid, reflected, 0.5) : along(centroid, p[kDim], 0.5);
    const double fc = f(contracted);
    ++evaluations;
    if (fc < std::min(fr, v[kDim])) {
      p[kDim] = contracted;
      v[kDim] = fc;
      continue;
    }
    for (int i = 1; i <= kDim; ++i) {
      p[i] = along(p[0], p[i], 0.5);
      v[i] = f(p[i]);
    }
    evaluations += kDim;
  }
  const auto best = std::min_element(v.begin(), v.end()) - v.begin();
  return {p[best], v[best]};
}

Result<std::vector<ClientMoments>> client_moments(const LongitudinalData& data,
                                                  std::size_t min_scores, std::size_t& n_obs) {
  if (data.time.size() != data.score.size()) {
    return fail(Status::invalid_argument("time and score must have the same length", "time"));
  }
  if (data.offsets.empty() || data.offsets.front() != 0 ||
      data.offsets.back() != data.score.size()) {
    return fail(
        Status::invalid_argument("offsets must run from 0 to the number of scores", "offsets"));
  }
  std::vector<ClientMoments> clients;
  n_obs = 0;
  for (std::size_t i = 0; i + 1 < data.offsets.size(); ++i) {
    const std::size_t begin = data.offsets[i];
    const std::size_t end = data.offsets[i + 1];
    if (end < begin) return fail(Status::invalid_argument("offsets must not decrease", "offsets"));
    ClientMoments m;
    m.index = i;
    for (std::size_t k = begin; k < end; ++k) {
      const double y = data.score[k];
      if (is_missing(y)) continue;
      const double t = data.time[k];
      if (!std::isfinite(t)) {
        return fail(Status::invalid_argument("a score without a finite time", "time"));
      }
      if (m.n == 0) m.pre = y;
      m.post = y;
      ++m.n;
      m.ztz.a += 1.0;
      m.ztz.b += t;
      m.ztz.d += t * t;
      m.zty.x += y;
      m.zty.y += t * y;
      m.yty += y * y;
    }
    m.ztz.c = m.ztz.b;
    if (m.n >= min_scores && m.n > 0) {
      n_obs += m.n;
      clients.push_back(m);
    }
  }
  return clients;
}

}  // namespace

Result<HlmAnalysis> analyse_hlm(const LongitudinalData& data, const HlmOptions& options) {
  std::size_t n_obs = 0;
  Result<std::vector<ClientMoments>> moments = client_moments(data, options.min_scores, n_obs);
  if (!moments) return fail(moments.error());
  const std::vector<ClientMoments>& clients = *moments;
  if (clients.size() < 3 || static_cast<double>(n_obs) <= kFixedEffects + 3.0) {
    return fail(Status::failed_precondition("too few clients with enough scores for the model"));
  }

  HlmAnalysis analysis;
  HlmFit& fit = analysis.fit;
  fit.n_clients = clients.size();
  fit.n_observations = n_obs;
  auto deviance = [&](const std::array<double, 3>& theta) {
    return solve_pls(clients, n_obs, theta).deviance;
  };
  // lme4's start (theta = identity), then restarts from the best point until the simplex
  // stops improving; the deviance depends on Lambda Lambda' only, so theta needs no bounds.
  constexpr int kMaxEvaluations = 20000;
  std::pair<std::array<double, 3>, double> best =
      nelder_mead(deviance, {1.0, 0.0, 1.0}, 0.5, kMaxEvaluations, fit.evaluations);
  for (const double step : {0.1, 0.01}) {
    const auto again = nelder_mead(deviance, best.first, step, kMaxEvaluations, fit.evaluations);
    if (again.second < best.second) best = again;
  }
  if (!std::isfinite(best.second)) {
    return fail(Status::failed_precondition("the mixed model could not be fitted"));
  }
  fit.theta = best.first;
  fit.reml_deviance = best.second;
  const PlsSolution s = solve_pls(clients, n_obs, fit.theta);
  fit.beta = {s.beta.x, s.beta.y};
  fit.sigma = std::sqrt(s.sigma2);
  const Mat2 lambda = lambda_of(fit.theta);
  const Mat2 lambda_t = transpose(lambda);
  const Mat2 cov = lambda * lambda_t;
  fit.var_intercept = s.sigma2 * cov.a;
  fit.cov_intercept_slope = s.sigma2 * cov.b;
  fit.var_slope = s.sigma2 * cov.d;

  // Clinical norms from the included clients' first scores, as cs_combined takes them.
  double sum = 0.0;
  for (const ClientMoments& c : clients) sum += c.pre;
  const double mean_pre = sum / static_cast<double>(clients.size());
  double squares = 0.0;
  for (const ClientMoments& c : clients) squares += (c.pre - mean_pre) * (c.pre - mean_pre);
  const double sd_pre = std::sqrt(squares / static_cast<double>(clients.size() - 1));
  const Norms norms{is_missing(options.clinical_mean) ? mean_pre : options.clinical_mean,
                    is_missing(options.clinical_sd) ? sd_pre : options.clinical_sd,
                    options.functional_mean, options.functional_sd};
  if (Status status = validate_norms(norms); !status.is_ok()) return fail(std::move(status));
  analysis.cutoff =
      jacobson_truax_cutoff(norms, options.cutoff, options.rules.direction, options.rules.b_sd);

  analysis.clients.resize(data.offsets.size() - 1);
  for (const ClientMoments& c : clients) {
    const Mat2 b = lambda_t * c.ztz;
    Mat2 a = b * lambda;
    a.a += 1.0;
    a.d += 1.0;
    const Mat2 a_inv = inverse(a, determinant(a));
    const Vec2 cu = lambda_t * c.zty;
    const Vec2 b_beta = b * s.beta;
    const Vec2 u = a_inv * Vec2{cu.x - b_beta.x, cu.y - b_beta.y};
    // Conditional variance of the random effects given beta: sigma^2 Lambda A^-1 Lambda'
    // (what lme4::ranef(condVar = TRUE) reports).
    const Mat2 cond = lambda * a_inv * lambda_t;
    HlmClient client;
    client.n = c.n;
    client.pre = c.pre;
    client.post = c.post;
    client.slope_mode = (lambda * u).y;
    client.slope_sd = std::sqrt(s.sigma2 * cond.d);
    const double rci = client.slope_mode / client.slope_sd;
    const std::optional<ClinicalOutcome> outcome =
        classify_outcome({c.pre, c.post}, rci, analysis.cutoff, options.rules);
    if (!outcome) continue;  // no random-slope variance left: the index is undefined
    client.outcome = *outcome;
    analysis.clients[c.index] = client;
  }
  return analysis;
}

}  // namespace tandem::core
