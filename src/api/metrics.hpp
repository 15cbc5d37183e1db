// Request metrics for /metrics in the Prometheus text format (version 0.0.4):
// tandem_http_requests_total{route,method,status} and the latency histogram
// tandem_http_request_duration_seconds{route,method}. Labels are route patterns, never
// raw paths, so their number stays bounded. Thread-safe (one mutex; a request takes it
// once, after its response is written).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

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

}  // namespace tandem::api
