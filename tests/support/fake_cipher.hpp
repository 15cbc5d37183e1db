// A stand-in core::FieldCipher for tests, so storage tests do not depend on libsodium:
// reversible and visibly not plaintext ("fake1:" + hex of the bytes XOR a key-derived
// mask), keyed by a label so key rotation can be exercised (rotate_to, forget).
// NOT encryption. Thread-safe.
#pragma once

#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::testing_support {

class FakeCipher final : public core::FieldCipher {
 public:
  explicit FakeCipher(std::string key = "fake1") : current_(key), keys_{std::move(key)} {}

  core::Result<std::string> seal(std::string_view plaintext) const override {
    std::lock_guard lock(mutex_);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = current_ + ":";
    out.reserve(out.size() + plaintext.size() * 2);
    for (std::size_t i = 0; i < plaintext.size(); ++i) {
      const auto byte =
          static_cast<unsigned char>(static_cast<unsigned char>(plaintext[i]) ^ mask(current_, i));
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0f]);
    }
    ++seals_;
    return out;
  }

  core::Result<std::string> open(std::string_view sealed) const override {
    std::lock_guard lock(mutex_);
    const auto colon = sealed.find(':');
    if (colon == std::string_view::npos) {
      return core::fail(core::Status::internal("fake cipher: not a sealed value"));
    }
    const std::string key(sealed.substr(0, colon));
    if (keys_.count(key) == 0) {
      return core::fail(
          core::Status::failed_precondition("fake cipher: sealed under a key it does not hold"));
    }
    ++opens_;
    const std::string_view hex = sealed.substr(colon + 1);
    if (hex.size() % 2 != 0) return core::fail(core::Status::internal("fake cipher: bad length"));
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      const int hi = nibble(hex[i]);
      const int lo = nibble(hex[i + 1]);
      if (hi < 0 || lo < 0) return core::fail(core::Status::internal("fake cipher: bad digit"));
      out.push_back(
          static_cast<char>(static_cast<unsigned char>((hi << 4) | lo) ^ mask(key, i / 2)));
    }
    return out;
  }

  // Seals from now on under `key`; values sealed under earlier keys still open.
  void rotate_to(std::string key) {
    std::lock_guard lock(mutex_);
    keys_.insert(key);
    current_ = std::move(key);
  }
  // Values sealed under `key` no longer open (the old key file was destroyed).
  void forget(const std::string& key) {
    std::lock_guard lock(mutex_);
    keys_.erase(key);
  }
  [[nodiscard]] long seals() const {
    std::lock_guard lock(mutex_);
    return seals_;
  }
  // Values opened so far (with a key it holds).
  [[nodiscard]] long opens() const {
    std::lock_guard lock(mutex_);
    return opens_;
  }

 private:
  static unsigned char mask(const std::string& key, std::size_t position) {
    unsigned sum = 0;
    for (char c : key) sum = sum * 31 + static_cast<unsigned char>(c);
    return static_cast<unsigned char>((sum + position * 7) | 0x01);
  }
  static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  }

  mutable std::mutex mutex_;
  std::string current_;
  std::set<std::string> keys_;
  mutable long seals_ = 0;
  mutable long opens_ = 0;
};

}  // namespace tandem::testing_support
