#include "cli/keys.hpp"

#include <cstdlib>

#include "crypto/field_cipher.hpp"
#include "crypto/keyring.hpp"

namespace tandem::cli {
namespace {

class NoKeyCipher final : public core::FieldCipher {
 public:
  core::Result<std::string> seal(std::string_view) const override { return core::fail(missing()); }
  core::Result<std::string> open(std::string_view) const override { return core::fail(missing()); }

 private:
  static core::Status missing() {
    return core::Status::failed_precondition(
        "no encryption key: give --key-file FILE or set TANDEM_KEY_FILE (create one with "
        "`tandem keygen --key-file FILE`)");
  }
};

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace

core::Result<std::shared_ptr<const core::FieldCipher>> load_cipher(
    const std::optional<std::string>& key_file) {
  crypto::KeyEnvironment environment{env("TANDEM_KEY"), env("TANDEM_KEY_FILE")};
  std::optional<std::filesystem::path> path;
  if (key_file) path = *key_file;
  auto keyring = crypto::load_keyring(path, environment);
  if (!keyring) return core::fail(keyring.error());
  return std::shared_ptr<const core::FieldCipher>(
      std::make_shared<crypto::SodiumFieldCipher>(std::move(*keyring)));
}

std::shared_ptr<const core::FieldCipher> no_key_cipher() { return std::make_shared<NoKeyCipher>(); }

}  // namespace tandem::cli
