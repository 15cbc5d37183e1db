// Opens the store of the record of care named by a URL: "sqlite:PATH" (the embedded
// default), "postgresql://..." or "postgres://..." (shared, scalable), "memory:" (tests
// and throwaway demos). The one place that knows every adapter.
#pragma once

#include <memory>
#include <string_view>

#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::store {

struct StoreSettings {
  bool migrate = true;  // apply pending migrations on open
  int pool_size = 8;    // PostgreSQL connections / SQLite connections kept
};

core::Result<std::unique_ptr<core::Store>> open_store(
    std::string_view url, std::shared_ptr<const core::FieldCipher> cipher,
    const StoreSettings& settings = {});

// "sqlite:/var/lib/tandem.db" -> "sqlite"; a password in a PostgreSQL URL is masked, so
// the result can be logged.
std::string describe_url(std::string_view url);

}  // namespace tandem::store
