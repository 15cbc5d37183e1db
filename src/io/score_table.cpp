#include "io/score_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <unordered_map>
#include <utility>

#include "core/series.hpp"
#include "io/csv.hpp"
#include "io/parallel.hpp"

namespace tandem::io {

using core::fail;
using core::Result;
using core::Status;

void SkipReport::add(std::string reason) {
  ++rows;
  if (reasons.size() < kMaxReasons) reasons.push_back(std::move(reason));
}

void SkipReport::merge(const SkipReport& other) {
  rows += other.rows;
  for (const auto& reason : other.reasons) {
    if (reasons.size() < kMaxReasons) reasons.push_back(reason);
  }
}

// Assembles tables; a friend of ScoreTable so the readers stay free functions.
class ScoreTableBuilder {
 public:
  // A wide table with room for `rows` rows; scores are left uninitialised.
  static ScoreTable wide(MappedFile file, std::size_t sessions, std::size_t rows) {
    ScoreTable table;
    table.source_ = std::move(file);
    table.max_sessions_ = sessions;
    table.stride_ = sessions;
    table.ids_.resize(rows);
    table.scores_.resize(rows * sessions);
    return table;
  }
  static std::string_view* ids(ScoreTable& table) { return table.ids_.data(); }
  static double* scores(ScoreTable& table) { return table.scores_.data(); }

  // Closes the gaps left by blank or skipped lines and gathers the pieces' reports.
  template <class Pieces>
  static void finish_wide(ScoreTable& table, Pieces& pieces, std::size_t first_line) {
    const std::size_t stride = table.stride_;
    std::size_t row = 0;
    std::size_t line_base = first_line;
    for (auto& piece : pieces) {
      if (row != piece.first_row && piece.rows > 0) {
        std::copy_n(table.ids_.begin() + static_cast<std::ptrdiff_t>(piece.first_row), piece.rows,
                    table.ids_.begin() + static_cast<std::ptrdiff_t>(row));
        std::copy_n(table.scores_.begin() + static_cast<std::ptrdiff_t>(piece.first_row * stride),
                    piece.rows * stride,
                    table.scores_.begin() + static_cast<std::ptrdiff_t>(row * stride));
      }
      row += piece.rows;
      table.owned_ids_.splice(table.owned_ids_.end(), piece.owned);
      // Reasons were numbered within their piece; make the line numbers global.
      for (auto& reason : piece.skipped.reasons) {
        const std::size_t plus = reason.find('+');
        const std::size_t colon = reason.find(':');
        if (plus != std::string::npos && colon != std::string::npos && plus < colon) {
          const std::size_t local = std::stoul(reason.substr(plus + 1, colon - plus - 1));
          reason = fmt::format("line {}{}", line_base + local, reason.substr(colon));
        }
      }
      table.skipped_.merge(piece.skipped);
      line_base += piece.lines;
    }
    table.ids_.resize(row);
    table.scores_.resize(row * stride);
  }

