#include "io/episode_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "core/record.hpp"
#include "io/csv.hpp"

namespace tandem::io {

using core::fail;
using core::Result;
using core::Status;
using nlohmann::json;

namespace {

// Errors while reading one episode: the field path and what is wrong with it.
struct FieldError {
  std::string path;
  std::string message;
};

class Reader {
 public:
  std::optional<FieldError> error;

  const json* member(const json& object, const std::string& path, const char* name, bool required) {
    auto it = object.find(name);
    if (it == object.end() || it->is_null()) {
      if (required) fail_at(join(path, name), "is required");
      return nullptr;
    }
    return &*it;
  }

  std::string text(const json& value, const std::string& path) {
    if (!value.is_string()) {
      fail_at(path, fmt::format("expected a string, got {}", value.type_name()));
      return {};
    }
    return value.get<std::string>();
  }

  double number(const json& value, const std::string& path, double lo, double hi) {
    if (!value.is_number()) {
      fail_at(path, fmt::format("expected a number, got {}", value.type_name()));
      return core::kMissing;
    }
    const double v = value.get<double>();
    if (!std::isfinite(v) || v < lo || v > hi) {
      fail_at(path, fmt::format("{} is outside {}..{}", v, lo, hi));
      return core::kMissing;
    }
    return v;
  }

  bool boolean(const json& value, const std::string& path) {
    if (!value.is_boolean()) {
      fail_at(path, fmt::format("expected true or false, got {}", value.type_name()));
      return false;
    }
    return value.get<bool>();
  }

  void fail_at(std::string path, std::string message) {
    if (!error) error = FieldError{std::move(path), std::move(message)};
  }

