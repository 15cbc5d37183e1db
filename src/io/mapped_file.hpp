// A read-only view of a whole input file: memory-mapped when it is a regular file,
// read into memory otherwise (pipes, "-" for standard input). Move-only; the view
// stays valid while the object lives. Not thread-safe to move while others read.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace tandem::io {

class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  ~MappedFile();

  // path "-" reads standard input.
  static core::Result<MappedFile> open(const std::string& path);
  // For tests and small in-memory inputs.
  static MappedFile from_string(std::string text);

  [[nodiscard]] std::string_view text() const { return view_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  void release();

  std::string path_;
  std::unique_ptr<std::string> owned_;  // heap-held so views survive moves
  void* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::string_view view_;
};

}  // namespace tandem::io
