#include "service/instruments.hpp"

#include <string>

#include "service/access.hpp"
#include "service/unit_of_work.hpp"

namespace tandem::service {

core::Result<std::string> put_instrument(const Context& ctx, const Actor& actor,
                                         std::string_view definition_json) {
  return detail::run(ctx, detail::note_for(actor, "instrument.update", "instrument"),
                     [&](core::Transaction& tx, detail::AuditNote&) -> core::Result<std::string> {
                       if (auto s = authorize(actor, Resource::kInstrument, Action::kUpdate,
                                              Relation::kOrganisation);
                           !s.is_ok()) {
                         return core::fail(s);
                       }
                       auto instrument = ctx.instruments.parse(definition_json, "definition");
                       if (!instrument) return core::fail(instrument.error());
                       core::InstrumentRecord record;
                       record.org = actor.org;
                       record.instrument = instrument->id;
                       record.definition_json = std::string(definition_json);
                       record.updated_at = ctx.clock.now();
                       if (auto s = tx.put_instrument(record); !s.is_ok()) return core::fail(s);
                       return instrument->id;
                     });
}

core::Result<std::vector<core::Instrument>> list_instruments(const Context& ctx,
                                                             const Actor& actor) {
  return detail::run(ctx, detail::note_for(actor, "instrument.list", "instrument"),
                     [&](core::Transaction& tx,
                         detail::AuditNote&) -> core::Result<std::vector<core::Instrument>> {
                       if (auto s = authorize(actor, Resource::kInstrument, Action::kRead,
                                              Relation::kOrganisation);
                           !s.is_ok()) {
                         return core::fail(s);
                       }
                       return ctx.instruments.list(tx, actor.org);
                     });
}

}  // namespace tandem::service
