// Readers for the analytics' CSV inputs: session scores per client (wide or long
// layout), pre/post pairs, and GAS goals. Each reader validates every field and
// reports the first bad one as "FILE:LINE: field 'NAME': ..." (InvalidArgument), or
// with skip_invalid drops the bad rows and counts them. The tables own their input.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.hpp"
#include "io/mapped_file.hpp"

namespace tandem::io {

// Leaves elements uninitialised on resize: the readers overwrite every score, and
// zero-filling a million clients' worth of doubles first would only cost time.
template <class T>
struct DefaultInitAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = DefaultInitAllocator<U>;
  };
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

enum class Layout { kAuto, kWide, kLong };

struct ReadOptions {
  Layout layout = Layout::kAuto;
  bool skip_invalid = false;
  unsigned threads = 1;
};

// Rows left out under skip_invalid, with the first few reasons for the message.
struct SkipReport {
  std::size_t rows = 0;
  std::vector<std::string> reasons;  // at most kMaxReasons
  static constexpr std::size_t kMaxReasons = 5;
  void add(std::string reason);
  void merge(const SkipReport& other);
};

// Scores per client in session order. Session k (1-based) of client i is
// row(i)[k - 1]; NaN marks a missing score. Wide input: session = column position
// among the session columns. Long input: session = the `session` field.
class ScoreTable {
 public:
  [[nodiscard]] std::size_t size() const { return ids_.size(); }
  [[nodiscard]] std::string_view id(std::size_t i) const { return ids_[i]; }
  [[nodiscard]] std::span<const double> row(std::size_t i) const {
    if (stride_ > 0) return {scores_.data() + i * stride_, stride_};
    return {scores_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
  }
  [[nodiscard]] const MappedFile& source() const { return source_; }
  [[nodiscard]] std::size_t max_sessions() const { return max_sessions_; }
  [[nodiscard]] const SkipReport& skipped() const { return skipped_; }

 private:
  friend class ScoreTableBuilder;

  MappedFile source_;
  std::list<std::string> owned_ids_;  // ids that needed unescaping (stable addresses)
  std::vector<std::string_view> ids_;
  std::vector<std::size_t> offsets_{0};  // long layout: row i is [offsets_[i], offsets_[i+1])
  std::size_t stride_ = 0;               // wide layout: every row has stride_ sessions
  std::vector<double, DefaultInitAllocator<double>> scores_;
  std::size_t max_sessions_ = 0;
  SkipReport skipped_;
};

core::Result<ScoreTable> read_scores(MappedFile file, const ReadOptions& options);
core::Result<ScoreTable> read_scores(const std::string& path, const ReadOptions& options);

// Pre and post scores per client. From columns `pre` and `post` when the header has
// them; otherwise from a wide or long score table: the first and the last non-missing
// score (post only from a later session than pre).
struct PrePostTable {
  std::vector<std::string> ids;
  std::vector<double> pre;
  std::vector<double> post;
  SkipReport skipped;
};
core::Result<PrePostTable> read_pre_post(const std::string& path, const ReadOptions& options);
core::Result<PrePostTable> read_pre_post(MappedFile file, const ReadOptions& options);

// GAS goals, long: id, goal, score, weight (score and weight may be empty). Clients
// come out in order of first appearance; goals in file order.
struct GoalTable {
  std::vector<std::string> ids;
  std::vector<std::size_t> offsets{0};  // goals of client i: [offsets[i], offsets[i+1])
  std::vector<std::string> goal_ids;
  std::vector<double> scores;
  std::vector<double> weights;
  SkipReport skipped;
};
core::Result<GoalTable> read_goals(const std::string& path, const ReadOptions& options);
core::Result<GoalTable> read_goals(MappedFile file, const ReadOptions& options);

}  // namespace tandem::io
