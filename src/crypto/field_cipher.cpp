#include "crypto/field_cipher.hpp"

#include <cstddef>
#include <vector>

#include <sodium.h>

#include "crypto/sodium_support.hpp"

namespace tandem::crypto {
namespace {

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
constexpr int kBase64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

struct SealedParts {
  std::string_view key_id;
  std::string_view payload;  // base64url(nonce || ciphertext)
};

bool is_key_id(std::string_view text) {
  if (text.size() != kKeyIdChars) {
    return false;
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

// Splits "tk1:<id>:<payload>"; nothing when the shape is wrong.
std::optional<SealedParts> split_sealed(std::string_view sealed) {
  if (sealed.size() <= kSealedPrefix.size() || !sealed.starts_with(kSealedPrefix) ||
      sealed[kSealedPrefix.size()] != ':') {
    return std::nullopt;
  }
  std::string_view rest = sealed.substr(kSealedPrefix.size() + 1);
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos || !is_key_id(rest.substr(0, colon))) {
    return std::nullopt;
  }
  return SealedParts{rest.substr(0, colon), rest.substr(colon + 1)};
}

std::string to_base64url(const std::vector<unsigned char>& bytes) {
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), kBase64), '\0');
  sodium_bin2base64(text.data(), text.size(), bytes.data(), bytes.size(), kBase64);
  text.pop_back();  // the terminating NUL
  return text;
}

std::optional<std::vector<unsigned char>> from_base64url(std::string_view text) {
  std::vector<unsigned char> bytes(text.size() * 3 / 4 + 1);
  std::size_t length = 0;
  const char* end = nullptr;
  if (text.empty() ||
      sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length,
                        &end, kBase64) != 0 ||
      end != text.data() + text.size()) {
    return std::nullopt;
  }
  bytes.resize(length);
  return bytes;
}

core::Status malformed(std::string_view why) {
  return core::Status::invalid_argument("cannot decrypt: not a sealed field (" + std::string(why) +
                                        ")");
}

}  // namespace

core::Result<std::string> SodiumFieldCipher::seal(std::string_view plaintext) const {
  const SecretKey& key = keyring_.current();
  std::vector<unsigned char> out(kNonceBytes + plaintext.size() + kTagBytes);
  unsigned char* nonce = out.data();
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long cipher_length = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(
          out.data() + kNonceBytes, &cipher_length, detail::bytes_of(plaintext), plaintext.size(),
          detail::bytes_of(kFieldContext), kFieldContext.size(), nullptr, nonce, key.data()) != 0) {
    return core::fail(core::Status::internal("cannot encrypt a field"));
  }
  out.resize(kNonceBytes + cipher_length);
  return std::string(kSealedPrefix) + ":" + key.id() + ":" + to_base64url(out);
}

core::Result<std::string> SodiumFieldCipher::open(std::string_view sealed) const {
  const std::optional<SealedParts> parts = split_sealed(sealed);
  if (!parts) {
    return core::fail(malformed("expected \"tk1:<key id>:<data>\""));
  }
  const SecretKey* key = keyring_.find(parts->key_id);
  if (key == nullptr) {
    return core::fail(
        core::Status::failed_precondition("cannot decrypt: the key that sealed this field (id " +
                                          std::string(parts->key_id) + ") is not in the keyring"));
  }
  const std::optional<std::vector<unsigned char>> bytes = from_base64url(parts->payload);
  if (!bytes) {
    return core::fail(malformed("the data is not base64url"));
  }
  if (bytes->size() < kNonceBytes + kTagBytes) {
    return core::fail(malformed("the data is too short"));
  }
  const std::size_t cipher_length = bytes->size() - kNonceBytes;
  std::string plaintext(cipher_length - kTagBytes, '\0');
  unsigned long long plain_length = 0;
  // An empty plaintext still needs a non-null output pointer.
  unsigned char scratch = 0;
  unsigned char* out =
      plaintext.empty() ? &scratch : reinterpret_cast<unsigned char*>(plaintext.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          out, &plain_length, nullptr, bytes->data() + kNonceBytes, cipher_length,
          detail::bytes_of(kFieldContext), kFieldContext.size(), bytes->data(), key->data()) != 0) {
    return core::fail(core::Status::internal("cannot decrypt: the field sealed with key id " +
                                             key->id() +
                                             " failed authentication (it was altered or damaged)"));
  }
  plaintext.resize(plain_length);
  return plaintext;
}

core::Result<std::string> SodiumFieldCipher::reseal(std::string_view sealed) const {
  core::Result<std::string> plaintext = open(sealed);
  if (!plaintext) {
    return plaintext;
  }
  core::Result<std::string> resealed = seal(*plaintext);
  sodium_memzero(plaintext->data(), plaintext->size());
  return resealed;
}

bool SodiumFieldCipher::sealed_with_current_key(std::string_view sealed) const {
  const std::optional<std::string> id = sealed_key_id(sealed);
  return id && *id == keyring_.current().id();
}

std::optional<std::string> sealed_key_id(std::string_view sealed) {
  const std::optional<SealedParts> parts = split_sealed(sealed);
  if (!parts) {
    return std::nullopt;
  }
  return std::string(parts->key_id);
}

}  // namespace tandem::crypto