  static std::string join(const std::string& path, const char* name) {
    return path.empty() ? std::string(name) : path + "." + name;
  }
};

void read_goals(Reader& r, const json& doc, core::Episode& episode) {
  const json* goals = r.member(doc, "", "goals", false);
  if (goals == nullptr) return;
  if (!goals->is_array()) return r.fail_at("goals", "expected an array");
  for (std::size_t i = 0; i < goals->size() && !r.error; ++i) {
    const std::string path = fmt::format("goals[{}]", i);
    const json& goal = (*goals)[i];
    if (!goal.is_object()) return r.fail_at(path, "expected an object");
    core::EpisodeGoal g;
    if (const json* id = r.member(goal, path, "id", true)) g.id = r.text(*id, path + ".id");
    if (const json* scale = r.member(goal, path, "scale", true)) {
      const auto parsed = core::parse_goal_scale(r.text(*scale, path + ".scale"));
      if (!parsed && !r.error) r.fail_at(path + ".scale", "expected gbo or gas");
      if (parsed) g.scale = *parsed;
    }
    episode.goals.push_back(std::move(g));
  }
}

std::optional<std::size_t> goal_index(const core::Episode& episode, const std::string& id) {
  for (std::size_t g = 0; g < episode.goals.size(); ++g) {
    if (episode.goals[g].id == id) return g;
  }
  return std::nullopt;
}

void read_session(Reader& r, const json& s, const std::string& path, core::Episode& episode) {
  core::EpisodeSession session;
  session.goals.assign(episode.goals.size(), core::GoalRating{});
  if (const json* n = r.member(s, path, "n", true)) {
    session.n = static_cast<int>(r.number(*n, path + ".n", 1, core::kMaxSessionNumber));
    if (!r.error && static_cast<double>(session.n) != n->get<double>()) {
      r.fail_at(path + ".n", "expected a whole number");
    }
  }
  if (const json* date = r.member(s, path, "date", true)) {
    const std::string text = r.text(*date, path + ".date");
    const auto day = core::parse_date(text);
    if (!day && !r.error)
      r.fail_at(path + ".date", fmt::format("'{}' is not a date (YYYY-MM-DD)", text));
    if (day) session.day = *day;
  }
  if (const json* attendance = r.member(s, path, "attendance", true)) {
    const auto parsed = core::parse_attendance(r.text(*attendance, path + ".attendance"));
    if (!parsed && !r.error) r.fail_at(path + ".attendance", "expected attended, cancelled or dna");
    if (parsed) session.attendance = *parsed;
  }
  if (const json* v = r.member(s, path, "score", false))
    session.score = r.number(*v, path + ".score", -1e9, 1e9);
  if (const json* v = r.member(s, path, "item9", false))
    session.item9 = r.number(*v, path + ".item9", 0, 3);
  if (const json* v = r.member(s, path, "felt_hard", false))
    session.felt_hard = r.boolean(*v, path + ".felt_hard");
  if (const json* v = r.member(s, path, "alliance", false))
    session.alliance = r.number(*v, path + ".alliance", 0, 10);
  if (const json* goals = r.member(s, path, "goals", false)) {
    if (!goals->is_object()) {
      r.fail_at(path + ".goals", "expected an object of goal id -> {client, therapist}");
    } else {
      for (auto it = goals->begin(); it != goals->end() && !r.error; ++it) {
        const std::string gpath = path + ".goals." + it.key();
        const auto index = goal_index(episode, it.key());
        if (!index) {
          r.fail_at(gpath, "no goal with this id in the episode's goals");
          break;
        }
        if (!it->is_object()) {
          r.fail_at(gpath, "expected {\"client\": x, \"therapist\": y}");
          break;
        }
        const bool gas = episode.goals[*index].scale == core::GoalScale::kGas;
        const double lo = gas ? -2 : 0;
        const double hi = gas ? 2 : 10;
        if (const json* c = r.member(*it, gpath, "client", false)) {
          session.goals[*index].client = r.number(*c, gpath + ".client", lo, hi);
        }
        if (const json* t = r.member(*it, gpath, "therapist", false)) {
          session.goals[*index].therapist = r.number(*t, gpath + ".therapist", lo, hi);
        }
      }
    }
  }
  if (const json* moments = r.member(s, path, "moments", false)) {
    if (!moments->is_array()) {
      r.fail_at(path + ".moments", "expected an array");
    } else {
      for (std::size_t m = 0; m < moments->size() && !r.error; ++m) {
        const std::string mpath = fmt::format("{}.moments[{}]", path, m);
        const json& item = (*moments)[m];
        if (!item.is_object()) {
          r.fail_at(mpath, "expected an object");
          break;
        }
        core::Moment moment;
        if (const json* tag = r.member(item, mpath, "tag", true))
          moment.tag = r.text(*tag, mpath + ".tag");
        if (const json* by = r.member(item, mpath, "by", true)) {
          const auto rater = core::parse_rater(r.text(*by, mpath + ".by"));
          if (!rater && !r.error) r.fail_at(mpath + ".by", "expected client or therapist");
          if (rater) moment.by = *rater;
        }
        if (const json* t = r.member(item, mpath, "text", false))
          moment.text = r.text(*t, mpath + ".text");
        session.moments.push_back(std::move(moment));
      }
    }
  }
  episode.sessions.push_back(std::move(session));
}

}  // namespace

Result<EpisodeInput> parse_episode_json(std::string_view text, std::string_view source,
                                        std::size_t line) {
  const auto where = [&](const std::string& path, const std::string& message) {
    return Status::invalid_argument(fmt::format("{}:{}: {}: {}", source, line, path, message),
                                    path);
  };
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(where("line", "not valid JSON"));
  if (!doc.is_object()) return fail(where("line", "expected a JSON object (one episode per line)"));
  Reader r;
  EpisodeInput input;
  input.line = line;
  if (const json* id = r.member(doc, "", "id", true)) input.episode.id = r.text(*id, "id");
  if (const json* instrument = r.member(doc, "", "instrument", true)) {
    input.instrument = r.text(*instrument, "instrument");
  }
  if (!r.error) read_goals(r, doc, input.episode);
  if (const json* revised = r.member(doc, "", "definition_revised_session", false)) {
    input.episode.definition_revised_session = static_cast<int>(
        r.number(*revised, "definition_revised_session", 0, core::kMaxSessionNumber));
  }
  if (const json* ended = r.member(doc, "", "ended", false))
    input.episode.ended = r.boolean(*ended, "ended");
  if (!r.error) {
    const json* sessions = r.member(doc, "", "sessions", true);
    if (sessions != nullptr && !sessions->is_array()) r.fail_at("sessions", "expected an array");
    if (sessions != nullptr && sessions->is_array()) {
      for (std::size_t i = 0; i < sessions->size() && !r.error; ++i) {
        const std::string path = fmt::format("sessions[{}]", i);
        if (!(*sessions)[i].is_object()) {
          r.fail_at(path, "expected an object");
          break;
        }
        read_session(r, (*sessions)[i], path, input.episode);
      }
    }
  }
  if (r.error) return fail(where(r.error->path, r.error->message));
  if (Status status = core::validate(input.episode); !status.is_ok()) {
    return fail(where(status.field().empty() ? "episode" : status.field(), status.message()));
  }
  return input;
}

Result<EpisodeFile> read_episodes_jsonl(MappedFile file, const ReadOptions& options) {
  EpisodeFile out;
  std::optional<Status> error;
  for_each_line(file.text(), 1, [&](std::string_view line, std::size_t number) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return true;
    auto episode = parse_episode_json(line, file.path(), number);
    if (!episode) {
      if (!options.skip_invalid) {
        error = episode.error();
        return false;
      }
      out.skipped.add(episode.error().message());
      return true;
    }
    out.episodes.push_back(std::move(*episode));
    return true;
  });
  if (error) return fail(*error);
  return out;
}

