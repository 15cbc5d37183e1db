#include "crypto/system_clock.hpp"

#include <chrono>

namespace tandem::crypto {

core::Timestamp SystemClock::now() const {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::floor<std::chrono::milliseconds>(since_epoch).count();
}

core::Date SystemClock::today() const {
  // floor, not truncation, so instants before 1970 land on the right day too.
  const auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return static_cast<core::Date>(day.time_since_epoch().count());
}

}  // namespace tandem::crypto
