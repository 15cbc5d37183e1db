#include "api/signals.hpp"

#include <csignal>
#include <ctime>
#include <utility>

#include <pthread.h>

namespace tandem::api {
namespace {

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

StopOnSignals::StopOnSignals(std::function<void(int)> on_signal)
    : on_signal_(std::move(on_signal)) {
  std::signal(SIGPIPE, SIG_IGN);
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  watcher_ = std::thread([this, set] {
    // Wakes every 100 ms to notice the destructor.
    const timespec tick{0, 100'000'000};
    while (!done_.load()) {
      const int signal = sigtimedwait(&set, nullptr, &tick);
      if (signal > 0) {
        received_.store(signal);
        on_signal_(signal);
        return;
      }
    }
  });
}

StopOnSignals::~StopOnSignals() {
  done_.store(true);
  if (watcher_.joinable()) watcher_.join();
}

}  // namespace tandem::api
