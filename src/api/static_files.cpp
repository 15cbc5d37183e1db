#include "api/static_files.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>

namespace tandem::api {
namespace {

namespace fs = std::filesystem;

bool is_within(const fs::path& root, const fs::path& candidate) {
  auto [root_end, candidate_end] =
      std::mismatch(root.begin(), root.end(), candidate.begin(), candidate.end());
  return root_end == root.end();
}

// Rejects what could climb out or confuse the file system before touching it.
bool safe_request_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return false;
  if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos) {
    return false;
  }
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment == ".." || segment == ".") return false;
    start = end + 1;
  }
  return true;
}

std::string cache_control_for(const fs::path& relative) {
  // Vite fingerprints everything under assets/; index.html must always be fresh.
  const std::string first = relative.begin() == relative.end() ? "" : relative.begin()->string();
  if (first == "assets") return "public, max-age=31536000, immutable";
  return "no-cache";
}

}  // namespace

std::string_view mime_type(std::string_view extension) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kTypes = {{
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"webmanifest", "application/manifest+json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/x-icon"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},
      {"txt", "text/plain; charset=utf-8"},
      {"wasm", "application/wasm"},
      {"pdf", "application/pdf"},
      {"xml", "application/xml"},
  }};
  for (const auto& [ext, type] : kTypes) {
    if (ext == extension) return type;
  }
  return "application/octet-stream";
}

core::Result<StaticFiles> StaticFiles::open(const fs::path& root) {
  std::error_code error;
  fs::path canonical = fs::canonical(root, error);
  if (error || !fs::is_directory(canonical, error)) {
    return core::fail(
        core::Status::not_found("web directory " + root.string() + " is not a directory"));
  }
  return StaticFiles(std::move(canonical));
}

std::optional<Response> StaticFiles::file(const fs::path& path) const {
  std::error_code error;
  const fs::path real = fs::canonical(path, error);
  if (error || !is_within(root_, real) || !fs::is_regular_file(real, error)) {
    return std::nullopt;
  }
  std::ifstream in(real, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream content;
  content << in.rdbuf();
  std::string extension = real.extension().string();
  if (!extension.empty()) extension.erase(0, 1);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  Response response = Response::text(content.str(), std::string(mime_type(extension)));
  response.headers.emplace_back("Cache-Control", cache_control_for(real.lexically_relative(root_)));
  return response;
}

std::optional<Response> StaticFiles::serve(std::string_view path) const {
  if (!safe_request_path(path)) return std::nullopt;
  const fs::path relative = fs::path(std::string(path.substr(1))).relative_path();
  const fs::path candidate = root_ / relative;
  std::error_code error;
  if (fs::is_directory(candidate, error)) {
    if (auto index = file(candidate / "index.html")) return index;
  } else if (auto found = file(candidate)) {
    return found;
  }
  const std::string_view last = path.substr(path.rfind('/') + 1);
  if (last.find('.') != std::string_view::npos) return std::nullopt;
  return file(root_ / "index.html");
}

Response builtin_favicon() {
  // An ICO holding one 16x16 32-bit BMP: a teal square (Tandem's colour) on transparent.
  constexpr int kSize = 16;
  constexpr std::uint32_t kPixelBytes = kSize * kSize * 4;
  constexpr std::uint32_t kMaskBytes = kSize * 4;  // 1 bit per pixel, rows padded to 4 bytes
  constexpr std::uint32_t kImageBytes = 40 + kPixelBytes + kMaskBytes;
  std::string ico;
  auto u16 = [&ico](std::uint32_t v) {
    ico.push_back(static_cast<char>(v & 0xff));
    ico.push_back(static_cast<char>((v >> 8) & 0xff));
  };
  auto u32 = [&u16](std::uint32_t v) {
    u16(v & 0xffff);
    u16(v >> 16);
  };
  u16(0);  // ICONDIR: reserved, type 1 (icon), one image
  u16(1);
  u16(1);
  ico.push_back(static_cast<char>(kSize));  // ICONDIRENTRY
  ico.push_back(static_cast<char>(kSize));
  ico.push_back(0);
  ico.push_back(0);
  u16(1);
  u16(32);
  u32(kImageBytes);
  u32(22);
  u32(40);  // BITMAPINFOHEADER; height counts the XOR and AND masks
  u32(kSize);
  u32(kSize * 2);
  u16(1);
  u16(32);
  u32(0);
  u32(kPixelBytes + kMaskBytes);
  u32(0);
  u32(0);
  u32(0);
  u32(0);
  for (int y = 0; y < kSize; ++y) {
    for (int x = 0; x < kSize; ++x) {
      const bool inside = x >= 2 && x < 14 && y >= 2 && y < 14;
      u32(inside ? 0xff2a9d8fU : 0x00000000U);  // BGRA little-endian: teal, opaque
    }
  }
  ico.append(kMaskBytes, '\0');
  Response response = Response::text(std::move(ico), "image/x-icon");
  response.headers.emplace_back("Cache-Control", "public, max-age=86400");
  return response;
}

}  // namespace tandem::api
