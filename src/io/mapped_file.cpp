#include "io/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <iterator>
#include <utility>

namespace tandem::io {

MappedFile::MappedFile(MappedFile&& other) noexcept { *this = std::move(other); }

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this == &other) return *this;
  release();
  path_ = std::move(other.path_);
  owned_ = std::move(other.owned_);
  map_ = std::exchange(other.map_, nullptr);
  map_size_ = std::exchange(other.map_size_, 0);
  view_ = std::exchange(other.view_, {});
  return *this;
}

MappedFile::~MappedFile() { release(); }

void MappedFile::release() {
  if (map_ != nullptr) munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
  view_ = {};
}

MappedFile MappedFile::from_string(std::string text) {
  MappedFile file;
  file.path_ = "<memory>";
  file.owned_ = std::make_unique<std::string>(std::move(text));
  file.view_ = *file.owned_;
  return file;
}

core::Result<MappedFile> MappedFile::open(const std::string& path) {
  MappedFile file;
  file.path_ = path;
  if (path == "-") {
    file.owned_ = std::make_unique<std::string>(std::istreambuf_iterator<char>(std::cin),
                                                std::istreambuf_iterator<char>());
    file.view_ = *file.owned_;
    return file;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return core::fail(core::Status::not_found(path + ": cannot open: " + std::strerror(errno)));
  }
  struct stat info {};
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return core::fail(core::Status::invalid_argument(path + ": not a regular file"));
  }
  if (info.st_size > 0) {
    void* map = mmap(nullptr, static_cast<std::size_t>(info.st_size), PROT_READ,
                     MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (map == MAP_FAILED) {
      ::close(fd);
      return core::fail(core::Status::internal(path + ": cannot map: " + std::strerror(errno)));
    }
    madvise(map, static_cast<std::size_t>(info.st_size), MADV_SEQUENTIAL);
    file.map_ = map;
    file.map_size_ = static_cast<std::size_t>(info.st_size);
    file.view_ = std::string_view(static_cast<const char*>(map), file.map_size_);
  }
  ::close(fd);
  return file;
}

}  // namespace tandem::io
