#include "io/instrument_loader.hpp"

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace tandem::io {
namespace {

using core::Status;
using nlohmann::json;

// A definition is a few kilobytes; anything this large is not one.
constexpr std::uintmax_t kMaxDefinitionBytes = 4u << 20;

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

std::string indexed(const std::string& path, std::size_t index) {
  return fmt::format("{}[{}]", path, index);
}

const char* type_name(const json& value) { return value.type_name(); }

// Walks one definition. The first problem found is kept (with its field path); later reads
// return defaults so the walk can finish without special cases.
class DefinitionReader {
 public:
  explicit DefinitionReader(std::string source) : source_(std::move(source)) {}

  core::Result<core::Instrument> read(const json& root) {
    if (!root.is_object()) {
      return core::fail(Status::invalid_argument(fmt::format(
          "{}: expected a JSON object at the top level, got {}", source_, type_name(root))));
    }
    only_known(root, "",
               {"format",
                "id",
                "name",
                "version",
                "licence",
                "codes",
                "preamble",
                "direction",
                "range",
                "options",
                "items",
                "max_missing",
                "prorate",
                "prorate_rounding",
                "bands",
                "caseness_cutoff",
                "reliable_change_threshold",
                "reliability",
                "rci_sd",
                "crisis_item",
                "crisis_min_value",
                "sources"});
    if (const std::string format = string_at(root, "format", "", true);
        !failed() && format != kInstrumentFormat) {
      problem("format", fmt::format(R"(expected "{}", got "{}")", kInstrumentFormat, format));
    }

    core::Instrument instrument;
    instrument.id = string_at(root, "id", "", true);
    instrument.name = string_at(root, "name", "", true);
    instrument.version = string_at(root, "version", "", false);
    instrument.preamble = string_at(root, "preamble", "", false);
    read_licence(root, instrument);
    read_codes(root, instrument);
    read_direction(root, instrument);
    read_range(root, instrument);
    if (const json* options = member(root, "options", "", false)) {
      instrument.options = options_at(*options, "options");
    }
    read_items(root, instrument);
    read_missing_rule(root, instrument);
    read_bands(root, instrument);
    instrument.caseness_cutoff = number_at(root, "caseness_cutoff", "", false);
    instrument.reliable_change_threshold = number_at(root, "reliable_change_threshold", "", false);
    instrument.reliability = number_at(root, "reliability", "", false);
    instrument.rci_sd = number_at(root, "rci_sd", "", false);
    read_crisis(root, instrument);
    read_sources(root, instrument);
    if (failed()) return core::fail(*error_);

    // Coherence (ranges, bands, thresholds) is the core's rule; name the file here.
    if (Status status = core::validate(instrument); !status.is_ok()) {
      return core::fail(
          Status::invalid_argument(source_ + ": " + status.message(), status.field()));
    }
    return instrument;
  }

 private:
  [[nodiscard]] bool failed() const { return error_.has_value(); }

  void problem(const std::string& path, const std::string& what) {
    if (failed()) return;
    const std::string where = path.empty() ? std::string() : path + ": ";
    error_ = Status::invalid_argument(source_ + ": " + where + what, path);
  }

  void only_known(const json& object, const std::string& path,
                  std::initializer_list<std::string_view> keys) {
    for (const auto& [key, value] : object.items()) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
        problem(join(path, key), "unknown field");
        return;
      }
    }
  }

  const json* member(const json& object, std::string_view key, const std::string& path,
                     bool required) {
    if (failed() || !object.is_object()) return nullptr;
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) problem(join(path, key), "required field is missing");
      return nullptr;
    }
    return &*it;
  }

  const json* object_at(const json& object, std::string_view key, const std::string& path,
                        bool required) {
    const json* value = member(object, key, path, required);
    if (value != nullptr && !value->is_object()) {
      problem(join(path, key), fmt::format("expected an object, got {}", type_name(*value)));
      return nullptr;
    }
    return value;
  }

  const json* array_at(const json& object, std::string_view key, const std::string& path,
                       bool required) {
    const json* value = member(object, key, path, required);
    if (value != nullptr && !value->is_array()) {
      problem(join(path, key), fmt::format("expected an array, got {}", type_name(*value)));
      return nullptr;
    }
    return value;
  }

  std::string string_at(const json& object, std::string_view key, const std::string& path,
                        bool required) {
    const json* value = member(object, key, path, required);
    if (value == nullptr) return {};
    if (!value->is_string()) {
      problem(join(path, key), fmt::format("expected a string, got {}", type_name(*value)));
      return {};
    }
    return value->get<std::string>();
  }

  std::optional<double> number_at(const json& object, std::string_view key, const std::string& path,
                                  bool required) {
    const json* value = member(object, key, path, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_number()) {
      problem(join(path, key), fmt::format("expected a number, got {}", type_name(*value)));
      return std::nullopt;
    }
    return value->get<double>();
  }

  std::optional<int> int_value(const json& value, const std::string& path) {
    if (!value.is_number_integer()) {
      problem(path, fmt::format("expected an integer, got {}",
                                value.is_number() ? value.dump() : type_name(value)));
      return std::nullopt;
    }
    const bool too_big = value.is_number_unsigned() ? value.get<std::uint64_t>() > INT_MAX
                                                    : value.get<std::int64_t>() > INT_MAX;
    const bool too_small = !value.is_number_unsigned() && value.get<std::int64_t>() < INT_MIN;
    if (too_big || too_small) {
      problem(path, fmt::format("{} is out of range for an integer", value.dump()));
      return std::nullopt;
    }
    return value.is_number_unsigned() ? static_cast<int>(value.get<std::uint64_t>())
                                      : static_cast<int>(value.get<std::int64_t>());
  }

  std::optional<int> int_at(const json& object, std::string_view key, const std::string& path,
                            bool required) {
    const json* value = member(object, key, path, required);
    if (value == nullptr) return std::nullopt;
    return int_value(*value, join(path, key));
  }

  std::optional<bool> bool_at(const json& object, std::string_view key, const std::string& path,
                              bool required) {
    const json* value = member(object, key, path, required);
    if (value == nullptr) return std::nullopt;
    if (!value->is_boolean()) {
      problem(join(path, key), fmt::format("expected true or false, got {}", type_name(*value)));
      return std::nullopt;
    }
    return value->get<bool>();
  }

  void read_licence(const json& root, core::Instrument& instrument) {
    const json* licence = object_at(root, "licence", "", true);
    if (licence == nullptr) return;
    only_known(*licence, "licence", {"holder", "notice", "wording_redistributable"});
    instrument.licence.holder = string_at(*licence, "holder", "licence", false);
    instrument.licence.notice = string_at(*licence, "notice", "licence", false);
    instrument.licence.wording_redistributable =
        bool_at(*licence, "wording_redistributable", "licence", true).value_or(false);
  }

  void read_codes(const json& root, core::Instrument& instrument) {
    const json* codes = object_at(root, "codes", "", false);
    if (codes == nullptr) return;
    only_known(*codes, "codes", {"system", "panel", "total", "answer_list"});
    instrument.code_system = string_at(*codes, "system", "codes", false);
    instrument.panel_code = string_at(*codes, "panel", "codes", false);
    instrument.total_code = string_at(*codes, "total", "codes", false);
    instrument.answer_list_code = string_at(*codes, "answer_list", "codes", false);
  }

  void read_direction(const json& root, core::Instrument& instrument) {
    const std::string direction = string_at(root, "direction", "", true);
    if (failed()) return;
    if (direction == "lower_is_better") {
      instrument.direction = core::Direction::kLowerIsBetter;
    } else if (direction == "higher_is_better") {
      instrument.direction = core::Direction::kHigherIsBetter;
    } else {
      problem(
          "direction",
          fmt::format(R"(expected "lower_is_better" or "higher_is_better", got "{}")", direction));
    }
  }

  void read_range(const json& root, core::Instrument& instrument) {
    const json* range = object_at(root, "range", "", true);
    if (range == nullptr) return;
    only_known(*range, "range", {"min", "max"});
    instrument.min_total = number_at(*range, "min", "range", true).value_or(0.0);
    instrument.max_total = number_at(*range, "max", "range", true).value_or(0.0);
  }

  std::vector<core::AnswerOption> options_at(const json& options, const std::string& path) {
    std::vector<core::AnswerOption> result;
    if (failed()) return result;
    if (!options.is_array()) {
      problem(path, fmt::format("expected an array, got {}", type_name(options)));
      return result;
    }
    for (std::size_t i = 0; i < options.size() && !failed(); ++i) {
      const json& option = options[i];
      const std::string at = indexed(path, i);
      if (!option.is_object()) {
        problem(at, fmt::format("expected an object, got {}", type_name(option)));
        break;
      }
      only_known(option, at, {"value", "label", "code"});
      core::AnswerOption parsed;
      parsed.value = int_at(option, "value", at, true).value_or(0);
      parsed.label = string_at(option, "label", at, true);
      parsed.code = string_at(option, "code", at, false);
      result.push_back(std::move(parsed));
    }
    return result;
  }

  void read_items(const json& root, core::Instrument& instrument) {
    const json* items = array_at(root, "items", "", true);
    if (items == nullptr) return;
    for (std::size_t i = 0; i < items->size() && !failed(); ++i) {
      const json& item = (*items)[i];
      const std::string at = indexed("items", i);
      if (!item.is_object()) {
        problem(at, fmt::format("expected an object, got {}", type_name(item)));
        break;
      }
      only_known(item, at, {"id", "text", "code", "reverse", "options"});
      core::InstrumentItem parsed;
      parsed.id = string_at(item, "id", at, true);
      parsed.text = string_at(item, "text", at, false);
      parsed.code = string_at(item, "code", at, false);
      parsed.reverse = bool_at(item, "reverse", at, false).value_or(false);
      if (const json* options = member(item, "options", at, false)) {
        parsed.options = options_at(*options, join(at, "options"));
      }
      instrument.items.push_back(std::move(parsed));
    }
  }

  void read_missing_rule(const json& root, core::Instrument& instrument) {
    instrument.max_missing = int_at(root, "max_missing", "", false).value_or(0);
    instrument.prorate = bool_at(root, "prorate", "", false).value_or(false);
    const std::string rounding = string_at(root, "prorate_rounding", "", false);
    if (rounding.empty() || rounding == "half_up") {
      instrument.rounding = core::ProrateRounding::kHalfUp;
    } else if (rounding == "none") {
      instrument.rounding = core::ProrateRounding::kNone;
    } else {
      problem("prorate_rounding",
              fmt::format(R"(expected "half_up" or "none", got "{}")", rounding));
    }
  }

  void read_bands(const json& root, core::Instrument& instrument) {
    const json* bands = array_at(root, "bands", "", false);
    if (bands == nullptr) return;
    for (std::size_t i = 0; i < bands->size() && !failed(); ++i) {
      const json& band = (*bands)[i];
      const std::string at = indexed("bands", i);
      if (!band.is_object()) {
        problem(at, fmt::format("expected an object, got {}", type_name(band)));
        break;
      }
      only_known(band, at, {"min", "max", "label"});
      core::SeverityBand parsed;
      parsed.min = number_at(band, "min", at, true).value_or(0.0);
      parsed.max = number_at(band, "max", at, true).value_or(0.0);
      parsed.label = string_at(band, "label", at, true);
      instrument.bands.push_back(std::move(parsed));
    }
  }

  void read_crisis(const json& root, core::Instrument& instrument) {
    const std::string item_id = string_at(root, "crisis_item", "", false);
    const std::optional<int> min_value = int_at(root, "crisis_min_value", "", false);
    if (failed()) return;
    if (item_id.empty()) {
      if (min_value.has_value()) problem("crisis_min_value", "given without a crisis_item");
      return;
    }
    const std::optional<std::size_t> index = core::find_item(instrument, item_id);
    if (!index.has_value()) {
      problem("crisis_item", fmt::format("no item with id \"{}\"", item_id));
      return;
    }
    instrument.crisis_item = index;
    if (min_value.has_value()) {
      instrument.crisis_min_value = *min_value;
      return;
    }
    // Default: any answer above the lowest counts as endorsed.
    const std::vector<core::AnswerOption>& options = core::item_options(instrument, *index);
    instrument.crisis_min_value = options.size() > 1 ? options[1].value : 1;
  }

  void read_sources(const json& root, core::Instrument& instrument) {
    const json* sources = object_at(root, "sources", "", false);
    if (sources == nullptr) return;
    for (const auto& [key, value] : sources->items()) {
      if (!value.is_string()) {
        problem(join("sources", key), fmt::format("expected a string, got {}", type_name(value)));
        return;
      }
      instrument.sources.emplace(key, value.get<std::string>());
    }
  }

  std::string source_;
  std::optional<Status> error_;
};

