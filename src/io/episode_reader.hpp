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

// Episodes from a long CSV: id, session, score and any of the optional columns date
// (YYYY-MM-DD), attendance (attended|cancelled|dna), item9, felt_hard (1/0, true/false),
// alliance (0-10), moments ("tag/by;tag/by", by = client|therapist) and goal ratings in
// columns named SCALE:GOAL:RATER (e.g. gbo:sleep:client, gas:walks:therapist). Episodes
// come out in order of first appearance, sessions by number. Errors name file, line and
// column.
core::Result<EpisodeFile> read_episodes_csv(MappedFile file, const ReadOptions& options);

// True when a CSV header carries any episode column beyond id, session and score.
bool has_episode_columns(std::string_view header_line);

// Parses one line; `line` only labels errors.
core::Result<EpisodeInput> parse_episode_json(std::string_view text, std::string_view source,
                                              std::size_t line);

}  // namespace tandem::io
