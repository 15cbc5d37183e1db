#include "crypto/keyring.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include "crypto/sodium_support.hpp"

namespace tandem::crypto {
namespace {

static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
constexpr std::size_t kHexKeyChars = 2 * kKeyBytes;
// A key file holds a few short lines; anything far larger is the wrong file.
constexpr std::uintmax_t kMaxKeyFileBytes = 1 << 20;

// Wipes a buffer that held key material when it goes out of scope.
template <class Buffer>
class WipeOnExit {
 public:
  explicit WipeOnExit(Buffer& buffer) : buffer_(buffer) {}
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;
  ~WipeOnExit() { sodium_memzero(buffer_.data(), buffer_.size()); }

 private:
  Buffer& buffer_;
};

std::string key_id_of(const unsigned char* key) {
  std::array<unsigned char, crypto_generichash_BYTES> digest{};
  crypto_generichash(digest.data(), digest.size(), key, kKeyBytes, nullptr, 0);
  return detail::to_hex(digest).substr(0, kKeyIdChars);
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n\f\v";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool decode_hex_key(std::string_view text, std::array<unsigned char, kKeyBytes>& out) {
  if (text.size() != kHexKeyChars) {
    return false;
  }
  std::size_t length = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end) ==
             0 &&
         length == kKeyBytes && end == text.data() + text.size();
}

bool decode_base64_key(std::string_view text, std::array<unsigned char, kKeyBytes>& out) {
  for (int variant : {sodium_base64_VARIANT_ORIGINAL, sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
                      sodium_base64_VARIANT_URLSAFE, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
    std::size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, &end,
                          variant) == 0 &&
        length == kKeyBytes && end == text.data() + text.size()) {
      return true;
    }
  }
  return false;
}

// One key of a key file or of TANDEM_KEY; `where` says where it is, for errors.
core::Result<SecretKey> parse_key(std::string_view text, const std::string& where) {
  std::array<unsigned char, kKeyBytes> bytes{};
  WipeOnExit wipe(bytes);
  if (!decode_hex_key(text, bytes) && !decode_base64_key(text, bytes)) {
    return core::fail(core::Status::invalid_argument(
        where + ": not a key (expected 32 bytes written as 64 hex characters or as base64; found " +
        std::to_string(text.size()) + " characters)"));
  }
  return SecretKey::from_bytes(bytes);
}

// Splits key text into entries at newlines (and at commas when `commas`), drops comments
// and blanks, and builds the keyring. `unit` names an entry in errors ("line", "key").
core::Result<Keyring> parse_keys(std::string_view text, std::string_view source, bool commas,
                                 std::string_view unit) {
  if (core::Status ready = detail::sodium_ready(); !ready.is_ok()) {
    return core::fail(ready);
  }
  const std::string separators = commas ? "\n," : "\n";
  std::vector<SecretKey> keys;
  std::vector<int> numbers;  // the entry number of each key, for duplicate messages
  int number = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t stop = text.find_first_of(separators, start);
    if (stop == std::string_view::npos) {
      stop = text.size();
    }
    std::string_view entry = text.substr(start, stop - start);
    start = stop + 1;
    ++number;
    entry = trim(entry.substr(0, entry.find('#')));
    if (entry.empty()) {
      continue;
    }
    const std::string where =
        std::string(source) + ", " + std::string(unit) + " " + std::to_string(number);
    core::Result<SecretKey> key = parse_key(entry, where);
    if (!key) {
      return core::fail(key.error());
    }
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].id() == key->id()) {
        return core::fail(
            core::Status::invalid_argument(where + ": the same key as " + std::string(unit) + " " +
                                           std::to_string(numbers[i]) + " (id " + key->id() + ")"));
      }
    }
    keys.push_back(std::move(*key));
    numbers.push_back(number);
  }
  if (keys.empty()) {
    return core::fail(core::Status::invalid_argument(std::string(source) + " holds no key"));
  }
  return Keyring::from_keys(std::move(keys));
}

