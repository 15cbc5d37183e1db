#include "service/instrument_catalogue.hpp"

#include <algorithm>
#include <utility>

namespace tandem::service {

InstrumentCatalogue::InstrumentCatalogue(std::vector<core::Instrument> shipped, Parser parser)
    : shipped_(std::move(shipped)), parser_(std::move(parser)) {}

core::Result<core::Instrument> InstrumentCatalogue::parse(std::string_view definition_json,
                                                          std::string_view source) const {
  if (!parser_) {
    return core::fail(core::Status::failed_precondition(
        "this deployment cannot read instrument definitions (no parser configured)"));
  }
  auto parsed = parser_(definition_json, source);
  if (!parsed) return parsed;
  if (auto valid = core::validate(*parsed); !valid.is_ok()) return core::fail(valid);
  return parsed;
}

core::Result<core::Instrument> InstrumentCatalogue::find(core::Transaction& tx, core::Id org,
                                                         std::string_view id) const {
  if (parser_) {
    auto own = tx.list_instruments(org);
    if (!own) return core::fail(own.error());
    for (const core::InstrumentRecord& record : *own) {
      if (record.instrument == id) return parse(record.definition_json, record.instrument);
    }
  }
  for (const core::Instrument& instrument : shipped_) {
    if (instrument.id == id) return instrument;
  }
  return core::fail(core::Status::not_found("instrument '" + std::string(id) + "' not found"));
}

core::Result<std::vector<core::Instrument>> InstrumentCatalogue::list(core::Transaction& tx,
                                                                      core::Id org) const {
  std::vector<core::Instrument> out = shipped_;
  if (parser_) {
    auto own = tx.list_instruments(org);
    if (!own) return core::fail(own.error());
    for (const core::InstrumentRecord& record : *own) {
      auto parsed = parse(record.definition_json, record.instrument);
      if (!parsed) return core::fail(parsed.error());
      std::erase_if(out, [&](const core::Instrument& i) { return i.id == parsed->id; });
      out.push_back(std::move(*parsed));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

}  // namespace tandem::service
