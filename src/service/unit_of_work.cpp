#include "service/unit_of_work.hpp"

namespace tandem::service::detail {

AuditNote note_for(const Actor& actor, std::string action, std::string record_type,
                   std::optional<core::Id> record_id) {
  AuditNote note;
  note.org = actor.org;
  note.actor = actor.user;
  note.action = std::move(action);
  note.record_type = std::move(record_type);
  note.record_id = record_id;
  return note;
}

core::AuditOutcome outcome_of(const core::Status& status) {
  switch (status.code()) {
    case core::StatusCode::kOk:
      return core::AuditOutcome::kOk;
    case core::StatusCode::kPermissionDenied:
    case core::StatusCode::kUnauthenticated:
      return core::AuditOutcome::kDenied;
    case core::StatusCode::kNotFound:
      return core::AuditOutcome::kNotFound;
    case core::StatusCode::kInvalidArgument:
    case core::StatusCode::kAlreadyExists:
    case core::StatusCode::kFailedPrecondition:
      return core::AuditOutcome::kInvalid;
    case core::StatusCode::kResourceExhausted:
    case core::StatusCode::kUnavailable:
    case core::StatusCode::kInternal:
      break;
  }
  return core::AuditOutcome::kError;
}

core::AuditEntry entry_for(const Context& ctx, const AuditNote& note, core::AuditOutcome outcome) {
  core::AuditEntry entry;
  entry.org = note.org;
  entry.actor = note.actor;
  entry.action = note.action;
  entry.record_type = note.record_type;
  entry.record_id = note.record_id;
  entry.outcome = outcome;
  entry.at = ctx.clock.now();
  return entry;
}

core::Status append(core::Transaction& tx, const Context& ctx, const AuditNote& note) {
  if (note.org == 0) return core::Status::ok();
  auto appended = tx.append_audit(entry_for(ctx, note, core::AuditOutcome::kOk));
  return appended ? core::Status::ok() : appended.error();
}

void record_failure(const Context& ctx, const AuditNote& note, const core::Status& status) {
  if (note.org == 0) return;
  auto begun = ctx.store.begin();
  if (!begun) return;
  auto& tx = **begun;
  if (tx.append_audit(entry_for(ctx, note, outcome_of(status)))) {
    (void)tx.commit();
  }
}

}  // namespace tandem::service::detail
