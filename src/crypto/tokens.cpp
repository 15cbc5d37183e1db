#include "crypto/tokens.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>

#include <sodium.h>

#include "crypto/sodium_support.hpp"

namespace tandem::crypto {
namespace {

constexpr int kBase64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
static_assert(sodium_base64_ENCODED_LEN(kTokenBytes, kBase64) == kTokenChars + 1);

void require_sodium() {
  if (!detail::sodium_ready().is_ok()) {
    std::fputs("tandem: libsodium could not be initialised; refusing to make tokens\n", stderr);
    std::abort();
  }
}

}  // namespace

std::string random_token() {
  require_sodium();
  std::array<unsigned char, kTokenBytes> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, kTokenChars + 1> text{};
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), kBase64);
  sodium_memzero(bytes.data(), bytes.size());
  return {text.data(), kTokenChars};
}

std::string token_hash(std::string_view token) {
  require_sodium();
  std::array<unsigned char, crypto_generichash_BYTES> digest{};  // 32 bytes: BLAKE2b-256
  crypto_generichash(digest.data(), digest.size(), detail::bytes_of(token), token.size(), nullptr,
                     0);
  return detail::to_hex(digest);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  require_sodium();
  return sodium_memcmp(detail::bytes_of(a), detail::bytes_of(b), a.size()) == 0;
}

}  // namespace tandem::crypto
