// Writing result tables as CSV, JSON or an aligned text table. Rows are formatted
// into RowBuffers (one per worker thread, so formatting runs in parallel) and handed
// to an OutputFile in order. An OutputFile writes to a temporary file beside the
// target and renames it only on commit(): a failed run leaves no partial file.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "core/series.hpp"
#include "core/status.hpp"

namespace tandem::io {

// kJsonLines: one JSON object per line, written whole by the caller (append_raw).
enum class Format { kCsv, kJson, kTable, kJsonLines };

core::Result<Format> parse_format(std::string_view name);

class RowBuffer {
 public:
  // `selected`: which columns to write (empty = all), as OutputFile::selected() gives.
  RowBuffer(Format format, const std::vector<std::string>& columns,
            const std::vector<bool>& selected = {})
      : format_(format), columns_(&columns), selected_(selected) {}

  void begin_row();
  void text(std::string_view value);
  void integer(long long value);
  void number(double value);    // NaN -> empty / null
  void flag(core::Flag value);  // 1 / 0 / empty (null in JSON)
  void boolean(bool value);
  void missing();
  void end_row();
  // A pre-formatted record (JSON Lines): appended as it is.
  void append_raw(std::string_view text) { data_.append(text); }

  [[nodiscard]] const std::string& data() const { return data_; }
  void clear() { data_.clear(); }
  [[nodiscard]] std::size_t size() const { return data_.size(); }

 private:
  bool key();  // starts the next field; false when its column is not selected
  [[nodiscard]] bool is_json() const {
    return format_ == Format::kJson || format_ == Format::kJsonLines;
  }

  Format format_;
  const std::vector<std::string>* columns_;
  std::vector<bool> selected_;  // a copy: small, and callers may pass a temporary
  std::string data_;
  std::size_t column_ = 0;   // index among all columns
  std::size_t written_ = 0;  // fields written in this row
};

class OutputFile {
 public:
  OutputFile() = default;
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();  // removes the temporary file unless committed

  // path "-" or empty: standard output. Writes the header (CSV) or the opening bracket.
  core::Status open(const std::string& path, Format format, std::vector<std::string> columns);

  // Restricts the output to the named columns, in the table's own order. Call before
  // open(); an unknown name is an InvalidArgument naming it.
  core::Status select(const std::vector<std::string>& all, const std::vector<std::string>& names);

  [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }
  [[nodiscard]] const std::vector<bool>& selected() const { return selected_; }
  [[nodiscard]] Format format() const { return format_; }

  core::Status write(const RowBuffer& rows);
  core::Status commit();

 private:
  core::Status write_raw(std::string_view bytes);
  [[nodiscard]] std::vector<std::string> shown_columns() const;

  std::string path_;
  std::string temp_path_;
  std::FILE* file_ = nullptr;
  bool to_stdout_ = false;
  bool committed_ = false;
  bool first_json_row_ = true;
  Format format_ = Format::kCsv;
  std::vector<std::string> columns_;
  std::vector<bool> selected_;
  std::vector<std::vector<std::string>> table_cells_;  // kTable: aligned at commit
};

}  // namespace tandem::io
