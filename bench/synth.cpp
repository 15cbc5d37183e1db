// tandem_synth: writes a seeded synthetic dataset of PHQ-9-like session scores (0-27,
// lower is better) in the wide layout, for benchmarks and examples. The trajectory
// types and their mix follow ../shared/peer-cases/gen_synthetic.R (case1 / big mode):
// gradual improvement, flat, deterioration, subclinical, sudden gain, two gains, gain
// then reversal, sudden loss; sporadic missing scores, missing baselines and dropout.
// Same seed, same file. All data is fictional.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr int kSessions = 12;
constexpr std::array<const char*, 8> kTypes = {"gradual_improve", "flat",        "deteriorate",
                                               "subclinical",     "sudden_gain", "multi_gain",
                                               "gain_reversal",   "sudden_loss"};
constexpr std::array<double, 8> kTypeWeights = {0.28, 0.17, 0.10, 0.08, 0.17, 0.06, 0.06, 0.08};

class Trajectories {
 public:
  explicit Trajectories(std::uint64_t seed) : rng_(seed) {}

  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double uniform(double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  double normal(double sd) { return std::normal_distribution<double>(0.0, sd)(rng_); }
  std::size_t type() { return types_(rng_); }

  std::array<double, kSessions> make(std::size_t type) {
    std::array<double, kSessions> y{};
    const int base = pick(12, 24);
    switch (type) {
      case 0: {  // gradual improvement
        const double rate = uniform(0.5, 1.3);
        for (int t = 0; t < kSessions; ++t) y[t] = base - t * rate + normal(1.5);
        break;
      }
      case 1:  // flat
        for (int t = 0; t < kSessions; ++t) y[t] = base + normal(1.2);
        break;
      case 2: {  // deterioration
        const double rate = uniform(0.5, 1.2);
        for (int t = 0; t < kSessions; ++t) y[t] = base - 4 + t * rate + normal(1.5);
        break;
      }
      case 3: {  // subclinical
        const int level = pick(3, 9);
        for (int t = 0; t < kSessions; ++t) y[t] = level + normal(1.2);
        break;
      }
      case 4: {  // sudden gain
        const int k = pick(2, 10);
        const int d = pick(6, 12);
        for (int t = 0; t < kSessions; ++t) y[t] = base - t * 0.2 + normal(1.0) - (t >= k ? d : 0);
        break;
      }
      case 5: {  // two gains
        const int k1 = pick(2, 5);
        const int k2 = pick(k1 + 3, 10);
        const int d1 = pick(6, 9);
        const int d2 = pick(6, 9);
        for (int t = 0; t < kSessions; ++t) {
          y[t] = std::min(27, base + 3) + normal(0.8) - (t >= k1 ? d1 : 0) - (t >= k2 ? d2 : 0);
        }
        break;
      }
      case 6: {  // gain then reversal
        const int k = pick(3, 7);
        const int d = pick(7, 11);
        const int r = std::min(kSessions - 1, k + pick(2, 4) - 1);
        const double back = d * uniform(0.6, 1.0);
        for (int t = 0; t < kSessions; ++t) {
          y[t] = base + normal(1.0) - (t >= k ? d : 0) + (t >= r ? back : 0);
        }
        break;
      }
      default: {  // sudden loss
        const int k = pick(2, 10);
        const int d = pick(6, 11);
        for (int t = 0; t < kSessions; ++t) y[t] = base - 6 + normal(1.0) + (t >= k ? d : 0);
        break;
      }
    }
    for (double& v : y) v = std::clamp(std::round(v), 0.0, 27.0);
    // Missing scores: sporadic (7%), a missing baseline (2%), dropout (10%).
    for (int t = 1; t < kSessions; ++t) {
      if (uniform(0, 1) < 0.07) y[t] = NAN;
    }
    if (uniform(0, 1) < 0.02) y[0] = NAN;
    if (uniform(0, 1) < 0.10) {
      const int last = pick(5, 11);
      for (int t = last; t < kSessions; ++t) y[t] = NAN;
    }
    return y;
  }

 private:
  std::mt19937_64 rng_;
  std::discrete_distribution<std::size_t> types_{kTypeWeights.begin(), kTypeWeights.end()};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: tandem_synth N OUTFILE [SEED] [ID_PREFIX]\n");
    return 2;
  }
  const long n = std::strtol(argv[1], nullptr, 10);
  const std::uint64_t seed = argc >= 4 ? std::strtoull(argv[3], nullptr, 10) : 7;
  const std::string prefix = argc >= 5 ? argv[4] : "c";
  if (n <= 0) {
    std::fprintf(stderr, "tandem_synth: N must be a positive whole number\n");
    return 2;
  }
  std::FILE* out = std::string(argv[2]) == "-" ? stdout : std::fopen(argv[2], "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "tandem_synth: cannot write %s\n", argv[2]);
    return 1;
  }
  Trajectories gen(seed);
  const int digits = static_cast<int>(std::to_string(n).size());
  std::string buffer = "\"id\",\"type\"";
  for (int s = 1; s <= kSessions; ++s) buffer += fmt::format(",\"s{}\"", s);
  buffer += '\n';
  for (long i = 1; i <= n; ++i) {
    const std::size_t type = gen.type();
    const auto y = gen.make(type);
    fmt::format_to(std::back_inserter(buffer), "\"{}{:0{}}\",\"{}\"", prefix, i, digits,
                   kTypes[type]);
    for (double v : y) {
      buffer += ',';
      if (!std::isnan(v)) fmt::format_to(std::back_inserter(buffer), "{}", static_cast<int>(v));
    }
    buffer += '\n';
    if (buffer.size() > (1 << 20)) {
      std::fwrite(buffer.data(), 1, buffer.size(), out);
      buffer.clear();
    }
  }
  std::fwrite(buffer.data(), 1, buffer.size(), out);
  if (out != stdout && std::fclose(out) != 0) return 1;
  return 0;
}