  static ScoreTable from_groups(MappedFile file, std::vector<std::string_view> ids,
                                std::list<std::string> owned, std::vector<std::size_t> offsets,
                                std::vector<double> scores, std::size_t max_sessions,
                                SkipReport skipped) {
    ScoreTable table;
    table.source_ = std::move(file);
    table.ids_ = std::move(ids);
    table.owned_ids_ = std::move(owned);
    table.offsets_ = std::move(offsets);
    table.scores_.assign(scores.begin(), scores.end());
    table.max_sessions_ = max_sessions;
    table.skipped_ = std::move(skipped);
    return table;
  }
};

namespace {

// Sessions of one client in long input are capped so a typo cannot allocate gigabytes.
constexpr long kMaxSession = 100000;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool ends_with_digit(std::string_view name) {
  return !name.empty() && std::isdigit(static_cast<unsigned char>(name.back()));
}

std::string shown(std::string_view field) {
  constexpr std::size_t kShown = 40;
  if (field.size() <= kShown) return std::string(field);
  return std::string(field.substr(0, kShown)) + "...";
}

// The header line and the body after it.
struct Parsed {
  std::vector<std::string> columns;  // lower-cased, trimmed
  std::vector<std::string> names;    // as written
  std::string_view body;
  std::size_t body_first_line = 2;
};

Result<Parsed> parse_header(const MappedFile& file) {
  std::string_view text = file.text();
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  const std::size_t newline = text.find('\n');
  std::string_view header = text.substr(0, newline);
  if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
  if (trim(header).empty()) {
    return fail(Status::invalid_argument(file.path() + ":1: the file is empty or has no header"));
  }
  FieldSplitter splitter;
  std::vector<std::string_view> fields;
  if (!splitter.split(header, fields)) {
    return fail(Status::invalid_argument(file.path() + ":1: malformed quotes in the header"));
  }
  Parsed parsed;
  for (auto field : fields) {
    parsed.names.emplace_back(trim(field));
    parsed.columns.push_back(lower(trim(field)));
  }
  parsed.body = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
  return parsed;
}

std::optional<std::size_t> find_column(const Parsed& parsed, std::string_view name) {
  for (std::size_t i = 0; i < parsed.columns.size(); ++i) {
    if (parsed.columns[i] == name) return i;
  }
  return std::nullopt;
}

bool is_blank(std::string_view line) { return trim(line).empty(); }

// What is wrong with one row, and in which field (empty message: nothing).
struct RowProblem {
  std::string message;
  std::string field;
};

// Reads field `column` as a number (empty or NA: missing). False, with the problem, when it
// is not a number.
bool number_field(const std::vector<std::string_view>& fields, std::size_t column,
                  const std::string& name, double& value, RowProblem& problem) {
  const NumberKind kind = parse_number(fields[column], value);
  if (kind == NumberKind::kInvalid) {
    problem = {fmt::format("field '{}': '{}' is not a number", name, shown(fields[column])), name};
    return false;
  }
  if (kind == NumberKind::kMissing) value = core::kMissing;
  return true;
}

// The row loop the sequential readers share: splits each non-blank line, checks the
// field count and a non-empty id, then calls row(fields, number, problem). A problem
// stops the read with "FILE:LINE: ..." or, with skip_invalid, skips the row into
// `skipped`. Returns the error that stopped the read, if any.
template <class Row>
std::optional<Status> for_each_row(const MappedFile& file, const Parsed& parsed, std::size_t id_col,
                                   bool skip_invalid, SkipReport& skipped, Row&& row) {
  FieldSplitter splitter;
  std::vector<std::string_view> fields;
  std::optional<Status> error;
  for_each_line(
      parsed.body, parsed.body_first_line, [&](std::string_view line, std::size_t number) {
        if (is_blank(line)) return true;
        RowProblem problem;
        if (!splitter.split(line, fields)) {
          problem.message = "malformed quotes";
        } else if (fields.size() != parsed.columns.size()) {
          problem.message = fmt::format("expected {} fields as in the header, found {}",
                                        parsed.columns.size(), fields.size());
        } else if (trim(fields[id_col]).empty()) {
          problem = {"field 'id': the id is empty", "id"};
        } else {
          row(fields, number, problem);
        }
        if (problem.message.empty()) return true;
        if (!skip_invalid) {
          error = Status::invalid_argument(
              fmt::format("{}:{}: {}", file.path(), number, problem.message), problem.field);
          return false;
        }
        skipped.add(fmt::format("line {}: {}", number, problem.message));
        return true;
      });
  return error;
}

// An error found by a worker: where (line within its piece) and what.
struct LineError {
  std::size_t local_line = 0;
  std::string message;  // without the "FILE:LINE: " prefix
  std::string field;
};

Status line_status(const MappedFile& file, std::size_t line, const LineError& error) {
  return Status::invalid_argument(fmt::format("{}:{}: {}", file.path(), line, error.message),
                                  error.field);
}

// ---- wide ------------------------------------------------------------------------

struct WideLayout {
  std::size_t id_column = 0;
  std::vector<int> session_of_column;  // -1 = not a session column
  std::size_t sessions = 0;
  std::size_t columns = 0;
};

// One piece of the body, parsed by one worker straight into its slice of the final
// table: rows [first_row, first_row + lines in the piece).
struct WidePiece {
  std::string_view* ids = nullptr;  // slice of the table's ids
  double* scores = nullptr;         // slice of the table's scores
  std::size_t first_row = 0;
  std::size_t rows = 0;  // rows written
  std::list<std::string> owned;
  SkipReport skipped;
  std::optional<LineError> error;
  std::size_t lines = 0;
};

std::size_t count_lines(std::string_view text) {
  std::size_t lines = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    const void* hit = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    ++lines;
    if (hit == nullptr) break;
    p = static_cast<const char*>(hit) + 1;
  }
  return lines;
}

void parse_wide_piece(std::string_view text, const WideLayout& layout, const Parsed& parsed,
                      bool skip_invalid, WidePiece& piece) {
  FieldSplitter splitter;
  std::vector<std::string_view> fields;
  fields.reserve(layout.columns);
  for_each_line(text, 0, [&](std::string_view line, std::size_t local) {
    piece.lines = local + 1;
    double* row = piece.scores + piece.rows * layout.sessions;
    if (is_blank(line)) return true;
    std::optional<LineError> problem;
    if (!splitter.split(line, fields)) {
      problem = LineError{local, "malformed quotes", ""};
    } else if (fields.size() != layout.columns) {
      problem = LineError{local,
                          fmt::format("expected {} fields as in the header, found {}",
                                      layout.columns, fields.size()),
                          ""};
    } else if (trim(fields[layout.id_column]).empty()) {
      problem = LineError{
          local, fmt::format("field '{}': the id is empty", parsed.names[layout.id_column]),
          parsed.names[layout.id_column]};
    } else {
      for (std::size_t c = 0; c < fields.size(); ++c) {
        const int session = layout.session_of_column[c];
        if (session < 0) continue;
        double value = 0.0;
        const NumberKind kind = parse_number(fields[c], value);
        if (kind == NumberKind::kInvalid) {
          problem = LineError{
              local,
              fmt::format("field '{}': '{}' is not a number", parsed.names[c], shown(fields[c])),
              parsed.names[c]};
          break;
        }
        row[static_cast<std::size_t>(session)] =
            kind == NumberKind::kMissing ? core::kMissing : value;
      }
    }
    if (problem) {
      if (!skip_invalid) {
        piece.error = std::move(problem);
        return false;
      }
      piece.skipped.add(fmt::format("line +{}: {}", local, problem->message));
      return true;
    }
    std::string_view id = trim(fields[layout.id_column]);
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    if (id.data() < begin || id.data() >= end) id = piece.owned.emplace_back(id);
    piece.ids[piece.rows++] = id;
    return true;
  });
}

Result<ScoreTable> read_wide(MappedFile file, const Parsed& parsed, const ReadOptions& options) {
  WideLayout layout;
  layout.columns = parsed.columns.size();
  layout.session_of_column.assign(layout.columns, -1);
  if (auto id = find_column(parsed, "id")) layout.id_column = *id;
  for (std::size_t c = 0; c < layout.columns; ++c) {
    if (c == layout.id_column || !ends_with_digit(parsed.columns[c])) continue;
    layout.session_of_column[c] = static_cast<int>(layout.sessions++);
  }
  if (layout.sessions == 0) {
    return fail(Status::invalid_argument(
        file.path() + ":1: no session columns: in the wide layout every column after the id "
                      "whose name ends in a number (s1, s2, ...) holds one session's score",
        "header"));
  }
  const std::vector<std::string_view> pieces = split_at_lines(parsed.body, options.threads);
  std::vector<WidePiece> results(pieces.size());
  // Count lines first so every worker parses straight into its slice of one table.
  std::vector<std::size_t> capacity(pieces.size());
  parallel_blocks(pieces.size(), options.threads,
                  [&](std::size_t begin, std::size_t end, std::size_t) {
                    for (std::size_t p = begin; p < end; ++p) capacity[p] = count_lines(pieces[p]);
                  });
  std::size_t total = 0;
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    results[p].first_row = total;
    total += capacity[p];
  }
  ScoreTable table = ScoreTableBuilder::wide(std::move(file), layout.sessions, total);
  for (auto& piece : results) {
    piece.ids = ScoreTableBuilder::ids(table) + piece.first_row;
    piece.scores = ScoreTableBuilder::scores(table) + piece.first_row * layout.sessions;
  }
  parallel_blocks(pieces.size(), options.threads,
                  [&](std::size_t begin, std::size_t end, std::size_t) {
                    for (std::size_t p = begin; p < end; ++p) {
                      parse_wide_piece(pieces[p], layout, parsed, options.skip_invalid, results[p]);
                    }
                  });

