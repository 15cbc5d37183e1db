// Clean shutdown on SIGTERM and SIGINT without a signal handler or global state: the
// constructor blocks both signals in the calling thread (so in every thread it starts
// afterwards: construct it first, before the store or the server start threads) and a
// watcher thread takes them with sigtimedwait and calls `on_signal` once. SIGPIPE is
// ignored (a client that hangs up must not end the process). One per process.
#pragma once

#include <atomic>
#include <functional>
#include <thread>

namespace tandem::api {

class StopOnSignals {
 public:
  explicit StopOnSignals(std::function<void(int signal)> on_signal);
  ~StopOnSignals();  // stops watching; the signals stay blocked
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  // The signal received, or 0.
  [[nodiscard]] int received() const { return received_.load(); }

 private:
  std::function<void(int)> on_signal_;
  std::atomic<bool> done_{false};
  std::atomic<int> received_{0};
  std::thread watcher_;
};

}  // namespace tandem::api
