// SystemClock: the Clock port over std::chrono::system_clock, for the CLI and the server
// (tests use a fake clock). Uses nothing but the standard library; it lives in src/crypto
// for now and may move to a platform folder. Stateless; thread-safe.
#pragma once

#include "core/ports.hpp"
#include "core/record.hpp"

namespace tandem::crypto {

class SystemClock final : public core::Clock {
 public:
  // Milliseconds since 1970-01-01T00:00:00Z.
  core::Timestamp now() const override;
  // Today's date in UTC, as days since 1970-01-01.
  core::Date today() const override;
};

}  // namespace tandem::crypto
