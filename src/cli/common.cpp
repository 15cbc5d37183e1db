#include "cli/common.hpp"

#include "io/instrument_loader.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "io/parallel.hpp"

namespace tandem::cli {

void add_input_options(CLI::App& command, InputOptions& options, bool with_layout, bool required) {
  auto* input =
      command.add_option("INPUT", options.input, "input CSV file ('-' for standard input)");
  if (required) input->required();
  if (with_layout) {
    command
        .add_option("--layout", options.layout,
                    "wide: id then one column per session; long: id,session,score (default: "
                    "detected from the header)")
        ->check(CLI::IsMember({"auto", "wide", "long"}));
  }
  command.add_flag("--skip-invalid", options.skip_invalid,
                   "skip bad rows (and report how many and why) instead of stopping");
  command.add_option("--threads", options.threads, "worker threads (default: all cores)");
}

void add_output_options(CLI::App& command, OutputOptions& options) {
  command.add_option("--out", options.out, "output file ('-' = standard output)");
  command.add_option("--format", options.format, "csv (default), json, jsonl or table")
      ->check(CLI::IsMember({"csv", "json", "jsonl", "table"}))
      ->each([&options](const std::string&) { options.format_given = true; });
  command.add_option("--columns", options.columns, "only these columns (comma-separated)")
      ->delimiter(',');
}

core::Status open_output(io::OutputFile& file, const OutputOptions& options, io::Format format,
                         const std::vector<std::string>& columns) {
  if (auto status = file.select(columns, options.columns); !status.is_ok()) return status;
  return file.open(options.out, format, columns);
}

unsigned thread_count(unsigned requested) {
  return requested == 0 ? io::default_threads() : std::min(requested, 64U);
}

core::Result<io::ReadOptions> read_options(const InputOptions& options) {
  io::ReadOptions read;
  read.skip_invalid = options.skip_invalid;
  read.threads = thread_count(options.threads);
  if (options.layout == "wide") read.layout = io::Layout::kWide;
  if (options.layout == "long") read.layout = io::Layout::kLong;
  return read;
}

int report(const core::Status& status) {
  std::fprintf(stderr, "tandem: %s\n", status.message().c_str());
  switch (status.code()) {
    case core::StatusCode::kOk:
      return kExitOk;
    case core::StatusCode::kInvalidArgument:
    case core::StatusCode::kNotFound:
    case core::StatusCode::kFailedPrecondition:
    case core::StatusCode::kAlreadyExists:
      return kExitBadInput;
    default:
      return kExitFailure;
  }
}

void report_skipped(const io::SkipReport& skipped) {
  if (skipped.rows == 0) return;
  std::fprintf(stderr, "tandem: skipped %zu invalid row%s\n", skipped.rows,
               skipped.rows == 1 ? "" : "s");
  for (const auto& reason : skipped.reasons) std::fprintf(stderr, "  %s\n", reason.c_str());
  if (skipped.rows > skipped.reasons.size()) {
    std::fprintf(stderr, "  ... and %zu more\n", skipped.rows - skipped.reasons.size());
  }
}

Progress::Progress(std::string label, std::size_t total)
    : label_(std::move(label)), total_(total), start_(std::chrono::steady_clock::now()) {
  if (::isatty(STDERR_FILENO) != 0 && total_ > 0) thread_ = std::thread([this] { run(); });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Progress::run() {
  using namespace std::chrono_literals;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, 100ms, [this] { return stop_; })) {
    if (std::chrono::steady_clock::now() - start_ < 1s) continue;
    draw(false);
  }
  if (drawn_) draw(true);
}

void Progress::draw(bool final_line) {
  constexpr int kWidth = 30;
  const std::size_t done = std::min(done_.load(std::memory_order_relaxed), total_);
  const double fraction =
      final_line ? 1.0 : static_cast<double>(done) / static_cast<double>(total_);
  const int filled = static_cast<int>(fraction * kWidth);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar = fmt::format("\r{} [{}{}] {:3.0f}% {}/{} {:.1f}s", label_,
                                std::string(static_cast<std::size_t>(filled), '#'),
                                std::string(static_cast<std::size_t>(kWidth - filled), ' '),
                                fraction * 100.0, final_line ? total_ : done, total_, seconds);
  if (final_line) bar += '\n';
  std::fputs(bar.c_str(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

core::Status write_rows(std::size_t n, unsigned threads, std::vector<io::OutputFile*> outputs,
                        Progress* progress,
                        const std::function<void(std::size_t, std::vector<io::RowBuffer>&,
                                                 std::size_t worker)>& format_item) {
  // Blocks of items: each round formats threads x block items in parallel, then writes.
  constexpr std::size_t kBlock = 1 << 16;
  threads = std::max(1U, threads);
  std::vector<std::vector<io::RowBuffer>> buffers(threads);
  for (auto& worker : buffers) {
    for (auto* output : outputs) {
      worker.emplace_back(output->format(), output->columns(), output->selected());
    }
  }
  const std::size_t round = kBlock * threads;
  for (std::size_t start = 0; start < n; start += round) {
    const std::size_t end = std::min(n, start + round);
    io::parallel_blocks(end - start, threads,
                        [&](std::size_t begin, std::size_t stop, std::size_t worker) {
                          for (auto& buffer : buffers[worker]) buffer.clear();
                          for (std::size_t i = start + begin; i < start + stop; ++i)
                            format_item(i, buffers[worker], worker);
                          if (progress != nullptr) progress->advance(stop - begin);
                        });
    for (auto& worker : buffers) {
      for (std::size_t k = 0; k < outputs.size(); ++k) {
        if (auto status = outputs[k]->write(worker[k]); !status.is_ok()) return status;
        worker[k].clear();
      }
    }
  }
  return core::Status::ok();
}

core::Result<service::InstrumentCatalogue> shipped_catalogue(const std::string& dir) {
  auto shipped = io::load_instruments(dir);
  if (!shipped) return core::fail(shipped.error());
  return service::InstrumentCatalogue(std::move(*shipped),
                                      [](std::string_view json, std::string_view source) {
                                        return io::parse_instrument(json, source);
                                      });
}

}  // namespace tandem::cli
