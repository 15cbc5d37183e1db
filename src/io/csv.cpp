#include "io/csv.hpp"

#include <charconv>
#include <cmath>
#include <cstring>

namespace tandem::io {

bool FieldSplitter::split(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  unescaped_.clear();
  std::size_t pos = 0;
  while (true) {
    if (pos < line.size() && line[pos] == '"') {
      // Quoted field: find the closing quote, noting doubled quotes.
      std::size_t start = pos + 1;
      std::size_t i = start;
      bool escaped = false;
      while (true) {
        const std::size_t quote = line.find('"', i);
        if (quote == std::string_view::npos) return false;
        if (quote + 1 < line.size() && line[quote + 1] == '"') {
          escaped = true;
          i = quote + 2;
          continue;
        }
        std::string_view raw = line.substr(start, quote - start);
        if (escaped) {
          std::string& copy = unescaped_.emplace_back();
          copy.reserve(raw.size());
          for (std::size_t k = 0; k < raw.size(); ++k) {
            copy += raw[k];
            if (raw[k] == '"') ++k;
          }
          fields.emplace_back(copy);
        } else {
          fields.push_back(raw);
        }
        pos = quote + 1;
        break;
      }
      if (pos == line.size()) return true;
      if (line[pos] != ',') return false;
      ++pos;
      continue;
    }
    // Fields are short: a plain loop beats a memchr call per field.
    std::size_t comma = pos;
    while (comma < line.size() && line[comma] != ',') ++comma;
    fields.push_back(line.substr(pos, comma - pos));
    if (comma == line.size()) return true;
    pos = comma + 1;
  }
}

NumberKind parse_number(std::string_view field, double& value) {
  while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.remove_prefix(1);
  while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
  if (field.empty() || field == "NA" || field == "NaN") return NumberKind::kMissing;
  // Fast path: a short whole number, the usual questionnaire total.
  std::size_t i = 0;
  const bool negative = field[0] == '-';
  if (negative) i = 1;
  if (i < field.size() && field.size() - i <= 9) {
    long whole = 0;
    std::size_t k = i;
    for (; k < field.size(); ++k) {
      const unsigned digit = static_cast<unsigned>(field[k] - '0');
      if (digit > 9) break;
      whole = whole * 10 + digit;
    }
    if (k == field.size()) {
      value = static_cast<double>(negative ? -whole : whole);
      return NumberKind::kValue;
    }
  }
  const char* first = field.data();
  const char* last = field.data() + field.size();
  if (*first == '+') ++first;
  const auto [ptr, error] = std::from_chars(first, last, value);
  if (error != std::errc() || ptr != last || !std::isfinite(value)) return NumberKind::kInvalid;
  return NumberKind::kValue;
}

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::vector<std::string_view> split_at_lines(std::string_view text, std::size_t parts) {
  std::vector<std::string_view> pieces;
  if (parts <= 1 || text.size() < 1 << 16) {
    pieces.push_back(text);
    return pieces;
  }
  std::size_t begin = 0;
  for (std::size_t p = 1; p <= parts && begin < text.size(); ++p) {
    std::size_t end = text.size();
    if (p < parts) {
      end = text.size() * p / parts;
      if (end < begin) end = begin;
      const std::size_t newline = text.find('\n', end);
      end = newline == std::string_view::npos ? text.size() : newline + 1;
    }
    pieces.push_back(text.substr(begin, end - begin));
    begin = end;
  }
  return pieces;
}

}  // namespace tandem::io
