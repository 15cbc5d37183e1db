// Test support: reads a small CSV file (RFC 4180 quoting, as R's write.csv writes it)
// into rows keyed by column name, so golden and peer files can be compared field by
// field. Not for production input: src/io has the real readers.
#pragma once

#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tandem::testing {

class CsvTable {
 public:
  static CsvTable read(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return parse(buffer.str());
  }

  static CsvTable parse(const std::string& text) {
    CsvTable table;
    std::vector<std::vector<std::string>> records = split_records(text);
    if (records.empty()) return table;
    table.header_ = records.front();
    for (std::size_t i = 0; i < table.header_.size(); ++i) table.index_[table.header_[i]] = i;
    table.rows_.assign(records.begin() + 1, records.end());
    return table;
  }

  [[nodiscard]] std::size_t size() const { return rows_.size(); }
  [[nodiscard]] const std::vector<std::string>& header() const { return header_; }
  [[nodiscard]] bool has(const std::string& column) const { return index_.count(column) > 0; }

  [[nodiscard]] const std::string& at(std::size_t row, const std::string& column) const {
    auto it = index_.find(column);
    if (it == index_.end()) throw std::out_of_range("no column " + column);
    return rows_.at(row).at(it->second);
  }

  // Empty field (R's NA) -> nullopt.
  [[nodiscard]] std::optional<double> number(std::size_t row, const std::string& column) const {
    const std::string& field = at(row, column);
    if (field.empty() || field == "NA") return std::nullopt;
    if (field == "Inf") return std::numeric_limits<double>::infinity();
    if (field == "-Inf") return -std::numeric_limits<double>::infinity();
    return std::strtod(field.c_str(), nullptr);
  }

  // R logicals TRUE/FALSE and 1/0; empty -> nullopt.
  [[nodiscard]] std::optional<bool> logical(std::size_t row, const std::string& column) const {
    const std::string& field = at(row, column);
    if (field.empty() || field == "NA") return std::nullopt;
    return field == "TRUE" || field == "1";
  }

 private:
  static std::vector<std::vector<std::string>> split_records(const std::string& text) {
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    bool any = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char c = text[i];
      if (quoted) {
        if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
        continue;
      }
      if (c == '"') {
        quoted = true;
        any = true;
      } else if (c == ',') {
        record.push_back(field);
        field.clear();
        any = true;
      } else if (c == '\n' || c == '\r') {
        if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
        if (any || !field.empty()) {
          record.push_back(field);
          records.push_back(record);
        }
        record.clear();
        field.clear();
        any = false;
      } else {
        field += c;
        any = true;
      }
    }
    if (any || !field.empty()) {
      record.push_back(field);
      records.push_back(record);
    }
    return records;
  }

  std::vector<std::string> header_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::vector<std::string>> rows_;
};

inline std::string peer_file(const std::string& name) {
  if (const char* dir = std::getenv("TANDEM_PEER_CASES")) return std::string(dir) + "/" + name;
  return std::string(TANDEM_PEER_DIR) + "/" + name;
}

}  // namespace tandem::testing