  std::size_t line_base = parsed.body_first_line;
  for (auto& piece : results) {
    if (piece.error) {
      return fail(line_status(table.source(), line_base + piece.error->local_line, *piece.error));
    }
    line_base += piece.lines;
  }
  ScoreTableBuilder::finish_wide(table, results, parsed.body_first_line);
  return table;
}

}  // namespace

namespace {

// ---- long ------------------------------------------------------------------------

struct LongRecord {
  std::string_view id;
  long session;
  double score;
  std::size_t line;
};

Result<ScoreTable> read_long(MappedFile file, const Parsed& parsed, const ReadOptions& options) {
  const auto id_col = find_column(parsed, "id");
  const auto session_col = find_column(parsed, "session");
  const auto score_col = find_column(parsed, "score");
  if (!id_col || !session_col || !score_col) {
    return fail(Status::invalid_argument(
        file.path() + ":1: the long layout needs the columns id, session and score", "header"));
  }
  std::vector<LongRecord> records;
  std::list<std::string> owned;
  SkipReport skipped;
  const std::string_view body = parsed.body;
  auto error = for_each_row(
      file, parsed, *id_col, options.skip_invalid, skipped,
      [&](const std::vector<std::string_view>& fields, std::size_t number, RowProblem& problem) {
        double session = 0.0;
        double score = 0.0;
        if (parse_number(fields[*session_col], session) != NumberKind::kValue ||
            session != static_cast<double>(static_cast<long>(session)) || session < 1 ||
            session > kMaxSession) {
          problem = {fmt::format("field 'session': '{}' is not a session number (a whole number "
                                 "from 1)",
                                 shown(fields[*session_col])),
                     "session"};
          return;
        }
        if (!number_field(fields, *score_col, "score", score, problem)) return;
        std::string_view id = trim(fields[*id_col]);
        if (id.data() < body.data() || id.data() >= body.data() + body.size()) {
          id = owned.emplace_back(id);
        }
        records.push_back({id, static_cast<long>(session), score, number});
      });
  if (error) return fail(*error);

  // Group by id in order of first appearance, then order each client's sessions.
  std::unordered_map<std::string_view, std::size_t> index;
  std::vector<std::string_view> ids;
  std::vector<std::size_t> client_of(records.size());
  for (std::size_t r = 0; r < records.size(); ++r) {
    auto [it, inserted] = index.try_emplace(records[r].id, ids.size());
    if (inserted) ids.push_back(records[r].id);
    client_of[r] = it->second;
  }
  std::vector<std::size_t> length(ids.size(), 0);
  for (std::size_t r = 0; r < records.size(); ++r) {
    length[client_of[r]] = std::max<std::size_t>(length[client_of[r]], records[r].session);
  }
  std::vector<std::size_t> offsets(ids.size() + 1, 0);
  std::size_t max_sessions = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    offsets[i + 1] = offsets[i] + length[i];
    max_sessions = std::max(max_sessions, length[i]);
  }
  std::vector<double> scores(offsets.back(), core::kMissing);
  std::vector<std::size_t> seen_line(offsets.back(), 0);
  for (std::size_t r = 0; r < records.size(); ++r) {
    const std::size_t slot =
        offsets[client_of[r]] + static_cast<std::size_t>(records[r].session) - 1;
    if (seen_line[slot] != 0) {
      return fail(Status::invalid_argument(
          fmt::format("{}:{}: field 'session': client '{}' already has session {} (line {})",
                      file.path(), records[r].line, shown(records[r].id), records[r].session,
                      seen_line[slot]),
          "session"));
    }
    seen_line[slot] = records[r].line;
    scores[slot] = records[r].score;
  }
  return ScoreTableBuilder::from_groups(std::move(file), std::move(ids), std::move(owned),
                                        std::move(offsets), std::move(scores), max_sessions,
                                        std::move(skipped));
}