// The message for errno, thread-safe (std::strerror is not).
std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

core::Status write_all(int fd, std::string_view text, const std::filesystem::path& path) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return core::Status::failed_precondition("cannot write key file " + path.string() + ": " +
                                               errno_text());
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  if (::fsync(fd) != 0) {
    return core::Status::failed_precondition("cannot write key file " + path.string() + ": " +
                                             errno_text());
  }
  return core::Status::ok();
}

// Makes a created or renamed file durable by syncing its directory.
void sync_directory_of(const std::filesystem::path& path) {
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Creates `path` with mode 0600; fails when it exists.
core::Status write_new_private_file(const std::filesystem::path& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) {
      return core::Status::failed_precondition(
          "key file " + path.string() +
          " already exists; keys are never overwritten (use rotate-key to add a key)");
    }
    return core::Status::failed_precondition("cannot create key file " + path.string() + ": " +
                                             errno_text());
  }
  core::Status status = write_all(fd, text, path);
  ::close(fd);
  if (!status.is_ok()) {
    ::unlink(path.c_str());
    return status;
  }
  sync_directory_of(path);
  return core::Status::ok();
}

// Replaces `path` atomically (a private temporary file renamed over it), so a crash
// leaves either the old key file or the new one, never half of one.
core::Status replace_private_file(const std::filesystem::path& path, std::string_view text) {
  std::string temporary = path.string() + ".tmp-XXXXXX";
  const int fd = ::mkstemp(temporary.data());  // mode 0600
  if (fd < 0) {
    return core::Status::failed_precondition("cannot write next to key file " + path.string() +
                                             ": " + errno_text());
  }
  core::Status status = write_all(fd, text, path);
  ::close(fd);
  if (status.is_ok() && ::rename(temporary.c_str(), path.c_str()) != 0) {
    status = core::Status::failed_precondition("cannot replace key file " + path.string() + ": " +
                                               errno_text());
  }
  if (!status.is_ok()) {
    ::unlink(temporary.c_str());
    return status;
  }
  sync_directory_of(path);
  return core::Status::ok();
}

core::Status write_keyring(const std::filesystem::path& path, const Keyring& keyring,
                           bool replace) {
  std::string text = format_key_file(keyring);
  WipeOnExit wipe(text);
  return replace ? replace_private_file(path, text) : write_new_private_file(path, text);
}

// A fresh key whose id differs from every id in `taken` (ids are 32 bits, so a clash is
// rare, but a keyring must not hold two keys with one id).
core::Result<SecretKey> fresh_key(const std::vector<std::string>& taken) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    core::Result<SecretKey> key = SecretKey::generate();
    if (!key) {
      return key;
    }
    if (std::find(taken.begin(), taken.end(), key->id()) == taken.end()) {
      return key;
    }
  }
  return core::fail(core::Status::internal("could not generate a key with a new id"));
}

}  // namespace

// --- SecretKey ---

core::Result<SecretKey> SecretKey::generate() {
  std::array<unsigned char, kKeyBytes> bytes{};
  WipeOnExit wipe(bytes);
  if (core::Status ready = detail::sodium_ready(); !ready.is_ok()) {
    return core::fail(ready);
  }
  crypto_aead_xchacha20poly1305_ietf_keygen(bytes.data());
  return from_bytes(bytes);
}

core::Result<SecretKey> SecretKey::from_bytes(std::span<const unsigned char> bytes) {
  if (bytes.size() != kKeyBytes) {
    return core::fail(core::Status::invalid_argument(
        "a key is " + std::to_string(kKeyBytes) + " bytes, not " + std::to_string(bytes.size())));
  }
  if (core::Status ready = detail::sodium_ready(); !ready.is_ok()) {
    return core::fail(ready);
  }
  auto* memory = static_cast<unsigned char*>(sodium_malloc(kKeyBytes));
  if (memory == nullptr) {
    return core::fail(core::Status::internal("cannot allocate protected memory for a key"));
  }
  std::memcpy(memory, bytes.data(), kKeyBytes);
  std::string id = key_id_of(memory);
  sodium_mprotect_readonly(memory);
  return SecretKey(memory, std::move(id));
}

