// CSV building blocks: splitting one record into fields (RFC 4180 quoting, as R's
// write.csv writes it) and reading numbers the way the analytics want them (empty or
// NA = missing). Allocation-free on the common path; not thread-safe per instance.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace tandem::io {

class FieldSplitter {
 public:
  // Splits `line` (no line terminator) into fields. Views point into `line`, or into
  // storage owned by the splitter for quoted fields with escaped quotes; they stay valid
  // until the next call. Returns false on a malformed quote.
  bool split(std::string_view line, std::vector<std::string_view>& fields);

 private:
  std::deque<std::string> unescaped_;
};

enum class NumberKind { kValue, kMissing, kInvalid };

// Parses a score: empty, "NA" or "NaN" -> kMissing; a finite decimal number -> kValue.
// Integers take a fast path; anything else goes through std::from_chars.
NumberKind parse_number(std::string_view field, double& value);

// Calls fn(line, line_number) for each line of `text` (1-based numbers, counting every
// line), without the terminator ("\n" or "\r\n"). Stops early when fn returns false.
template <class Fn>
void for_each_line(std::string_view text, std::size_t first_line_number, Fn&& fn) {
  std::size_t line_number = first_line_number;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!fn(line, line_number)) return;
    ++line_number;
    pos = end + 1;
  }
}

// Quotes a field for CSV output when it needs quoting.
void append_csv_field(std::string& out, std::string_view field);

// Returns `text` split into up to `parts` pieces that each end at a line boundary.
std::vector<std::string_view> split_at_lines(std::string_view text, std::size_t parts);

}  // namespace tandem::io
