// Shared pieces of the `tandem` subcommands: the options every analysis takes, error
// reporting with the CLI's exit codes, a progress bar on stderr, and the loop that
// formats result rows on all cores and writes them in input order.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/status.hpp"
#include "io/output.hpp"
#include "io/score_table.hpp"
#include "service/instrument_catalogue.hpp"

namespace tandem::cli {

// Exit codes: 0 done, 1 an internal or system failure, 2 bad input or usage.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

struct InputOptions {
  std::string input;
  std::string layout = "auto";
  bool skip_invalid = false;
  unsigned threads = 0;  // 0 = all cores
};

struct OutputOptions {
  std::string out = "-";
  std::string format = "csv";
  std::vector<std::string> columns;  // empty = all
  bool format_given = false;         // --format was on the command line
};

// Opens `file` for the options' path, format and column selection.
core::Status open_output(io::OutputFile& file, const OutputOptions& options, io::Format format,
                         const std::vector<std::string>& columns);

void add_input_options(CLI::App& command, InputOptions& options, bool with_layout = true,
                       bool required = true);
void add_output_options(CLI::App& command, OutputOptions& options);

core::Result<io::ReadOptions> read_options(const InputOptions& options);
unsigned thread_count(unsigned requested);

// Prints "tandem: <message>" on stderr and returns the exit code for the status.
int report(const core::Status& status);

// The shipped questionnaire definitions in `dir` as the use cases' catalogue, able to parse
// an organisation's own definitions too (`tandem serve`, `tandem demo`).
core::Result<service::InstrumentCatalogue> shipped_catalogue(const std::string& dir);

// Prints how many rows --skip-invalid left out, and the first reasons.
void report_skipped(const io::SkipReport& skipped);

// A progress bar on stderr, drawn only on a terminal and only once the work has taken
// longer than a second. advance() is thread-safe.
class Progress {
 public:
  Progress(std::string label, std::size_t total);
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  void advance(std::size_t done) { done_.fetch_add(done, std::memory_order_relaxed); }

 private:
  void run();
  void draw(bool final_line);

  std::string label_;
  std::size_t total_;
  std::atomic<std::size_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  bool drawn_ = false;
  bool stop_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

// Formats rows for items [0, n) on `threads` threads into one or more outputs and
// writes them in item order. format_item(i, buffers) appends the rows of item i to
// buffers[k] for output k. Items are processed in blocks so memory stays bounded.
core::Status write_rows(std::size_t n, unsigned threads, std::vector<io::OutputFile*> outputs,
                        Progress* progress,
                        const std::function<void(std::size_t, std::vector<io::RowBuffer>&,
                                                 std::size_t worker)>& format_item);

}  // namespace tandem::cli