SecretKey::SecretKey(SecretKey&& other) noexcept
    : bytes_(std::exchange(other.bytes_, nullptr)), id_(std::move(other.id_)) {}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    release();
    bytes_ = std::exchange(other.bytes_, nullptr);
    id_ = std::move(other.id_);
  }
  return *this;
}

SecretKey::~SecretKey() { release(); }

void SecretKey::release() noexcept {
  if (bytes_ == nullptr) {
    return;
  }
  // sodium_free wipes too; the explicit wipe keeps the intent visible.
  sodium_mprotect_readwrite(bytes_);
  sodium_memzero(bytes_, kKeyBytes);
  sodium_free(bytes_);
  bytes_ = nullptr;
}

std::string SecretKey::to_hex() const { return detail::to_hex({bytes_, kKeyBytes}); }

// --- Keyring ---

core::Result<Keyring> Keyring::from_keys(std::vector<SecretKey> keys) {
  if (keys.empty()) {
    return core::fail(core::Status::invalid_argument("a keyring needs at least one key"));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].data() == nullptr) {
      return core::fail(core::Status::invalid_argument("a keyring was given a moved-from key"));
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (keys[i].id() == keys[j].id()) {
        return core::fail(
            core::Status::invalid_argument("two keys of a keyring share the id " + keys[i].id()));
      }
    }
  }
  return Keyring(std::move(keys));
}

const SecretKey* Keyring::find(std::string_view id) const {
  for (const SecretKey& key : keys_) {
    if (key.id() == id) {
      return &key;
    }
  }
  return nullptr;
}

std::vector<std::string> Keyring::ids() const {
  std::vector<std::string> ids;
  ids.reserve(keys_.size());
  for (const SecretKey& key : keys_) {
    ids.push_back(key.id());
  }
  return ids;
}

// --- Key files ---

core::Result<Keyring> parse_key_file(std::string_view text, std::string_view source) {
  return parse_keys(text, source, /*commas=*/false, "line");
}

std::string format_key_file(const Keyring& keyring) {
  std::string text =
      "# Tandem field-encryption keys. Secret: keep this file private (mode 0600) and backed up.\n"
      "# One key per line. The FIRST key seals new data; the others only open older data.\n"
      "# After `tandem rotate-key` has re-sealed everything, the older keys may be dropped.\n";
  // Reserved up front so that growing the text leaves no stray copies of keys behind.
  text.reserve(text.size() + keyring.size() * (kHexKeyChars + kKeyIdChars + 8));
  for (const std::string& id : keyring.ids()) {
    std::string hex = keyring.find(id)->to_hex();
    text.append(hex).append("  # id ").append(id).append("\n");
    sodium_memzero(hex.data(), hex.size());
  }
  return text;
}

core::Result<Keyring> read_key_file(const std::filesystem::path& path) {
  const std::string source = "key file " + path.string();
  std::error_code error;
  if (!std::filesystem::exists(path, error) && !error) {
    return core::fail(
        core::Status::not_found(source + " does not exist (create one with `tandem keygen`)"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return core::fail(
        core::Status::failed_precondition("cannot read " + source + ": " + errno_text()));
  }
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) {
    return core::fail(
        core::Status::failed_precondition("cannot read " + source + ": " + error.message()));
  }
  if (size > kMaxKeyFileBytes) {
    return core::fail(core::Status::invalid_argument(source + " is too large to be a key file"));
  }
  // Sized from the file, so that reading leaves no stray partial copies of keys behind.
  std::string text(static_cast<std::size_t>(size), '\0');
  WipeOnExit wipe(text);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return core::fail(core::Status::failed_precondition("cannot read " + source));
  }
  text.resize(static_cast<std::size_t>(in.gcount()));
  return parse_key_file(text, source);
}