Layout detect_layout(const Parsed& parsed) {
  if (find_column(parsed, "session") && find_column(parsed, "score")) return Layout::kLong;
  return Layout::kWide;
}

}  // namespace

Result<ScoreTable> read_scores(MappedFile file, const ReadOptions& options) {
  auto parsed = parse_header(file);
  if (!parsed) return fail(parsed.error());
  const Layout layout = options.layout == Layout::kAuto ? detect_layout(*parsed) : options.layout;
  if (layout == Layout::kLong) return read_long(std::move(file), *parsed, options);
  return read_wide(std::move(file), *parsed, options);
}

Result<ScoreTable> read_scores(const std::string& path, const ReadOptions& options) {
  auto file = MappedFile::open(path);
  if (!file) return fail(file.error());
  return read_scores(std::move(*file), options);
}

// ---- pre/post --------------------------------------------------------------------

Result<PrePostTable> read_pre_post(MappedFile file, const ReadOptions& options) {
  auto parsed = parse_header(file);
  if (!parsed) return fail(parsed.error());
  const auto pre_col = find_column(*parsed, "pre");
  const auto post_col = find_column(*parsed, "post");
  PrePostTable table;
  if (!pre_col || !post_col) {
    // A score table: first and last non-missing score.
    auto scores = read_scores(std::move(file), options);
    if (!scores) return fail(scores.error());
    for (std::size_t i = 0; i < scores->size(); ++i) {
      const auto row = scores->row(i);
      double pre = core::kMissing;
      double post = core::kMissing;
      std::size_t first = row.size();
      for (std::size_t k = 0; k < row.size(); ++k) {
        if (!core::is_missing(row[k])) {
          first = k;
          pre = row[k];
          break;
        }
      }
      for (std::size_t k = row.size(); k-- > first + 1;) {
        if (!core::is_missing(row[k])) {
          post = row[k];
          break;
        }
      }
      table.ids.emplace_back(scores->id(i));
      table.pre.push_back(pre);
      table.post.push_back(post);
    }
    table.skipped = scores->skipped();
    return table;
  }
  const std::size_t id_col = find_column(*parsed, "id").value_or(0);
  auto error = for_each_row(
      file, *parsed, id_col, options.skip_invalid, table.skipped,
      [&](const std::vector<std::string_view>& fields, std::size_t, RowProblem& problem) {
        double pre = 0.0;
        double post = 0.0;
        if (!number_field(fields, *pre_col, parsed->names[*pre_col], pre, problem) ||
            !number_field(fields, *post_col, parsed->names[*post_col], post, problem)) {
          return;
        }
        table.ids.emplace_back(trim(fields[id_col]));
        table.pre.push_back(pre);
        table.post.push_back(post);
      });
  if (error) return fail(*error);
  return table;
}

