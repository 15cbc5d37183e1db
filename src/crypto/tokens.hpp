// Opaque bearer tokens for sessions and invitation links: random 256-bit values, stored
// only as hashes, compared in constant time. Free functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/ports.hpp"

namespace tandem::crypto {

inline constexpr std::size_t kTokenBytes = 32;  // 256 bits of randomness
inline constexpr std::size_t kTokenChars = 43;  // unpadded base64url of 32 bytes

// 32 bytes from randombytes_buf as unpadded base64url (43 characters of A-Z a-z 0-9 - _).
// Aborts if libsodium cannot be initialised, as libsodium does when it has no source of
// randomness: no token is better than a guessable one.
std::string random_token();

// BLAKE2b-256 of the token as 64 lower-case hex characters: what the database keeps, so a
// copy of it gives no usable token. Unsalted on purpose: tokens carry 256 bits of their own
// randomness, and the hash must be looked up by equality.
std::string token_hash(std::string_view token);

// Compares in time that depends only on the lengths (sodium_memcmp); texts of different
// lengths are unequal. Lengths are not secret here: every token has kTokenChars.
bool constant_time_equal(std::string_view a, std::string_view b);

// The TokenIssuer port over random_token() and token_hash(). Stateless; thread-safe.
class SodiumTokenIssuer final : public core::TokenIssuer {
 public:
  std::string issue() const override { return random_token(); }
  std::string hash(std::string_view token) const override { return token_hash(token); }
};

}  // namespace tandem::crypto
