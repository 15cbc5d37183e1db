// Google Benchmark kernels: the per-client cost of each method on synthetic PHQ-9-like
// series (12 sessions, some missing), and of parsing a wide CSV line. Run by bench/run.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/reliable_change.hpp"
#include "core/series.hpp"
#include "core/sudden_gains.hpp"
#include "core/trend.hpp"
#include "io/mapped_file.hpp"
#include "io/score_table.hpp"

namespace {

constexpr int kSessions = 12;
constexpr int kClients = 4096;

std::vector<double> make_series() {
  std::mt19937_64 rng(42);
  std::normal_distribution<double> noise(0.0, 2.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<double> scores(static_cast<std::size_t>(kClients) * kSessions);
  for (int c = 0; c < kClients; ++c) {
    const double start = 12 + 12 * unit(rng);
    const double rate = unit(rng) * 1.2;
    for (int s = 0; s < kSessions; ++s) {
      double v = std::clamp(std::round(start - rate * s + noise(rng)), 0.0, 27.0);
      if (s > 0 && unit(rng) < 0.07) v = tandem::core::kMissing;
      scores[static_cast<std::size_t>(c) * kSessions + s] = v;
    }
  }
  return scores;
}

const std::vector<double>& series() {
  static const std::vector<double> data = make_series();
  return data;
}

std::span<const double> client(std::size_t i) {
  return {series().data() + (i % kClients) * kSessions, kSessions};
}

void BM_SuddenGainIntervals(benchmark::State& state) {
  tandem::core::SuddenGainOptions options;
  options.cutoff = 6;
  std::vector<tandem::core::IntervalTest> out;
  std::size_t i = 0;
  for (auto _ : state) {
    tandem::core::test_intervals(client(i++), options, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SuddenGainIntervals);

void BM_FindSuddenGains(benchmark::State& state) {
  tandem::core::SuddenGainOptions options;
  options.cutoff = 6;
  std::vector<tandem::core::SuddenChange> out;
  std::size_t i = 0;
  for (auto _ : state) {
    tandem::core::find_sudden_changes(client(i++), options, out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FindSuddenGains);

void BM_TheilSenSteadiness(benchmark::State& state) {
  tandem::core::TrendEstimator estimator;
  tandem::core::SteadinessOptions options;
  options.reliable_change = 6;
  std::size_t i = 0;
  for (auto _ : state) {
    auto result = estimator.steadiness(client(i++), options);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_TheilSenSteadiness);

void BM_JacobsonTruax(benchmark::State& state) {
  const auto index = *tandem::core::JacobsonTruaxIndex::make(5.0, 0.89);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto s = client(i++);
    const double rci = index.index({s[0], s[kSessions - 1]});
    benchmark::DoNotOptimize(
        tandem::core::classify_index(rci, tandem::core::Direction::kLowerIsBetter, 1.96));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_JacobsonTruax);

void BM_ReadWideCsv(benchmark::State& state) {
  std::string text =
      "\"id\",\"type\",\"s1\",\"s2\",\"s3\",\"s4\",\"s5\",\"s6\",\"s7\",\"s8\",\"s9\",\"s10\","
      "\"s11\",\"s12\"\n";
  for (int c = 0; c < kClients; ++c) {
    text += "\"c" + std::to_string(c) + "\",\"gradual_improve\"";
    for (double v : client(static_cast<std::size_t>(c))) {
      text += ',';
      if (!std::isnan(v)) text += std::to_string(static_cast<int>(v));
    }
    text += '\n';
  }
  tandem::io::ReadOptions options;
  for (auto _ : state) {
    auto table = tandem::io::read_scores(tandem::io::MappedFile::from_string(text), options);
    benchmark::DoNotOptimize(table);
  }
  state.SetItemsProcessed(state.iterations() * kClients);
  state.SetBytesProcessed(state.iterations() * static_cast<long long>(text.size()));
}
BENCHMARK(BM_ReadWideCsv);

}  // namespace

BENCHMARK_MAIN();
