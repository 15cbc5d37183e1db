#include "io/trajectory_table.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "io/csv.hpp"

namespace tandem::io {

using core::fail;
using core::Status;

namespace {

constexpr std::array<const char*, 10> kColumns = {
    "intake_lower", "intake_upper", "stratum_episodes", "session", "n", "p10", "p25", "p50",
    "p75",          "p90"};

}  // namespace

core::Result<core::ExpectedTrajectoryTable> read_band_table(MappedFile file) {
  core::ExpectedTrajectoryTable table;
  FieldSplitter splitter;
  std::vector<std::string_view> fields;
  std::array<std::size_t, kColumns.size()> index{};
  std::optional<Status> error;
  bool header = true;
  for_each_line(file.text(), 1, [&](std::string_view line, std::size_t number) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return true;
    if (!splitter.split(line, fields)) {
      error = Status::invalid_argument(fmt::format("{}:{}: malformed quotes", file.path(), number));
      return false;
    }
    if (header) {
      for (std::size_t c = 0; c < kColumns.size(); ++c) {
        std::optional<std::size_t> found;
        for (std::size_t f = 0; f < fields.size(); ++f) {
          if (fields[f] == kColumns[c]) found = f;
        }
        if (!found) {
          error = Status::invalid_argument(
              fmt::format("{}:1: the band table needs a column '{}'", file.path(), kColumns[c]),
              kColumns[c]);
          return false;
        }
        index[c] = *found;
      }
      header = false;
      return true;
    }
    std::array<double, kColumns.size()> v{};
    for (std::size_t c = 0; c < kColumns.size(); ++c) {
      if (index[c] >= fields.size() || parse_number(fields[index[c]], v[c]) != NumberKind::kValue) {
        error = Status::invalid_argument(
            fmt::format("{}:{}: field '{}': expected a number", file.path(), number, kColumns[c]),
            kColumns[c]);
        return false;
      }
    }
    core::ExpectedTrajectoryRow row;
    row.intake_lower = v[0];
    row.intake_upper = v[1];
    row.stratum_episodes = static_cast<std::size_t>(v[2]);
    row.session = static_cast<int>(v[3]);
    row.n = static_cast<std::size_t>(v[4]);
    row.band = core::PercentileBand{v[5], v[6], v[7], v[8], v[9]};
    table.rows.push_back(row);
    return true;
  });
  if (error) return fail(*error);
  return table;
}

core::Result<core::ExpectedTrajectoryTable> read_band_table(const std::string& path) {
  auto file = MappedFile::open(path);
  if (!file) return fail(file.error());
  return read_band_table(std::move(*file));
}

std::string band_table_csv(const core::ExpectedTrajectoryTable& table) {
  std::string out;
  for (std::size_t c = 0; c < kColumns.size(); ++c) {
    out += c == 0 ? "" : ",";
    out += kColumns[c];
  }
  out += '\n';
  for (const auto& r : table.rows) {
    fmt::format_to(std::back_inserter(out), "{},{},{},{},{},{},{},{},{},{}\n", r.intake_lower,
                   r.intake_upper, r.stratum_episodes, r.session, r.n, r.band.p10, r.band.p25,
                   r.band.p50, r.band.p75, r.band.p90);
  }
  return out;
}

}  // namespace tandem::io
