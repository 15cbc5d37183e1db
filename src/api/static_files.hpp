// The web front end's files (web/dist): a file under the root with its MIME type,
// index.html for paths of the single-page app, and nothing outside the root (no "..",
// no symbolic link leading out). A built-in favicon when the root has none. Const
// after open(); thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "api/http.hpp"
#include "core/status.hpp"

namespace tandem::api {

class StaticFiles {
 public:
  // NotFound when `root` is not a directory.
  static core::Result<StaticFiles> open(const std::filesystem::path& root);

  // The response for a GET of `path` (already percent-decoded), or nullopt for a 404:
  // a file under the root; a directory's index.html; index.html for an unknown path
  // whose last segment has no extension (a route of the app: "/clients/12"). A missing
  // "/assets/app.js" stays a 404, so a broken build shows as one.
  [[nodiscard]] std::optional<Response> serve(std::string_view path) const;

  [[nodiscard]] const std::filesystem::path& root() const { return root_; }

 private:
  explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}
  [[nodiscard]] std::optional<Response> file(const std::filesystem::path& path) const;
  std::filesystem::path root_;  // canonical
};

// "html" -> "text/html; charset=utf-8"; unknown extensions are
// "application/octet-stream".
std::string_view mime_type(std::string_view extension);

// A 16x16 icon, so browsers do not log a missing favicon when the front end has none.
Response builtin_favicon();

}  // namespace tandem::api
