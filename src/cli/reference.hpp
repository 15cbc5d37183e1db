// Expected trajectories from a reference: completed episodes' scores (fitted here) or a
// band table exported by `tandem evaluate-alerts --export-bands`. Used by `tandem analyze
// profile --reference` and `tandem serve --expected`.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/instrument.hpp"
#include "core/status.hpp"
#include "core/trajectory.hpp"
#include "io/score_table.hpp"

namespace tandem::cli {

// Reads a reference of completed episodes (long or wide scores) or an exported band
// table (header intake_lower, intake_upper, stratum_episodes, session, n, p10 ... p90) and
// gives the expected trajectory for `instrument`.
core::Result<core::ExpectedTrajectory> load_reference(const std::string& path,
                                                      const core::Instrument& instrument,
                                                      const io::ReadOptions& read);

// "phq9=bands.csv,gad7=ref.csv": each instrument (shipped id or definition file, looked up
// in `instrument_dir`) with its reference. An empty list gives an empty map.
core::Result<std::map<std::string, core::ExpectedTrajectory, std::less<>>> load_references(
    std::string_view list, const std::string& instrument_dir);

}  // namespace tandem::cli
