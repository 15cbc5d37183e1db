// Where the use cases find questionnaire definitions: the instruments Tandem ships (loaded
// from instruments/*.json by the caller) and each organisation's own definitions, kept in the
// store as JSON text and read through an injected parser (io::parse_instrument), so this layer
// needs no JSON library. An organisation's definition overrides a shipped one of the same id.
// Immutable after construction; thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/instrument.hpp"
#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::service {

class InstrumentCatalogue {
 public:
  // JSON definition text -> Instrument; `source` names the definition in error messages.
  using Parser = std::function<core::Result<core::Instrument>(std::string_view definition_json,
                                                              std::string_view source)>;

  // Without a parser, organisations cannot add their own definitions (FailedPrecondition).
  explicit InstrumentCatalogue(std::vector<core::Instrument> shipped, Parser parser = {});

  // The organisation's own definition of `id` if it has one, else the shipped one; NotFound
  // when neither exists.
  [[nodiscard]] core::Result<core::Instrument> find(core::Transaction& tx, core::Id org,
                                                    std::string_view id) const;
  // Shipped definitions and the organisation's own, by id (an own one replaces a shipped one).
  [[nodiscard]] core::Result<std::vector<core::Instrument>> list(core::Transaction& tx,
                                                                 core::Id org) const;
  // Parses and validates a definition. FailedPrecondition when there is no parser.
  [[nodiscard]] core::Result<core::Instrument> parse(std::string_view definition_json,
                                                     std::string_view source) const;
  [[nodiscard]] const std::vector<core::Instrument>& shipped() const { return shipped_; }

 private:
  std::vector<core::Instrument> shipped_;
  Parser parser_;
};

}  // namespace tandem::service
