// How every use case runs (internal to src/service): one transaction for the work and its
// audit entry, committed together. When the work fails (denied, not found, invalid), its
// transaction is rolled back, so nothing it wrote survives, and the audit entry saying so is
// written in a transaction of its own: a failed statement may have aborted the first one (as
// PostgreSQL does), and a denial must be on record either way.
#pragma once

#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service::detail {

// The audit entry a use case will write: filled in as far as is known before the work, and
// completed by the work (the new record's id, say).
struct AuditNote {
  core::Id org = 0;  // 0: no organisation to file it under (nothing is written)
  std::optional<core::Id> actor;
  std::string action;
  std::string record_type;
  std::optional<core::Id> record_id;
};

AuditNote note_for(const Actor& actor, std::string action, std::string record_type,
                   std::optional<core::Id> record_id = std::nullopt);

core::AuditOutcome outcome_of(const core::Status& status);

core::AuditEntry entry_for(const Context& ctx, const AuditNote& note, core::AuditOutcome outcome);

// Writes the entry for a failed use case in a transaction of its own; best effort (a store
// that cannot be reached cannot take the entry either, and the caller gets the first error).
void record_failure(const Context& ctx, const AuditNote& note, const core::Status& status);

// Appends an extra audit entry inside the work's transaction (e.g. one per episode a
// caseload read looks at).
core::Status append(core::Transaction& tx, const Context& ctx, const AuditNote& note);

inline core::Status to_status(const core::Result<void>& result) {
  return result ? core::Status::ok() : result.error();
}

// Runs work(tx, note) -> Result<T> in the transaction `begun` and audits the outcome.
template <class Work>
auto run_in(core::Result<std::unique_ptr<core::Transaction>> begun, const Context& ctx,
            AuditNote note, Work&& work)
    -> std::invoke_result_t<Work, core::Transaction&, AuditNote&> {
  using Out = std::invoke_result_t<Work, core::Transaction&, AuditNote&>;
  if (!begun) return Out(core::fail(begun.error()));
  std::unique_ptr<core::Transaction> tx = std::move(*begun);
  Out out = work(*tx, note);
  if (out) {
    core::Status status = append(*tx, ctx, note);
    if (status.is_ok()) status = tx->commit();
    if (status.is_ok()) return out;
    tx.reset();
    record_failure(ctx, note, status);
    return Out(core::fail(std::move(status)));
  }
  tx.reset();  // rolls back whatever the work wrote
  record_failure(ctx, note, out.error());
  return out;
}

// Runs work(tx, note) -> Result<T> in one transaction and audits the outcome.
template <class Work>
auto run(const Context& ctx, AuditNote note, Work&& work) {
  return run_in(ctx.store.begin(), ctx, std::move(note), std::forward<Work>(work));
}

// The same for work that only reads (and audits, through append()): a store may run it
// beside other transactions (Store::begin_read), so a slow read queues no writer.
template <class Work>
auto run_read(const Context& ctx, AuditNote note, Work&& work) {
  return run_in(ctx.store.begin_read(), ctx, std::move(note), std::forward<Work>(work));
}

}  // namespace tandem::service::detail