Result<PrePostTable> read_pre_post(const std::string& path, const ReadOptions& options) {
  auto file = MappedFile::open(path);
  if (!file) return fail(file.error());
  return read_pre_post(std::move(*file), options);
}

// ---- goals -----------------------------------------------------------------------

Result<GoalTable> read_goals(MappedFile file, const ReadOptions& options) {
  auto parsed = parse_header(file);
  if (!parsed) return fail(parsed.error());
  const auto id_col = find_column(*parsed, "id");
  const auto goal_col = find_column(*parsed, "goal");
  const auto score_col = find_column(*parsed, "score");
  const auto weight_col = find_column(*parsed, "weight");
  if (!id_col || !goal_col || !score_col) {
    return fail(Status::invalid_argument(
        file.path() + ":1: GAS input needs the columns id, goal, score (and optionally weight)",
        "header"));
  }
  struct Goal {
    std::string goal;
    double score;
    double weight;
  };
  std::unordered_map<std::string, std::size_t> index;
  std::vector<std::vector<Goal>> goals;
  GoalTable table;
  auto error = for_each_row(
      file, *parsed, *id_col, options.skip_invalid, table.skipped,
      [&](const std::vector<std::string_view>& fields, std::size_t, RowProblem& problem) {
        double score = 0.0;
        double weight = 1.0;
        if (!number_field(fields, *score_col, "score", score, problem)) return;
        if (weight_col && !number_field(fields, *weight_col, "weight", weight, problem)) return;
        std::string id(trim(fields[*id_col]));
        auto [it, inserted] = index.try_emplace(id, goals.size());
        if (inserted) {
          table.ids.push_back(id);
          goals.emplace_back();
        }
        goals[it->second].push_back({std::string(trim(fields[*goal_col])), score, weight});
      });
  if (error) return fail(*error);
  for (const auto& client : goals) {
    for (const auto& goal : client) {
      table.goal_ids.push_back(goal.goal);
      table.scores.push_back(goal.score);
      table.weights.push_back(goal.weight);
    }
    table.offsets.push_back(table.scores.size());
  }
  return table;
}

Result<GoalTable> read_goals(const std::string& path, const ReadOptions& options) {
  auto file = MappedFile::open(path);
  if (!file) return fail(file.error());
  return read_goals(std::move(*file), options);
}

}  // namespace tandem::io
