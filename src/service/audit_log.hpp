// Use case for reading the audit log: the organisation's admin searches it (by actor, action
// or action prefix such as "episode.", record, time range; keyset pagination). The log is
// append-only: there is no use case that changes it. The search itself is audited.
#pragma once

#include <vector>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

// Admin only; entries of the admin's own organisation, oldest first.
core::Result<std::vector<core::AuditEntry>> search_audit(const Context& ctx, const Actor& actor,
                                                         const core::AuditQuery& query);

}  // namespace tandem::service
