#include "storage/open_store.hpp"

#include <string>

#include "storage/memory/memory_store.hpp"
#include "storage/postgres/postgres_store.hpp"
#include "storage/sqlite/sqlite_store.hpp"

namespace tandem::store {

namespace {
bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}
}  // namespace

core::Result<std::unique_ptr<core::Store>> open_store(
    std::string_view url, std::shared_ptr<const core::FieldCipher> cipher,
    const StoreSettings& settings) {
  if (starts_with(url, "sqlite:")) {
    std::string path(url.substr(7));
    if (starts_with(path, "//")) path = path.substr(2);  // sqlite:///abs/path
    if (path.empty()) {
      return core::fail(core::Status::invalid_argument("--db: sqlite: needs a file path", "db"));
    }
    SqliteOpenOptions options;
    options.migrate = settings.migrate;
    auto store = SqliteStore::open(path, std::move(cipher), options);
    if (!store) return core::fail(store.error());
    return std::unique_ptr<core::Store>(std::move(*store));
  }
  if (starts_with(url, "postgresql://") || starts_with(url, "postgres://")) {
    PostgresOptions options;
    options.pool_size = settings.pool_size;
    options.migrate = settings.migrate;
    auto store = PostgresStore::open(std::string(url), std::move(cipher), options);
    if (!store) return core::fail(store.error());
    return std::unique_ptr<core::Store>(std::move(*store));
  }
  if (url == "memory:") {
    return std::unique_ptr<core::Store>(std::make_unique<MemoryStore>());
  }
  return core::fail(core::Status::invalid_argument(
      "--db: '" + describe_url(url) +
          "' is not a store URL: use sqlite:PATH, postgresql://USER@HOST:PORT/DB or memory:",
      "db"));
}

std::string describe_url(std::string_view url) {
  std::string text(url);
  const std::size_t scheme = text.find("://");
  const std::size_t at = text.find('@');
  if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
    const std::size_t colon = text.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at) text.replace(colon + 1, at - colon - 1, "***");
  }
  return text;
}

}  // namespace tandem::store
