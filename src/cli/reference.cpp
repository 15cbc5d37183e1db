#include "cli/reference.hpp"

#include <fmt/format.h>

#include <vector>

#include "io/instrument_loader.hpp"
#include "io/mapped_file.hpp"
#include "io/trajectory_table.hpp"

namespace tandem::cli {

core::Result<core::ExpectedTrajectory> load_reference(const std::string& path,
                                                      const core::Instrument& instrument,
                                                      const io::ReadOptions& read) {
  auto options = core::trajectory_options(instrument);
  if (!options) return core::fail(options.error());
  auto file = io::MappedFile::open(path);
  if (!file) return core::fail(file.error());
  if (file->text().substr(0, file->text().find('\n')).find("intake_lower") !=
      std::string_view::npos) {
    auto table = io::read_band_table(std::move(*file));
    if (!table) return core::fail(table.error());
    return core::from_table(*table, *options);
  }
  auto scores = io::read_scores(std::move(*file), read);
  if (!scores) return core::fail(scores.error());
  std::vector<std::vector<double>> reference(scores->size());
  for (std::size_t i = 0; i < scores->size(); ++i) {
    const auto row = scores->row(i);
    reference[i].assign(row.begin(), row.end());
  }
  auto model = core::fit_expected_trajectory(reference, *options);
  if (!model) {
    return core::fail(core::Status::invalid_argument(
        fmt::format("{}: {}", path, model.error().message()), "reference"));
  }
  return model;
}

core::Result<std::map<std::string, core::ExpectedTrajectory, std::less<>>> load_references(
    std::string_view list, const std::string& instrument_dir) {
  std::map<std::string, core::ExpectedTrajectory, std::less<>> out;
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view entry = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    const std::size_t equals = entry.find('=');
    if (equals == std::string_view::npos || equals == 0 || equals + 1 == entry.size()) {
      return core::fail(core::Status::invalid_argument(
          fmt::format("expected: '{}' is not INSTRUMENT=FILE (e.g. phq9=bands.csv)", entry),
          "expected"));
    }
    const std::string id(entry.substr(0, equals));
    const std::string path(entry.substr(equals + 1));
    auto instrument = io::resolve_instrument(id, instrument_dir);
    if (!instrument) {
      return core::fail(core::Status::invalid_argument(
          fmt::format("expected: {}: {}", id, instrument.error().message()), "expected"));
    }
    auto model = load_reference(path, *instrument, io::ReadOptions{});
    if (!model) {
      return core::fail(core::Status::invalid_argument(
          fmt::format("expected: {}", model.error().message()), "expected"));
    }
    out.insert_or_assign(instrument->id, std::move(*model));
  }
  return out;
}

}  // namespace tandem::cli