namespace {

struct GoalColumn {
  std::size_t column;
  std::size_t goal;  // index into the episode's goals
  core::Rater rater;
};

struct CsvLayout {
  std::optional<std::size_t> id, session, score, date, attendance, item9, felt_hard, alliance,
      moments;
  std::vector<core::EpisodeGoal> goals;
  std::vector<GoalColumn> goal_columns;
};

std::string lower_trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "gbo:sleep:client" -> scale, goal id, rater.
bool parse_goal_header(const std::string& name, core::GoalScale& scale, std::string& goal,
                       core::Rater& rater) {
  const std::size_t first = name.find(':');
  const std::size_t last = name.rfind(':');
  if (first == std::string::npos || first == last) return false;
  const auto parsed_scale = core::parse_goal_scale(name.substr(0, first));
  const auto parsed_rater = core::parse_rater(name.substr(last + 1));
  if (!parsed_scale || !parsed_rater || last == first + 1) return false;
  scale = *parsed_scale;
  rater = *parsed_rater;
  goal = name.substr(first + 1, last - first - 1);
  return true;
}

Result<CsvLayout> csv_layout(const std::vector<std::string_view>& header, std::string_view source) {
  CsvLayout layout;
  for (std::size_t c = 0; c < header.size(); ++c) {
    const std::string name = lower_trim(header[c]);
    std::optional<std::size_t>* slot = nullptr;
    if (name == "id") slot = &layout.id;
    if (name == "session") slot = &layout.session;
    if (name == "score") slot = &layout.score;
    if (name == "date") slot = &layout.date;
    if (name == "attendance") slot = &layout.attendance;
    if (name == "item9") slot = &layout.item9;
    if (name == "felt_hard") slot = &layout.felt_hard;
    if (name == "alliance") slot = &layout.alliance;
    if (name == "moments") slot = &layout.moments;
    if (slot != nullptr) {
      *slot = c;
      continue;
    }
    core::GoalScale scale{};
    core::Rater rater{};
    std::string goal;
    if (!parse_goal_header(name, scale, goal, rater)) continue;  // other columns are ignored
    std::size_t index = layout.goals.size();
    for (std::size_t g = 0; g < layout.goals.size(); ++g) {
      if (layout.goals[g].id == goal) index = g;
    }
    if (index == layout.goals.size()) layout.goals.push_back({goal, scale});
    if (layout.goals[index].scale != scale) {
      return fail(Status::invalid_argument(
          fmt::format("{}:1: goal '{}' has columns on two scales", source, goal), name));
    }
    layout.goal_columns.push_back({c, index, rater});
  }
  if (!layout.id || !layout.session) {
    return fail(Status::invalid_argument(
        fmt::format("{}:1: episode rows need the columns id and session", source), "header"));
  }
  return layout;
}

// One CSV row's session, or the problem with it (column name, message).
std::optional<std::pair<std::string, std::string>> read_csv_session(
    const CsvLayout& layout, const std::vector<std::string_view>& fields,
    core::EpisodeSession& session) {
  const auto number = [&](std::size_t column, double& out) {
    return parse_number(fields[column], out);
  };
  double n = 0;
  if (number(*layout.session, n) != NumberKind::kValue || n != std::floor(n) || n < 1 ||
      n > core::kMaxSessionNumber) {
    return std::pair{std::string("session"),
                     std::string("is not a session number (a whole number from 1)")};
  }
  session.n = static_cast<int>(n);
  session.day = (session.n - 1) * 7;  // weekly when no date is given
  if (layout.date && !fields[*layout.date].empty()) {
    const auto day = core::parse_date(fields[*layout.date]);
    if (!day)
      return std::pair{std::string("date"),
                       fmt::format("'{}' is not a date (YYYY-MM-DD)", fields[*layout.date])};
    session.day = *day;
  }
  if (layout.attendance && !fields[*layout.attendance].empty()) {
    const auto attendance = core::parse_attendance(fields[*layout.attendance]);
    if (!attendance)
      return std::pair{std::string("attendance"),
                       std::string("expected attended, cancelled or dna")};
    session.attendance = *attendance;
  }
  const struct {
    const std::optional<std::size_t>& column;
    double* target;
    const char* name;
  } numbers[] = {{layout.score, &session.score, "score"},
                 {layout.item9, &session.item9, "item9"},
                 {layout.alliance, &session.alliance, "alliance"}};
  for (const auto& item : numbers) {
    if (!item.column) continue;
    double value = 0;
    const NumberKind kind = number(*item.column, value);
    if (kind == NumberKind::kInvalid)
      return std::pair{std::string(item.name), std::string("is not a number")};
    *item.target = kind == NumberKind::kMissing ? core::kMissing : value;
  }
  if (layout.felt_hard) {
    const std::string text = lower_trim(fields[*layout.felt_hard]);
    if (text == "1" || text == "true" || text == "yes") {
      session.felt_hard = true;
    } else if (!(text.empty() || text == "0" || text == "false" || text == "no")) {
      return std::pair{std::string("felt_hard"), std::string("expected 1/0, true/false or yes/no")};
    }
  }
  for (const auto& goal : layout.goal_columns) {
    double value = 0;
    const NumberKind kind = number(goal.column, value);
    if (kind == NumberKind::kInvalid)
      return std::pair{std::string("goal"), std::string("a goal rating is not a number")};
    if (kind == NumberKind::kMissing) continue;
    auto& rating = session.goals[goal.goal];
    (goal.rater == core::Rater::kClient ? rating.client : rating.therapist) = value;
  }
  if (layout.moments && !fields[*layout.moments].empty()) {
    std::string_view list = fields[*layout.moments];
    while (!list.empty()) {
      const std::size_t cut = list.find(';');
      std::string_view item = list.substr(0, cut);
      const std::size_t slash = item.rfind('/');
      core::Moment moment;
      moment.tag = lower_trim(item.substr(0, slash));
      if (slash != std::string_view::npos) {
        const auto by = core::parse_rater(lower_trim(item.substr(slash + 1)));
        if (!by)
          return std::pair{std::string("moments"),
                           std::string("write each moment as tag/client or tag/therapist")};
        moment.by = *by;
      }
      if (!moment.tag.empty()) session.moments.push_back(std::move(moment));
      if (cut == std::string_view::npos) break;
      list.remove_prefix(cut + 1);
    }
  }
  return std::nullopt;
}

}  // namespace

