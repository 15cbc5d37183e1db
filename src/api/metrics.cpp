#include "api/metrics.hpp"

#include <fmt/format.h>

#include <iterator>

namespace tandem::api {
namespace {

// Label values escape backslash, double quote and newline.
std::string label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

void Metrics::record(std::string_view route, std::string_view method, int status, double seconds) {
  std::lock_guard lock(mutex_);
  ++counts_[{std::string(route), std::string(method), status}];
  Histogram& histogram = latency_[{std::string(route), std::string(method)}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++histogram.buckets[i];
  }
  ++histogram.count;
  histogram.sum += seconds;
}

std::uint64_t Metrics::requests(std::string_view route, std::string_view method, int status) const {
  std::lock_guard lock(mutex_);
  auto it = counts_.find({std::string(route), std::string(method), status});
  return it == counts_.end() ? 0 : it->second;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  fmt::memory_buffer out;
  auto to = std::back_inserter(out);
  fmt::format_to(to,
                 "# HELP tandem_http_requests_total HTTP requests served, by route pattern, "
                 "method and status.\n# TYPE tandem_http_requests_total counter\n");
  for (const auto& [key, count] : counts_) {
    const auto& [route, method, status] = key;
    fmt::format_to(to,
                   "tandem_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
                   label(route), label(method), status, count);
  }
  fmt::format_to(to,
                 "# HELP tandem_http_request_duration_seconds Time from routing to the last "
                 "byte of the response.\n# TYPE tandem_http_request_duration_seconds "
                 "histogram\n");
  for (const auto& [key, histogram] : latency_) {
    const std::string labels =
        fmt::format(R"(route="{}",method="{}")", label(key.first), label(key.second));
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      fmt::format_to(to, "tandem_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels,
                     kBuckets[i], histogram.buckets[i]);
    }
    fmt::format_to(to, "tandem_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels,
                   histogram.count);
    fmt::format_to(to, "tandem_http_request_duration_seconds_sum{{{}}} {}\n", labels,
                   histogram.sum);
    fmt::format_to(to, "tandem_http_request_duration_seconds_count{{{}}} {}\n", labels,
                   histogram.count);
  }
  return fmt::to_string(out);
}

std::string render_pool(const std::optional<core::PoolStats>& pool) {
  if (!pool) return {};
  return fmt::format(
      "# HELP tandem_db_pool_size Connections the database pool may hold.\n"
      "# TYPE tandem_db_pool_size gauge\n"
      "tandem_db_pool_size {}\n"
      "# HELP tandem_db_pool_connections Open database connections, idle or lent to a "
      "transaction.\n"
      "# TYPE tandem_db_pool_connections gauge\n"
      "tandem_db_pool_connections{{state=\"idle\"}} {}\n"
      "tandem_db_pool_connections{{state=\"in_use\"}} {}\n"
      "# HELP tandem_db_pool_waits_total Transactions that had to wait for a connection.\n"
      "# TYPE tandem_db_pool_waits_total counter\n"
      "tandem_db_pool_waits_total {}\n",
      pool->size, pool->idle, pool->in_use, pool->waits);
}

}  // namespace tandem::api
