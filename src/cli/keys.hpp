// Where the `tandem` commands get the field-encryption key: --key-file, else the
// environment (TANDEM_KEY_FILE, TANDEM_KEY). Commands that only migrate get a cipher that
// refuses to seal or open anything, with a message saying how to configure a key.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::cli {

core::Result<std::shared_ptr<const core::FieldCipher>> load_cipher(
    const std::optional<std::string>& key_file);

std::shared_ptr<const core::FieldCipher> no_key_cipher();

}  // namespace tandem::cli
