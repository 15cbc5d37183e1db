// tandem_reference_synth: writes a seeded synthetic REFERENCE set of completed episodes of
// PHQ-9-like scores (0-27, lower is better), 6-20 sessions each, in the long layout
// `id,session,score`, for fitting and evaluating the expected trajectory
// (docs/methods/trajectory.md). Heterogeneous on purpose: early responders, gradual
// responders, partial responders, non-responders, deteriorators and "dust rises" episodes
// (worse first, then better), with measurement error at intake (regression to the mean),
// autocorrelated session noise and occasional missed questionnaires (rows left out). Episodes
// that drop out are generated too but NOT written: a reference holds completed episodes only;
// how many were left out goes to stderr. Same seed, same file. All data is fictional.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr double kScaleMax = 27.0;
constexpr int kMinSessions = 6;
constexpr int kMaxSessions = 20;

enum class Course : std::size_t {
  kEarlyResponse,
  kGradualResponse,
  kPartialResponse,
  kNoResponse,
  kDeterioration,
  kDustRises,
};
constexpr std::array<double, 6> kCourseWeights = {0.25, 0.36, 0.13, 0.15, 0.06, 0.05};
// Dropout probability by course: those who do not improve leave more often.
constexpr std::array<double, 6> kDropout = {0.10, 0.12, 0.18, 0.25, 0.30, 0.20};
// Sessions per episode by course (uniform, inclusive): early responders finish sooner.
constexpr std::array<std::array<int, 2>, 6> kLength = {
    {{6, 12}, {8, 20}, {8, 20}, {8, 20}, {6, 16}, {8, 20}}};
constexpr double kMissedQuestionnaire = 0.06;  // a middle session without a score
constexpr double kIntakeError = 1.8;           // SD of the intake's measurement error
constexpr double kNoiseSd = 2.0;               // marginal SD of the session noise
constexpr double kNoiseRho = 0.4;              // AR(1) correlation between sessions

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  // One episode's scores (NaN = no score that session), or empty when it dropped out.
  std::vector<double> episode() {
    const auto course = static_cast<Course>(courses_(rng_));
    const auto index = static_cast<std::size_t>(course);
    const int length = pick(kLength[index][0], kLength[index][1]);
    const double severity = std::clamp(normal(16.5, 4.5), 5.0, kScaleMax);
    const Shape shape = shape_for(course, severity, length);

    std::vector<double> scores(static_cast<std::size_t>(length));
    scores[0] = std::clamp(std::round(severity + normal(0.0, kIntakeError)), 0.0, kScaleMax);
    double noise = normal(0.0, kNoiseSd);
    const double innovation = kNoiseSd * std::sqrt(1.0 - kNoiseRho * kNoiseRho);
    for (int t = 2; t <= length; ++t) {
      noise = kNoiseRho * noise + normal(0.0, innovation);
      const double expected = shape.mean(t, severity, length);
      scores[static_cast<std::size_t>(t - 1)] =
          std::clamp(std::round(expected + noise), 0.0, kScaleMax);
    }
    for (int t = 2; t < length; ++t) {
      if (uniform() < kMissedQuestionnaire) scores[static_cast<std::size_t>(t - 1)] = NAN;
    }
    if (uniform() < kDropout[index]) return {};
    return scores;
  }

 private:
  // The expected score at session t (1-based; t = 1 is intake) of one course.
  struct Shape {
    Course course;
    double gain = 0.0;  // points of improvement approached over the episode
    double tau = 1.0;   // sessions to reach 63 % of it
    double rise = 0.0;  // deterioration (points by the end) or the early rise's height
    int peak = 2;       // session of the early rise's peak

    [[nodiscard]] double mean(int t, double severity, int length) const {
      const double since = t - 1.0;
      const double improvement = gain * (1.0 - std::exp(-since / tau));
      switch (course) {
        case Course::kDeterioration:
          return severity + rise * since / (length - 1.0);
        case Course::kDustRises:
          return severity - improvement + rise * std::exp(-0.5 * (t - peak) * (t - peak));
        default:
          return severity - improvement;
      }
    }
  };

  Shape shape_for(Course course, double severity, int length) {
    Shape shape{course};
    switch (course) {
      case Course::kEarlyResponse:
        shape.gain = severity * uniform(0.45, 0.75);
        shape.tau = uniform(0.7, 1.5);
        break;
      case Course::kGradualResponse:
        shape.gain = severity * uniform(0.40, 0.70);
        shape.tau = uniform(2.5, 5.0);
        break;
      case Course::kPartialResponse:
        shape.gain = severity * uniform(0.10, 0.30);
        shape.tau = uniform(1.0, 4.0);
        break;
      case Course::kNoResponse:
        shape.gain = uniform(-1.0, 2.0);
        shape.tau = uniform(1.0, 4.0);
        break;
      case Course::kDeterioration:
        shape.rise = uniform(3.0, 8.0);
        break;
      case Course::kDustRises:
        shape.gain = severity * uniform(0.40, 0.65);
        shape.tau = uniform(3.0, 6.0);
        shape.rise = uniform(2.0, 5.0);
        shape.peak = pick(2, std::min(4, length - 1));
        break;
    }
    return shape;
  }

  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double uniform(double lo = 0.0, double hi = 1.0) {
    return std::uniform_real_distribution<double>(lo, hi)(rng_);
  }
  double normal(double mean, double sd) { return std::normal_distribution<double>(mean, sd)(rng_); }

  std::mt19937_64 rng_;
  std::discrete_distribution<std::size_t> courses_{kCourseWeights.begin(), kCourseWeights.end()};
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tandem_reference_synth N OUT.csv SEED\n");
    return 2;
  }
  char* end = nullptr;
  const long n = std::strtol(argv[1], &end, 10);
  if (*end != '\0' || n <= 0 || n > 100000000) {
    std::fprintf(stderr, "tandem_reference_synth: N must be a whole number from 1 to 1e8\n");
    return 2;
  }
  const std::uint64_t seed = std::strtoull(argv[3], &end, 10);
  if (*end != '\0') {
    std::fprintf(stderr, "tandem_reference_synth: SEED must be a whole number\n");
    return 2;
  }
  std::FILE* out = std::string(argv[2]) == "-" ? stdout : std::fopen(argv[2], "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "tandem_reference_synth: cannot write %s\n", argv[2]);
    return 1;
  }
  static_assert(kMinSessions == 6 && kMaxSessions == 20, "the lengths above span 6-20");
  Generator generator(seed);
  const int digits = static_cast<int>(std::to_string(n).size());
  std::string buffer = "id,session,score\n";
  long written = 0;
  long dropped = 0;
  while (written < n) {
    const std::vector<double> scores = generator.episode();
    if (scores.empty()) {
      ++dropped;
      continue;
    }
    ++written;
    for (std::size_t k = 0; k < scores.size(); ++k) {
      if (std::isnan(scores[k])) continue;
      fmt::format_to(std::back_inserter(buffer), "r{:0{}},{},{}\n", written, digits, k + 1,
                     static_cast<int>(scores[k]));
    }
    if (buffer.size() > (1 << 20)) {
      std::fwrite(buffer.data(), 1, buffer.size(), out);
      buffer.clear();
    }
  }
  std::fwrite(buffer.data(), 1, buffer.size(), out);
  if (out != stdout && std::fclose(out) != 0) return 1;
  std::fprintf(stderr,
               "tandem_reference_synth: %ld completed episodes written, %ld dropouts left out\n",
               written, dropped);
  return 0;
}
