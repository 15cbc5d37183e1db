// Google Benchmark kernels: the per-client cost of each method on synthetic PHQ-9-like
// series (12 sessions, some missing), and of parsing a wide CSV line. Run by bench/run.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/progress_profile.hpp"
#include "core/reliable_change.hpp"
#include "core/series.hpp"
#include "core/sudden_gains.hpp"
#include "core/trend.hpp"
#include "io/instrument_loader.hpp"
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

// One episode of 12 sessions with two goals, alliance ratings and a moment: the whole
// progress profile (statuses, patterns, signals, evidence).
void BM_ProgressProfile(benchmark::State& state) {
  auto instrument = tandem::io::resolve_instrument("phq9", TANDEM_INSTRUMENT_DIR);
  if (!instrument) {
    state.SkipWithError("phq9 not found");
    return;
  }
  std::vector<tandem::core::Episode> episodes(64);
  for (std::size_t e = 0; e < episodes.size(); ++e) {
    tandem::core::Episode& episode = episodes[e];
    episode.id = "bench";
    episode.goals = {{"sleep", tandem::core::GoalScale::kGbo},
                     {"walks", tandem::core::GoalScale::kGas}};
    const auto scores = client(e);
    for (int s = 0; s < kSessions; ++s) {
      tandem::core::EpisodeSession session;
      session.n = s + 1;
      session.day = s * 7;
      session.score = scores[static_cast<std::size_t>(s)];
      session.alliance = 6 + (s + static_cast<int>(e)) % 5;
      session.goals = {{static_cast<double>(s % 11), static_cast<double>((s + 2) % 11)},
                       {static_cast<double>(s % 5 - 2), static_cast<double>((s + 1) % 5 - 2)}};
      if (s == 5) session.moments.push_back({"laughed", tandem::core::Rater::kClient, ""});
      episode.sessions.push_back(std::move(session));
    }
  }
  tandem::core::ProfileWorkspace workspace;
  tandem::core::Profile profile;
  tandem::core::ProfileOptions options;
  std::size_t i = 0;
  for (auto _ : state) {
    auto status =
        workspace.profile(episodes[i++ % episodes.size()], *instrument, options, nullptr, profile);
    benchmark::DoNotOptimize(status);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProgressProfile);

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
