// Small numerical building blocks shared by the methods: moments over scores with
// missing values skipped, and the normal and Student t quantiles the methods' critical
// values come from. Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <span>

namespace tandem::core {

// Count, mean and sample (n - 1) standard deviation of the non-missing values.
struct Moments {
  std::size_t n = 0;
  double mean = 0.0;
  double sd = 0.0;  // NaN when n < 2
};
Moments moments(std::span<const double> values);

// Pearson correlation of the pairs where both values are present; NaN when undefined.
double correlation(std::span<const double> x, std::span<const double> y);

// Standard normal quantile (Wichura 1988, algorithm AS 241, about 1e-16 relative).
double normal_quantile(double p);

// Standard normal distribution function.
double normal_cdf(double x);

// Student t distribution function and quantile for df > 0 (df need not be whole).
double student_t_cdf(double t, double df);
double student_t_quantile(double p, double df);

}  // namespace tandem::core
