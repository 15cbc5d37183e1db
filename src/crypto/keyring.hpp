// Keys for field encryption: SecretKey (32 bytes in guarded, locked memory, wiped when
// destroyed), Keyring (one current key that seals, older keys that only open), and the
// key file that carries them, with the steps of `tandem keygen` and `tandem rotate-key`.
// Keys and keyrings are immutable once built and safe to read from many threads.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.hpp"

namespace tandem::crypto {

inline constexpr std::size_t kKeyBytes = 32;   // XChaCha20-Poly1305 key size
inline constexpr std::size_t kKeyIdChars = 8;  // hex characters of a key id

class SecretKey {
 public:
  // A fresh random key (crypto_aead_xchacha20poly1305_ietf_keygen).
  static core::Result<SecretKey> generate();
  // InvalidArgument unless exactly kKeyBytes bytes. The caller wipes its own copy.
  static core::Result<SecretKey> from_bytes(std::span<const unsigned char> bytes);

  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  // kKeyBytes bytes; read-only memory (sodium_mprotect_readonly).
  const unsigned char* data() const { return bytes_; }
  // The first 8 hex characters of BLAKE2b-256(key): names the key in sealed fields and
  // messages without revealing anything about it.
  const std::string& id() const { return id_; }
  // The key as 64 hex characters, for a key file. Secret: wipe it (sodium_memzero) after use.
  std::string to_hex() const;

 private:
  SecretKey(unsigned char* bytes, std::string id) : bytes_(bytes), id_(std::move(id)) {}
  void release() noexcept;

  unsigned char* bytes_ = nullptr;  // sodium_malloc'd
  std::string id_;
};

class Keyring {
 public:
  // keys.front() is current. InvalidArgument when empty or when two keys share an id.
  static core::Result<Keyring> from_keys(std::vector<SecretKey> keys);

  // The key that seals.
  const SecretKey& current() const { return keys_.front(); }
  // The key with this id, or nullptr.
  const SecretKey* find(std::string_view id) const;
  // Every key's id, current first.
  std::vector<std::string> ids() const;
  std::size_t size() const { return keys_.size(); }

 private:
  explicit Keyring(std::vector<SecretKey> keys) : keys_(std::move(keys)) {}

  std::vector<SecretKey> keys_;
};

// Parses key file text: one key per line, as 64 hex characters or as base64 of 32 bytes
// (standard or URL-safe alphabet, with or without padding); the first key is current.
// Blank lines and comments ('#' to the end of the line) are ignored. `source` names the
// text in errors ("key file /etc/tandem/keys, line 3: ..."); errors never quote key text.
core::Result<Keyring> parse_key_file(std::string_view text, std::string_view source);

// Key file text for a keyring: a header comment, then each key as hex with its id as a
// trailing comment, current first. Secret: wipe it (sodium_memzero) after use.
std::string format_key_file(const Keyring& keyring);

// Reads and parses a key file. NotFound when it does not exist.
core::Result<Keyring> read_key_file(const std::filesystem::path& path);

// Where keys may come from, other than a path given on the command line. The caller (the
// CLI) reads the environment, so that tests can pass values instead.
struct KeyEnvironment {
  std::optional<std::string> key;       // TANDEM_KEY: key text, keys separated by ',' or lines
  std::optional<std::string> key_file;  // TANDEM_KEY_FILE: path of a key file
};

// The keyring of this process, from the first of: key_file_path (e.g. --key-file),
// TANDEM_KEY_FILE, TANDEM_KEY. Empty values count as unset. InvalidArgument when both
// environment variables are set (which one is meant is unclear); FailedPrecondition when
// none is.
core::Result<Keyring> load_keyring(const std::optional<std::filesystem::path>& key_file_path,
                                   const KeyEnvironment& env);

// `tandem keygen`: creates a key file (mode 0600) holding one fresh key and returns its
// id. FailedPrecondition when the file exists: keys are never overwritten.
core::Result<std::string> create_key_file(const std::filesystem::path& path);

// `tandem rotate-key`, first step: writes a fresh key as the first (current) line and keeps
// every existing key below it, replacing the file atomically (mode 0600; the file is
// rewritten in the format of format_key_file, so hand-written comments are not kept).
// Returns the new key id. Then Store::reseal_all re-encrypts under it.
core::Result<std::string> rotate_key_file(const std::filesystem::path& path);

// After Store::reseal_all has succeeded: keeps only the current key and returns the ids
// of the keys removed. Fields still sealed under a removed key can no longer be opened.
core::Result<std::vector<std::string>> drop_old_keys(const std::filesystem::path& path);

}  // namespace tandem::crypto
