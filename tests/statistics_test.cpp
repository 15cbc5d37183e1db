#include "core/statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/series.hpp"

namespace tandem::core {
namespace {

TEST(Statistics, MomentsSkipMissingScoresAndUseSampleSd) {
  const std::vector<double> values = {2.0, kMissing, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0};
  const Moments m = moments(values);
  EXPECT_EQ(m.n, 8u);
  EXPECT_DOUBLE_EQ(m.mean, 5.0);
  EXPECT_NEAR(m.sd, std::sqrt(32.0 / 7.0), 1e-15);
}

TEST(Statistics, MomentsOfOneValueHaveNoSd) {
  const std::vector<double> values = {kMissing, 3.0};
  const Moments m = moments(values);
  EXPECT_EQ(m.n, 1u);
  EXPECT_TRUE(std::isnan(m.sd));
}

TEST(Statistics, NormalQuantileMatchesR) {
  // R: qnorm(0.975), qnorm(0.95), qnorm(0.001)
  EXPECT_NEAR(normal_quantile(0.975), 1.959963984540054, 1e-15);
  EXPECT_NEAR(normal_quantile(0.95), 1.644853626951472, 1e-15);
  EXPECT_NEAR(normal_quantile(0.001), -3.090232306167813, 1e-14);
  EXPECT_NEAR(normal_cdf(1.959963984540054), 0.975, 1e-15);
}

TEST(Statistics, StudentTQuantileMatchesRForTheSuddenGainDegreesOfFreedom) {
  // R: qt(0.975, df) for df 2, 3, 4 (the adjusted criterion-3 critical values).
  // df 2 has the closed form (2p - 1) / sqrt(2p(1 - p)).
  EXPECT_NEAR(student_t_quantile(0.975, 2), 0.95 / std::sqrt(2 * 0.975 * 0.025), 1e-14);
  EXPECT_NEAR(student_t_quantile(0.975, 3), 3.182446305284263, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776445105197793, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.025, 4), -2.776445105197793, 1e-12);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.042272456301238, 1e-12);
}

TEST(Statistics, CorrelationUsesCompletePairsOnly) {
  const std::vector<double> x = {1, 2, 3, kMissing, 5};
  const std::vector<double> y = {2, 4, 6, 100, 10};
  EXPECT_NEAR(correlation(x, y), 1.0, 1e-15);
}

}  // namespace
}  // namespace tandem::core
