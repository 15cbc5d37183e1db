// The expected-trajectory band table as CSV, so a service can export the bands fitted
// on its own episodes and import them elsewhere ("a table a service imports"). Columns:
// intake_lower,intake_upper,stratum_episodes,session,n,p10,p25,p50,p75,p90.
#pragma once

#include <string>

#include "core/status.hpp"
#include "core/trajectory.hpp"
#include "io/mapped_file.hpp"

namespace tandem::io {

core::Result<core::ExpectedTrajectoryTable> read_band_table(MappedFile file);
core::Result<core::ExpectedTrajectoryTable> read_band_table(const std::string& path);
std::string band_table_csv(const core::ExpectedTrajectoryTable& table);

}  // namespace tandem::io
