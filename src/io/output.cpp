#include "io/output.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "io/csv.hpp"

namespace tandem::io {

using core::Status;

core::Result<Format> parse_format(std::string_view name) {
  if (name == "csv") return Format::kCsv;
  if (name == "json") return Format::kJson;
  if (name == "table") return Format::kTable;
  if (name == "jsonl") return Format::kJsonLines;
  return core::fail(Status::invalid_argument(
      fmt::format("--format: '{}' is not one of csv, json, jsonl, table", name), "format"));
}

namespace {

// Table cells are separated by a unit separator so they can be split again at commit.
constexpr char kCellSeparator = '\x1f';
constexpr char kRowSeparator = '\x1e';

void append_json_string(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

}  // namespace

void RowBuffer::begin_row() {
  column_ = 0;
  written_ = 0;
  if (is_json()) data_ += '{';
}

bool RowBuffer::key() {
  const std::size_t column = column_++;
  if (!selected_.empty() && !selected_[column]) return false;
  if (written_++ > 0) data_ += format_ == Format::kTable ? kCellSeparator : ',';
  if (is_json()) {
    append_json_string(data_, (*columns_)[column]);
    data_ += ':';
  }
  return true;
}

void RowBuffer::text(std::string_view value) {
  if (!key()) return;
  if (format_ == Format::kCsv) append_csv_field(data_, value);
  if (is_json()) append_json_string(data_, value);
  if (format_ == Format::kTable) data_.append(value);
}

void RowBuffer::integer(long long value) {
  if (!key()) return;
  fmt::format_to(std::back_inserter(data_), "{}", value);
}

void RowBuffer::number(double value) {
  if (!key()) return;
  if (std::isnan(value)) {
    if (is_json()) data_ += "null";
    return;
  }
  if (std::isinf(value)) {
    // R writes Inf; JSON has no infinity, so it becomes a string there.
    const char* text = value > 0 ? "Inf" : "-Inf";
    if (is_json())
      append_json_string(data_, text);
    else
      data_ += text;
    return;
  }
  if (format_ == Format::kTable) {
    if (value == std::round(value)) {
      fmt::format_to(std::back_inserter(data_), "{}", value);
    } else {
      fmt::format_to(std::back_inserter(data_), "{:.2f}", value);
    }
    return;
  }
  // Whole numbers (most scores) take the integer path; others the shortest form that
  // reads back exactly.
  constexpr double kExactInteger = 9007199254740992.0;  // 2^53
  if (value == std::trunc(value) && std::fabs(value) < kExactInteger) {
    fmt::format_to(std::back_inserter(data_), "{}", static_cast<long long>(value));
    return;
  }
  fmt::format_to(std::back_inserter(data_), "{}", value);
}

void RowBuffer::flag(core::Flag value) {
  if (!key()) return;
  const bool words = format_ == Format::kTable;
  switch (value) {
    case core::Flag::kYes:
      data_ += words ? "yes" : "1";
      break;
    case core::Flag::kNo:
      data_ += words ? "no" : "0";
      break;
    case core::Flag::kNa:
      if (is_json()) data_ += "null";
      break;
  }
}

void RowBuffer::boolean(bool value) {
  if (!key()) return;
  if (is_json()) {
    data_ += value ? "true" : "false";
  } else if (format_ == Format::kTable) {
    data_ += value ? "yes" : "no";
  } else {
    data_ += value ? '1' : '0';
  }
}

void RowBuffer::missing() {
  if (!key()) return;
  if (is_json()) data_ += "null";
}

void RowBuffer::end_row() {
  if (is_json()) data_ += "}\n";
  if (format_ == Format::kCsv) data_ += '\n';
  if (format_ == Format::kTable) data_ += kRowSeparator;
}

OutputFile::~OutputFile() {
  if (file_ != nullptr && !to_stdout_) std::fclose(file_);
  if (!committed_ && !temp_path_.empty()) std::remove(temp_path_.c_str());
}

core::Status OutputFile::select(const std::vector<std::string>& all,
                                const std::vector<std::string>& names) {
  selected_.assign(all.size(), names.empty());
  for (const auto& name : names) {
    const auto it = std::find(all.begin(), all.end(), name);
    if (it == all.end()) {
      std::string known;
      for (const auto& column : all) known += (known.empty() ? "" : ", ") + column;
      return Status::invalid_argument(
          fmt::format("--columns: no column '{}' (the columns are: {})", name, known), "columns");
    }
    selected_[static_cast<std::size_t>(it - all.begin())] = true;
  }
  return Status::ok();
}

core::Status OutputFile::open(const std::string& path, Format format,
                              std::vector<std::string> all_columns) {
  OutputFile& into = *this;
  into.format_ = format;
  into.columns_ = std::move(all_columns);
  if (into.selected_.size() != into.columns_.size()) into.selected_.clear();
  into.path_ = path;
  if (path.empty() || path == "-") {
    into.to_stdout_ = true;
    into.file_ = stdout;
  } else {
    into.temp_path_ = fmt::format("{}.tmp-{}", path, ::getpid());
    into.file_ = std::fopen(into.temp_path_.c_str(), "wb");
    if (into.file_ == nullptr) {
      const std::string reason = std::strerror(errno);
      into.temp_path_.clear();
      return Status::invalid_argument(fmt::format("{}: cannot write: {}", path, reason), "out");
    }
    static constexpr std::size_t kBuffer = 1 << 20;
    std::setvbuf(into.file_, nullptr, _IOFBF, kBuffer);
  }
  if (format == Format::kCsv) {
    std::string header;
    for (const auto& column : into.shown_columns()) {
      if (!header.empty()) header += ',';
      append_csv_field(header, column);
    }
    header += '\n';
    if (auto status = into.write_raw(header); !status.is_ok()) return status;
  } else if (format == Format::kJson) {
    return into.write_raw("[");
  }
  return Status::ok();
}

std::vector<std::string> OutputFile::shown_columns() const {
  std::vector<std::string> shown;
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    if (selected_.empty() || selected_[c]) shown.push_back(columns_[c]);
  }
  return shown;
}

core::Status OutputFile::write_raw(std::string_view bytes) {
  if (bytes.empty()) return Status::ok();
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) {
    return Status::unavailable(
        fmt::format("{}: write failed: {}", to_stdout_ ? "stdout" : path_, std::strerror(errno)));
  }
  return Status::ok();
}

