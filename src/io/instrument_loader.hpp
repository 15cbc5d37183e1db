// Reads instrument definitions (instruments/*.json, format "tandem-instrument/1", documented in
// instruments/schema.md) into core::Instrument values. Every malformed definition is an
// InvalidArgument whose message names the file and the JSON field path, e.g.
// "phq9.json: items[3].options: expected an array". Stateless; thread-safe.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/instrument.hpp"
#include "core/status.hpp"

namespace tandem::io {

// The format tag every definition carries in its "format" field.
inline constexpr std::string_view kInstrumentFormat = "tandem-instrument/1";

// A parsed JSON document -> Instrument. `source` names the definition in messages (the file name).
core::Result<core::Instrument> instrument_from_json(const nlohmann::json& definition,
                                                    std::string_view source);

// JSON text -> Instrument.
core::Result<core::Instrument> parse_instrument(std::string_view text, std::string_view source);

// One definition file. NotFound when it does not exist.
core::Result<core::Instrument> load_instrument(const std::filesystem::path& file);

// Every *.json definition in `directory` (not recursive; schema files skipped), sorted by file
// name. Fails on the first malformed file, and when two files define the same id.
core::Result<std::vector<core::Instrument>> load_instruments(
    const std::filesystem::path& directory);

// "schema.json" and "*.schema.json" describe the format; they are not instruments.
bool is_schema_file(const std::filesystem::path& file);

// "phq9", "PHQ-9", "gad7" ... -> <directory>/<id>.json; anything that looks like a path (has a
// directory separator, a ".json" ending or characters outside [A-Za-z0-9_-]) -> that file.
core::Result<core::Instrument> resolve_instrument(std::string_view name_or_path,
                                                  const std::filesystem::path& directory);

}  // namespace tandem::io
