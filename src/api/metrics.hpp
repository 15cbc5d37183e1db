// Request metrics for /metrics in the Prometheus text format (version 0.0.4):
// tandem_http_requests_total{route,method,status} and the latency histogram
// tandem_http_request_duration_seconds{route,method}. Labels are route patterns, never
// raw paths, so their number stays bounded. Thread-safe (one mutex; a request takes it
// once, after its response is written). render_pool() adds the store's connection-pool
// gauges, read fresh at each scrape.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "core/ports.hpp"

namespace tandem::api {

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds (Prometheus client defaults plus
  // finer steps under 5 ms, where a healthy API answers).
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};

  void record(std::string_view route, std::string_view method, int status, double seconds);
  [[nodiscard]] std::uint64_t requests(std::string_view route, std::string_view method,
                                       int status) const;
  // The exposition text, with # HELP and # TYPE lines.
  [[nodiscard]] std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> counts_;
  std::map<std::pair<std::string, std::string>, Histogram> latency_;
};

// tandem_db_pool_size, tandem_db_pool_connections{state="idle"|"in_use"} and
// tandem_db_pool_waits_total, with # HELP and # TYPE lines; empty for a store without a pool.
std::string render_pool(const std::optional<core::PoolStats>& pool);

}  // namespace tandem::api