core::Status OutputFile::write(const RowBuffer& rows) {
  const std::string& data = rows.data();
  if (format_ == Format::kTable) {
    std::size_t start = 0;
    while (start < data.size()) {
      const std::size_t end = data.find(kRowSeparator, start);
      std::string_view row(data.data() + start, end - start);
      auto& cells = table_cells_.emplace_back();
      std::size_t cell_start = 0;
      while (true) {
        const std::size_t cut = row.find(kCellSeparator, cell_start);
        cells.emplace_back(row.substr(cell_start, cut - cell_start));
        if (cut == std::string_view::npos) break;
        cell_start = cut + 1;
      }
      start = end + 1;
    }
    return Status::ok();
  }
  if (format_ == Format::kJson) {
    // Rows are "{...}\n"; the array needs commas between them.
    std::string joined;
    joined.reserve(data.size() + data.size() / 16);
    std::size_t start = 0;
    while (start < data.size()) {
      const std::size_t end = data.find("}\n", start);
      if (!first_json_row_) joined += ",\n";
      first_json_row_ = false;
      joined.append(data, start, end + 1 - start);
      start = end + 2;
    }
    return write_raw(joined);
  }
  return write_raw(data);
}

core::Status OutputFile::commit() {
  if (format_ == Format::kJson) {
    if (auto status = write_raw("]\n"); !status.is_ok()) return status;
  } else if (format_ == Format::kTable) {
    const std::vector<std::string> shown = shown_columns();
    std::vector<std::size_t> width(shown.size(), 0);
    for (std::size_t c = 0; c < shown.size(); ++c) width[c] = shown[c].size();
    for (const auto& row : table_cells_) {
      for (std::size_t c = 0; c < row.size() && c < width.size(); ++c) {
        width[c] = std::max(width[c], row[c].size());
      }
    }
    auto line = [&](const std::vector<std::string>& cells) {
      std::string out;
      for (std::size_t c = 0; c < cells.size() && c < width.size(); ++c) {
        if (c > 0) out += "  ";
        out += cells[c];
        if (c + 1 < cells.size()) out.append(width[c] - cells[c].size(), ' ');
      }
      out += '\n';
      return out;
    };
    std::string text = line(shown);
    std::vector<std::string> rule;
    for (std::size_t w : width) rule.emplace_back(w, '-');
    text += line(rule);
    for (const auto& row : table_cells_) text += line(row);
    if (auto status = write_raw(text); !status.is_ok()) return status;
  }
  if (std::fflush(file_) != 0) {
    return Status::unavailable(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
  }
  if (!to_stdout_) {
    if (std::fclose(file_) != 0) {
      file_ = nullptr;
      return Status::unavailable(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    }
    file_ = nullptr;
    if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
      return Status::unavailable(
          fmt::format("{}: cannot rename into place: {}", path_, std::strerror(errno)));
    }
  }
  committed_ = true;
  return Status::ok();
}

}  // namespace tandem::io