core::Result<Keyring> load_keyring(const std::optional<std::filesystem::path>& key_file_path,
                                   const KeyEnvironment& env) {
  if (key_file_path && !key_file_path->empty()) {
    return read_key_file(*key_file_path);
  }
  const bool has_file = env.key_file && !env.key_file->empty();
  const bool has_key = env.key && !env.key->empty();
  if (has_file && has_key) {
    return core::fail(core::Status::invalid_argument(
        "both TANDEM_KEY and TANDEM_KEY_FILE are set; set only one of them"));
  }
  if (has_file) {
    return read_key_file(*env.key_file);
  }
  if (has_key) {
    return parse_keys(*env.key, "TANDEM_KEY", /*commas=*/true, "key");
  }
  return core::fail(core::Status::failed_precondition(
      "no encryption key: set TANDEM_KEY_FILE to a key file (create one with `tandem keygen`) "
      "or TANDEM_KEY to a key"));
}

core::Result<std::string> create_key_file(const std::filesystem::path& path) {
  core::Result<SecretKey> key = SecretKey::generate();
  if (!key) {
    return core::fail(key.error());
  }
  std::string id = key->id();
  std::vector<SecretKey> keys;
  keys.push_back(std::move(*key));
  core::Result<Keyring> keyring = Keyring::from_keys(std::move(keys));
  if (!keyring) {
    return core::fail(keyring.error());
  }
  if (core::Status written = write_keyring(path, *keyring, /*replace=*/false); !written.is_ok()) {
    return core::fail(written);
  }
  return id;
}

core::Result<std::string> rotate_key_file(const std::filesystem::path& path) {
  core::Result<Keyring> old = read_key_file(path);
  if (!old) {
    return core::fail(old.error());
  }
  const std::vector<std::string> old_ids = old->ids();
  core::Result<SecretKey> key = fresh_key(old_ids);
  if (!key) {
    return core::fail(key.error());
  }
  std::string id = key->id();
  std::vector<SecretKey> keys;
  keys.push_back(std::move(*key));
  // Re-read the old keys as values of their own: a Keyring does not give its keys away.
  for (const std::string& old_id : old_ids) {
    const SecretKey* old_key = old->find(old_id);
    core::Result<SecretKey> copy = SecretKey::from_bytes({old_key->data(), kKeyBytes});
    if (!copy) {
      return core::fail(copy.error());
    }
    keys.push_back(std::move(*copy));
  }
  core::Result<Keyring> keyring = Keyring::from_keys(std::move(keys));
  if (!keyring) {
    return core::fail(keyring.error());
  }
  if (core::Status written = write_keyring(path, *keyring, /*replace=*/true); !written.is_ok()) {
    return core::fail(written);
  }
  return id;
}

core::Result<std::vector<std::string>> drop_old_keys(const std::filesystem::path& path) {
  core::Result<Keyring> old = read_key_file(path);
  if (!old) {
    return core::fail(old.error());
  }
  std::vector<std::string> dropped = old->ids();
  dropped.erase(dropped.begin());
  if (dropped.empty()) {
    return dropped;
  }
  core::Result<SecretKey> current = SecretKey::from_bytes({old->current().data(), kKeyBytes});
  if (!current) {
    return core::fail(current.error());
  }
  std::vector<SecretKey> keys;
  keys.push_back(std::move(*current));
  core::Result<Keyring> keyring = Keyring::from_keys(std::move(keys));
  if (!keyring) {
    return core::fail(keyring.error());
  }
  if (core::Status written = write_keyring(path, *keyring, /*replace=*/true); !written.is_ok()) {
    return core::fail(written);
  }
  return dropped;
}

}  // namespace tandem::crypto
