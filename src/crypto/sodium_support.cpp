#include "crypto/sodium_support.hpp"

#include <array>
#include <mutex>

#include <sodium.h>

namespace tandem::crypto::detail {

core::Status sodium_ready() {
  // The flag and its result are written once and only read afterwards: this is the
  // library's process-wide initialisation, not mutable state.
  static std::once_flag once;
  static int result = -1;
  std::call_once(once, [] { result = sodium_init(); });
  if (result < 0) {
    return core::Status::internal("libsodium could not be initialised");
  }
  return core::Status::ok();
}

std::string to_hex(std::span<const unsigned char> bytes) {
  std::string hex(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  hex.pop_back();  // the terminating NUL
  return hex;
}

const unsigned char* bytes_of(std::string_view text) {
  static constexpr std::array<unsigned char, 1> kEmpty = {0};
  if (text.empty()) {
    return kEmpty.data();
  }
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace tandem::crypto::detail
