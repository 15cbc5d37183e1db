// Argon2idHasher: the PasswordHasher port over libsodium's crypto_pwhash (argon2id,
// version 1.3), producing self-describing encoded hashes ("$argon2id$v=19$m=...").
// Immutable after construction; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::crypto {

// How much work one hash costs. Every profile is argon2id; they differ only in limits.
enum class HashStrength {
  // libsodium's interactive limits (2 passes, 64 MiB): the default, for logins.
  kInteractive,
  // libsodium's moderate limits (3 passes, 256 MiB): for production servers that can
  // spend about a second and a quarter of a gigabyte per login.
  kModerate,
  // The smallest limits argon2id accepts (1 pass, 8 KiB). For tests ONLY: a hash made
  // with it resists almost no guessing. Never configure it in a deployment.
  kTestOnlyFast,
};

struct HashLimits {
  unsigned long long ops_limit = 0;  // passes over memory
  std::size_t mem_limit_bytes = 0;
};

HashLimits hash_limits(HashStrength strength);

class Argon2idHasher final : public core::PasswordHasher {
 public:
  explicit Argon2idHasher(HashStrength strength = HashStrength::kInteractive);

  // A fresh random salt each time, so equal passwords give different hashes.
  core::Result<std::string> hash(std::string_view password) const override;
  // Constant time (crypto_pwhash_str_verify); false for a wrong password and for an
  // encoded hash that is malformed, too long or not argon2id/argon2i.
  bool verify(std::string_view encoded_hash, std::string_view password) const override;
  // True when the hash was not made with argon2id at this hasher's limits (or cannot
  // be read): re-hash the password at the next successful login.
  bool needs_rehash(std::string_view encoded_hash) const;

  HashStrength strength() const { return strength_; }

 private:
  HashStrength strength_;
  HashLimits limits_;
};

}  // namespace tandem::crypto