bool has_episode_columns(std::string_view header_line) {
  FieldSplitter splitter;
  std::vector<std::string_view> fields;
  if (!splitter.split(header_line, fields)) return false;
  for (auto field : fields) {
    const std::string name = lower_trim(field);
    core::GoalScale scale{};
    core::Rater rater{};
    std::string goal;
    if (name == "date" || name == "attendance" || name == "item9" || name == "felt_hard" ||
        name == "alliance" || name == "moments" || parse_goal_header(name, scale, goal, rater)) {
      return true;
    }
  }
  return false;
}

Result<EpisodeFile> read_episodes_csv(MappedFile file, const ReadOptions& options) {
  std::string_view text = file.text();
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  FieldSplitter splitter;
  std::vector<std::string_view> fields;
  std::optional<CsvLayout> layout;
  std::size_t columns = 0;
  EpisodeFile out;
  std::unordered_map<std::string, std::size_t> index;
  std::optional<Status> error;
  for_each_line(text, 1, [&](std::string_view line, std::size_t number) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return true;
    if (!splitter.split(line, fields)) {
      error = Status::invalid_argument(fmt::format("{}:{}: malformed quotes", file.path(), number));
      return false;
    }
    if (!layout) {
      auto parsed = csv_layout(fields, file.path());
      if (!parsed) {
        error = parsed.error();
        return false;
      }
      layout = std::move(*parsed);
      columns = fields.size();
      return true;
    }
    std::optional<std::pair<std::string, std::string>> problem;
    core::EpisodeSession session;
    session.goals.assign(layout->goals.size(), core::GoalRating{});
    if (fields.size() != columns) {
      problem = std::pair{
          std::string(),
          fmt::format("expected {} fields as in the header, found {}", columns, fields.size())};
    } else {
      problem = read_csv_session(*layout, fields, session);
    }
    if (problem) {
      const std::string message =
          problem->first.empty() ? fmt::format("{}:{}: {}", file.path(), number, problem->second)
                                 : fmt::format("{}:{}: field '{}': {}", file.path(), number,
                                               problem->first, problem->second);
      if (!options.skip_invalid) {
        error = Status::invalid_argument(message, problem->first);
        return false;
      }
      out.skipped.add(message);
      return true;
    }
    const std::string id =
        lower_trim(fields[*layout->id]).empty() ? std::string() : std::string(fields[*layout->id]);
    auto [it, inserted] = index.try_emplace(id, out.episodes.size());
    if (inserted) {
      EpisodeInput input;
      input.episode.id = id;
      input.episode.goals = layout->goals;
      input.line = number;
      out.episodes.push_back(std::move(input));
    }
    out.episodes[it->second].episode.sessions.push_back(std::move(session));
    return true;
  });
  if (error) return fail(*error);
  for (auto& input : out.episodes) {
    auto& sessions = input.episode.sessions;
    std::stable_sort(sessions.begin(), sessions.end(),
                     [](const auto& a, const auto& b) { return a.n < b.n; });
    if (Status status = core::validate(input.episode); !status.is_ok()) {
      return fail(Status::invalid_argument(
          fmt::format("{}: episode '{}' (first row at line {}): {}", file.path(), input.episode.id,
                      input.line, status.message()),
          status.field()));
    }
  }
  return out;
}

Result<EpisodeFile> read_episodes_jsonl(const std::string& path, const ReadOptions& options) {
  auto file = MappedFile::open(path);
  if (!file) return fail(file.error());
  return read_episodes_jsonl(std::move(*file), options);
}

}  // namespace tandem::io
