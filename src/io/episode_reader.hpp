// Reads episodes of care for `tandem analyze profile --episodes`: JSON Lines, one
// episode per line, in the schema of docs/episode.schema.json. Every error names the
// file, the line and the field path ("episodes.jsonl:3: sessions[2].attendance: ...").
#pragma once

#include <string>
#include <vector>

#include "core/episode.hpp"
#include "core/status.hpp"
#include "io/score_table.hpp"

namespace tandem::io {

struct EpisodeInput {
  core::Episode episode;
  std::string instrument;  // "phq9", "gad7" or a definition file
  std::size_t line = 0;
};

struct EpisodeFile {
  std::vector<EpisodeInput> episodes;
  SkipReport skipped;
};

core::Result<EpisodeFile> read_episodes_jsonl(const std::string& path, const ReadOptions& options);
core::Result<EpisodeFile> read_episodes_jsonl(MappedFile file, const ReadOptions& options);

// Parses one line; `line` only labels errors.
core::Result<EpisodeInput> parse_episode_json(std::string_view text, std::string_view source,
                                              std::size_t line);

}  // namespace tandem::io
