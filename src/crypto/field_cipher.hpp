// SodiumFieldCipher: the FieldCipher port over libsodium's XChaCha20-Poly1305-IETF AEAD.
// A sealed field reads "tk1:<key id>:<base64url(nonce || ciphertext+tag)>": the version,
// the id of the key that sealed it (so keys can rotate) and a fresh random 24-byte nonce.
// Immutable after construction; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/ports.hpp"
#include "core/status.hpp"
#include "crypto/keyring.hpp"

namespace tandem::crypto {

// The format version that starts every sealed field.
inline constexpr std::string_view kSealedPrefix = "tk1";

// Associated data bound into every seal: a fixed context, so a sealed field of Tandem
// cannot be passed off as another format's ciphertext under the same key. Binding each
// field to its row (organisation, table, id, column) was considered and not done: `tandem
// rotate-key` re-seals rows in bulk and migrations move columns between tables, and both
// would then need to know every binding; the threat it would stop (swapping ciphertexts
// between rows) needs write access to the database, which already allows worse.
inline constexpr std::string_view kFieldContext = "tandem-field-v1";

class SodiumFieldCipher final : public core::FieldCipher {
 public:
  // Takes a keyring built by Keyring::from_keys or a key file (never a moved-from one).
  explicit SodiumFieldCipher(Keyring keyring) : keyring_(std::move(keyring)) {}

  // Seals under the current key with a fresh random nonce: sealing one text twice gives
  // two different strings.
  core::Result<std::string> seal(std::string_view plaintext) const override;
  // Opens a field sealed under any key of the keyring. InvalidArgument when the text is not
  // a sealed field; FailedPrecondition when its key is not in the keyring; Internal when
  // authentication fails (the field was altered or damaged). Never returns unverified text.
  core::Result<std::string> open(std::string_view sealed) const override;

  // Opens and seals again under the current key (for Store::reseal_all).
  core::Result<std::string> reseal(std::string_view sealed) const;
  // True when the field is already sealed under the current key (reseal can skip it).
  bool sealed_with_current_key(std::string_view sealed) const;

  const Keyring& keyring() const { return keyring_; }

 private:
  Keyring keyring_;
};

// The key id a sealed field names, or nothing when it is not a well-formed "tk1:<id>:..." .
std::optional<std::string> sealed_key_id(std::string_view sealed);

}  // namespace tandem::crypto
