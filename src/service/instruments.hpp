// Use cases for questionnaire definitions: every role reads the organisation's instruments
// (the shipped ones and its own); the admin adds or replaces one of the organisation's own
// from its JSON definition (for example a licensed instrument the service holds a licence
// for). Each runs in one transaction with an audit entry. Thread-safe as the ports are.
#pragma once

#include <string_view>
#include <vector>

#include "core/instrument.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

// Admin only. The definition is parsed and validated by the catalogue's parser; a malformed
// one is InvalidArgument naming the field, and nothing is stored. Returns the instrument id.
core::Result<std::string> put_instrument(const Context& ctx, const Actor& actor,
                                         std::string_view definition_json);

// By id.
core::Result<std::vector<core::Instrument>> list_instruments(const Context& ctx,
                                                             const Actor& actor);

}  // namespace tandem::service