bool looks_like_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

std::string lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return result;
}

std::vector<std::filesystem::path> definition_files(const std::filesystem::path& directory,
                                                    std::error_code& error) {
  std::vector<std::filesystem::path> files;
  std::filesystem::directory_iterator it(directory, error);
  for (; !error && it != std::filesystem::directory_iterator(); it.increment(error)) {
    const std::filesystem::path& path = it->path();
    std::error_code type_error;
    if (path.extension() == ".json" && !is_schema_file(path) &&
        std::filesystem::is_regular_file(path, type_error)) {
      files.push_back(path);
    }
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.filename() < b.filename(); });
  return files;
}

}  // namespace

core::Result<core::Instrument> instrument_from_json(const nlohmann::json& definition,
                                                    std::string_view source) {
  return DefinitionReader(std::string(source)).read(definition);
}

core::Result<core::Instrument> parse_instrument(std::string_view text, std::string_view source) {
  json definition;
  try {
    definition = json::parse(text);
  } catch (const json::exception& e) {
    return core::fail(
        Status::invalid_argument(fmt::format("{}: not valid JSON: {}", source, e.what())));
  }
  return instrument_from_json(definition, source);
}

core::Result<core::Instrument> load_instrument(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    return core::fail(
        Status::not_found(fmt::format("{}: no such instrument definition file", file.string())));
  }
  const std::uintmax_t size = std::filesystem::file_size(file, error);
  if (error) {
    return core::fail(Status::unavailable(fmt::format("{}: {}", file.string(), error.message())));
  }
  if (size > kMaxDefinitionBytes) {
    return core::fail(Status::invalid_argument(
        fmt::format("{}: {} bytes is too large for an instrument definition", name, size)));
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) {
    return core::fail(Status::unavailable(fmt::format("{}: cannot read the file", file.string())));
  }
  return parse_instrument(text.str(), name);
}

