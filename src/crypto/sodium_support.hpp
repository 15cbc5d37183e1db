// Small helpers shared by the libsodium adapters of src/crypto: one-time library
// initialisation, hex encoding and safe pointers for possibly empty inputs. Internal to
// src/crypto (other layers use the ports and the public headers). Thread-safe.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace tandem::crypto::detail {

// Initialises libsodium exactly once per process (std::call_once; sodium_init is also
// idempotent). Every entry point calls it before its first libsodium call.
core::Status sodium_ready();

// Lower-case hex of bytes.
std::string to_hex(std::span<const unsigned char> bytes);

// A pointer to the bytes of text that is never null, even for an empty view: several
// libsodium functions declare their inputs nonnull.
const unsigned char* bytes_of(std::string_view text);

}  // namespace tandem::crypto::detail
