#include "service/audit_log.hpp"

#include "service/access.hpp"
#include "service/unit_of_work.hpp"

namespace tandem::service {

core::Result<std::vector<core::AuditEntry>> search_audit(const Context& ctx, const Actor& actor,
                                                         const core::AuditQuery& query) {
  return detail::run(
      ctx, detail::note_for(actor, "audit.read", "audit"),
      [&](core::Transaction& tx,
          detail::AuditNote&) -> core::Result<std::vector<core::AuditEntry>> {
        if (auto s = authorize(actor, Resource::kAudit, Action::kRead, Relation::kOrganisation);
            !s.is_ok()) {
          return core::fail(s);
        }
        return tx.search_audit(actor.org, query);
      });
}

}  // namespace tandem::service