core::Result<std::vector<core::Instrument>> load_instruments(
    const std::filesystem::path& directory) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return core::fail(
        Status::not_found(fmt::format("{}: no such instrument directory", directory.string())));
  }
  const std::vector<std::filesystem::path> files = definition_files(directory, error);
  if (error) {
    return core::fail(
        Status::unavailable(fmt::format("{}: {}", directory.string(), error.message())));
  }
  std::vector<core::Instrument> instruments;
  std::map<std::string, std::string> file_of_id;
  for (const std::filesystem::path& file : files) {
    core::Result<core::Instrument> instrument = load_instrument(file);
    if (!instrument) return core::fail(instrument.error());
    const std::string name = file.filename().string();
    if (auto [it, inserted] = file_of_id.emplace(instrument->id, name); !inserted) {
      return core::fail(Status::invalid_argument(
          fmt::format("{}: id: \"{}\" is already defined in {}", name, instrument->id, it->second),
          "id"));
    }
    instruments.push_back(std::move(*instrument));
  }
  return instruments;
}

bool is_schema_file(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  constexpr std::string_view kSuffix = ".schema.json";
  return name == "schema.json" ||
         (name.size() > kSuffix.size() &&
          name.compare(name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0);
}

core::Result<core::Instrument> resolve_instrument(std::string_view name_or_path,
                                                  const std::filesystem::path& directory) {
  if (!looks_like_name(name_or_path)) {
    return load_instrument(std::filesystem::path(std::string(name_or_path)));
  }
  std::string name = lower(name_or_path);
  std::string compact = name;
  compact.erase(
      std::remove_if(compact.begin(), compact.end(), [](char c) { return c == '-' || c == '_'; }),
      compact.end());
  for (const std::string& stem : {name, compact}) {
    const std::filesystem::path file = directory / (stem + ".json");
    std::error_code error;
    if (std::filesystem::is_regular_file(file, error)) return load_instrument(file);
  }
  std::error_code error;
  std::string available;
  for (const std::filesystem::path& file : definition_files(directory, error)) {
    available += available.empty() ? "" : ", ";
    available += file.stem().string();
  }
  return core::fail(Status::not_found(
      fmt::format("unknown instrument \"{}\": no {}.json in {} (available: {})", name_or_path, name,
                  directory.string(), available.empty() ? "none" : available)));
}

}  // namespace tandem::io
