#include "crypto/password_hasher.hpp"

#include <array>

#include <sodium.h>

#include "crypto/sodium_support.hpp"

namespace tandem::crypto {
namespace {

// The encoded hash as libsodium wants it: NUL-terminated inside a buffer of exactly
// crypto_pwhash_STRBYTES. False when it does not fit or holds a NUL of its own.
bool to_hash_buffer(std::string_view encoded, std::array<char, crypto_pwhash_STRBYTES>& out) {
  if (encoded.size() >= out.size() || encoded.find('\0') != std::string_view::npos) {
    return false;
  }
  out.fill('\0');
  encoded.copy(out.data(), encoded.size());
  return true;
}

bool password_length_ok(std::string_view password) {
  return password.size() <= crypto_pwhash_argon2id_PASSWD_MAX;
}

}  // namespace

HashLimits hash_limits(HashStrength strength) {
  switch (strength) {
    case HashStrength::kModerate:
      return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
    case HashStrength::kTestOnlyFast:
      return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
    case HashStrength::kInteractive:
      break;
  }
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

Argon2idHasher::Argon2idHasher(HashStrength strength)
    : strength_(strength), limits_(hash_limits(strength)) {}

core::Result<std::string> Argon2idHasher::hash(std::string_view password) const {
  if (core::Status ready = detail::sodium_ready(); !ready.is_ok()) {
    return core::fail(ready);
  }
  if (!password_length_ok(password)) {
    return core::fail(core::Status::invalid_argument("password is too long", "password"));
  }
  std::array<char, crypto_pwhash_STRBYTES> out{};
  const char* text = reinterpret_cast<const char*>(detail::bytes_of(password));
  if (crypto_pwhash_str_alg(out.data(), text, password.size(), limits_.ops_limit,
                            limits_.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // The only run-time failure is an allocation of mem_limit_bytes.
    return core::fail(core::Status::internal("out of memory while hashing a password"));
  }
  return std::string(out.data());
}

bool Argon2idHasher::verify(std::string_view encoded_hash, std::string_view password) const {
  std::array<char, crypto_pwhash_STRBYTES> stored{};
  if (!detail::sodium_ready().is_ok() || !password_length_ok(password) ||
      !to_hash_buffer(encoded_hash, stored)) {
    return false;
  }
  const char* text = reinterpret_cast<const char*>(detail::bytes_of(password));
  return crypto_pwhash_str_verify(stored.data(), text, password.size()) == 0;
}

bool Argon2idHasher::needs_rehash(std::string_view encoded_hash) const {
  std::array<char, crypto_pwhash_STRBYTES> stored{};
  if (!detail::sodium_ready().is_ok() || !to_hash_buffer(encoded_hash, stored)) {
    return true;
  }
  // 0: argon2id at exactly these limits; 1: other limits; -1: another algorithm
  // (argon2i) or unreadable. Only the first is current. The argon2id-specific call is
  // stricter than crypto_pwhash_str_needs_rehash, which accepts argon2i at equal limits.
  return crypto_pwhash_argon2id_str_needs_rehash(stored.data(), limits_.ops_limit,
                                                 limits_.mem_limit_bytes) != 0;
}

}  // namespace tandem::crypto
