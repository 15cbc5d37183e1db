#include "storage/postgres/postgres_transaction.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include <fmt/format.h>

namespace tandem::store::pg {

using core::fail;
using core::Id;
using core::Status;

// The encrypted columns of one table and the key that names a row (docs/storage.md).
struct SealedTable {
  const char* table;
  std::vector<const char*> key;
  std::vector<const char*> sealed;
};

namespace {

// ---- statements -----------------------------------------------------------------
// Every statement is constant text with $n placeholders; values are always parameters.

constexpr const char* kUserColumns =
    "org_id, id, email, display_name, role, trainee, password_hash, client_id, active, "
    "created_at";

// Existence of a parent row, so that listing the children of a missing (or another
// organisation's) record is NotFound rather than an empty list, as in SQLite.
constexpr Query kClientExists{"client_exists",
                              "SELECT 1 FROM clients WHERE org_id = $1 AND id = $2"};
constexpr Query kUserExists{"user_exists", "SELECT 1 FROM users WHERE org_id = $1 AND id = $2"};
constexpr Query kEpisodeExists{"episode_exists",
                               "SELECT 1 FROM episodes WHERE org_id = $1 AND id = $2"};
constexpr Query kReflectionExists{"reflection_exists",
                                  "SELECT 1 FROM reflections WHERE org_id = $1 AND id = $2"};

constexpr Query kCreateOrganisation{
    "org_create",
    "INSERT INTO organisations (name, crisis_text, created_at) VALUES ($1, $2, $3) RETURNING id"};
constexpr Query kGetOrganisation{
    "org_get", "SELECT id, name, crisis_text, created_at FROM organisations WHERE id = $1"};
constexpr Query kUpdateOrganisation{
    "org_update", "UPDATE organisations SET name = $2, crisis_text = $3 WHERE id = $1"};

constexpr Query kCreateUser{
    "user_create",
    "INSERT INTO users (org_id, email, display_name, role, trainee, password_hash, client_id, "
    "active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"};
constexpr Query kGetUser{"user_get",
                         "SELECT org_id, id, email, display_name, role, trainee, password_hash, "
                         "client_id, active, created_at FROM users WHERE org_id = $1 AND id = $2"};
constexpr Query kFindUserByEmail{
    "user_by_email",
    "SELECT org_id, id, email, display_name, role, trainee, password_hash, client_id, active, "
    "created_at FROM users WHERE email = $1"};
constexpr Query kListUsers{
    "user_list",
    "SELECT org_id, id, email, display_name, role, trainee, password_hash, client_id, active, "
    "created_at FROM users WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3"};
constexpr Query kUpdateUser{
    "user_update",
    "UPDATE users SET display_name = $3, role = $4, trainee = $5, password_hash = $6, "
    "client_id = $7, active = $8 WHERE org_id = $1 AND id = $2"};
constexpr Query kCountUsers{"user_count", "SELECT count(*) FROM users WHERE org_id = $1"};

constexpr Query kCreateClient{
    "client_create",
    "INSERT INTO clients (org_id, display_name, birth_date, consent_care, consent_research, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"};
constexpr Query kGetClient{
    "client_get",
    "SELECT org_id, id, display_name, birth_date, consent_care, consent_research, created_at "
    "FROM clients WHERE org_id = $1 AND id = $2"};
constexpr Query kUpdateClient{
    "client_update",
    "UPDATE clients SET display_name = $3, birth_date = $4, consent_care = $5, "
    "consent_research = $6 WHERE org_id = $1 AND id = $2"};
constexpr Query kListClients{
    "client_list",
    "SELECT org_id, id, display_name, birth_date, consent_care, consent_research, created_at "
    "FROM clients WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3"};

constexpr Query kAssign{
    "assign",
    "INSERT INTO assignments (org_id, client_id, therapist_id, since) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (org_id, client_id, therapist_id) DO NOTHING"};
constexpr Query kUnassign{
    "unassign",
    "DELETE FROM assignments WHERE org_id = $1 AND client_id = $2 AND therapist_id = $3"};
constexpr Query kTherapistsOf{
    "therapists_of",
    "SELECT therapist_id FROM assignments WHERE org_id = $1 AND client_id = $2 "
    "ORDER BY therapist_id"};
constexpr Query kClientsOf{
    "clients_of",
    "SELECT c.org_id, c.id, c.display_name, c.birth_date, c.consent_care, c.consent_research, "
    "c.created_at FROM assignments a JOIN clients c ON c.org_id = a.org_id AND c.id = a.client_id "
    "WHERE a.org_id = $1 AND a.therapist_id = $2 AND a.client_id > $3 ORDER BY a.client_id "
    "LIMIT $4"};
constexpr Query kLinkSupervision{
    "supervision_link",
    "INSERT INTO supervision (org_id, supervisor_id, therapist_id, since) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (org_id, supervisor_id, therapist_id) DO NOTHING"};
constexpr Query kSuperviseesOf{
    "supervisees_of",
    "SELECT therapist_id FROM supervision WHERE org_id = $1 AND supervisor_id = $2 "
    "ORDER BY therapist_id"};
constexpr Query kSupervisorsOf{
    "supervisors_of",
    "SELECT supervisor_id FROM supervision WHERE org_id = $1 AND therapist_id = $2 "
    "ORDER BY supervisor_id"};

constexpr Query kCreateEpisode{
    "episode_create",
    "INSERT INTO episodes (org_id, client_id, therapist_id, instrument, opened, closed, "
    "close_reason, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"};
constexpr Query kGetEpisode{
    "episode_get",
    "SELECT org_id, id, client_id, therapist_id, instrument, opened, closed, close_reason, "
    "created_at FROM episodes WHERE org_id = $1 AND id = $2"};
constexpr Query kEpisodesOfClient{
    "episodes_of_client",
    "SELECT org_id, id, client_id, therapist_id, instrument, opened, closed, close_reason, "
    "created_at FROM episodes WHERE org_id = $1 AND client_id = $2 ORDER BY id"};
constexpr Query kCloseEpisode{
    "episode_close",
    "UPDATE episodes SET closed = $3, close_reason = $4 WHERE org_id = $1 AND id = $2"};

constexpr Query kCreateSession{
    "session_create",
    "INSERT INTO sessions (org_id, episode_id, number, date, attendance, felt_hard_client, "
    "felt_hard_therapist, therapist_notes, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"};
constexpr Query kGetSession{
    "session_get",
    "SELECT org_id, id, episode_id, number, date, attendance, felt_hard_client, "
    "felt_hard_therapist, therapist_notes, created_at FROM sessions WHERE org_id = $1 AND id = $2"};
constexpr Query kUpdateSession{
    "session_update",
    "UPDATE sessions SET number = $3, date = $4, attendance = $5, felt_hard_client = $6, "
    "felt_hard_therapist = $7, therapist_notes = $8 WHERE org_id = $1 AND id = $2"};
constexpr Query kSessionsOf{
    "sessions_of",
    "SELECT org_id, id, episode_id, number, date, attendance, felt_hard_client, "
    "felt_hard_therapist, therapist_notes, created_at FROM sessions "
    "WHERE org_id = $1 AND episode_id = $2 ORDER BY number"};

constexpr Query kPutInstrument{
    "instrument_put",
    "INSERT INTO instruments (org_id, instrument, definition_json, updated_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, instrument) DO UPDATE "
    "SET definition_json = excluded.definition_json, updated_at = excluded.updated_at"};
constexpr Query kListInstruments{
    "instrument_list",
    "SELECT org_id, instrument, definition_json, updated_at FROM instruments "
    "WHERE org_id = $1 ORDER BY instrument"};
constexpr Query kAddAdministration{
    "administration_add",
    "INSERT INTO administrations (org_id, episode_id, session_id, instrument, responses, total, "
    "answered_by, recorded_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id"};
constexpr Query kAdministrationsOf{
    "administrations_of",
    "SELECT org_id, id, episode_id, session_id, instrument, responses, total, answered_by, "
    "recorded_by, at FROM administrations WHERE org_id = $1 AND episode_id = $2 ORDER BY id"};

// Locks the episode (FOR NO KEY UPDATE does not block foreign-key checks of concurrent
// writers) so concurrent revisions number their versions one after the other.
constexpr Query kLockEpisode{
    "episode_lock", "SELECT 1 FROM episodes WHERE org_id = $1 AND id = $2 FOR NO KEY UPDATE"};
constexpr Query kNextVersion{
    "definition_next_version",
    "SELECT coalesce(max(version), 0) + 1 FROM definitions WHERE org_id = $1 AND episode_id = $2"};
constexpr Query kAddDefinition{
    "definition_add",
    "INSERT INTO definitions (org_id, episode_id, version, hopes, better_looks_like, "
    "small_shifts, change_note, changed_by, changed_at, client_agreed_at, therapist_agreed_at, "
    "revised_at_session) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"};
constexpr Query kAddDefinitionGoal{
    "definition_goal_add",
    "INSERT INTO definition_goals (org_id, episode_id, version, position, goal_key, text, scale, "
    "gas_minus2, gas_minus1, gas_zero, gas_plus1, gas_plus2, weight) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"};
constexpr Query kDefinitionsOf{
    "definitions_of",
    "SELECT org_id, episode_id, version, hopes, better_looks_like, small_shifts, change_note, "
    "changed_by, changed_at, client_agreed_at, therapist_agreed_at, revised_at_session "
    "FROM definitions WHERE org_id = $1 AND episode_id = $2 ORDER BY version"};
constexpr Query kDefinitionGoalsOf{
    "definition_goals_of",
    "SELECT version, goal_key, text, scale, gas_minus2, gas_minus1, gas_zero, gas_plus1, "
    "gas_plus2, weight FROM definition_goals WHERE org_id = $1 AND episode_id = $2 "
    "ORDER BY version, position"};
constexpr Query kAgreeClient{"definition_agree_client",
                             "UPDATE definitions SET client_agreed_at = $4 "
                             "WHERE org_id = $1 AND episode_id = $2 AND version = $3"};
constexpr Query kAgreeTherapist{"definition_agree_therapist",
                                "UPDATE definitions SET therapist_agreed_at = $4 "
                                "WHERE org_id = $1 AND episode_id = $2 AND version = $3"};

constexpr Query kAddGoalRating{
    "goal_rating_add",
    "INSERT INTO goal_ratings (org_id, episode_id, session_id, goal_key, rater, value, "
    "recorded_by, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"};
constexpr Query kGoalRatingsOf{
    "goal_ratings_of",
    "SELECT org_id, id, episode_id, session_id, goal_key, rater, value, recorded_by, at "
    "FROM goal_ratings WHERE org_id = $1 AND episode_id = $2 ORDER BY id"};
constexpr Query kAddAlliance{
    "alliance_add",
    "INSERT INTO alliance_ratings (org_id, episode_id, session_id, value, recorded_by, at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"};
constexpr Query kAllianceOf{
    "alliance_of",
    "SELECT org_id, id, episode_id, session_id, value, recorded_by, at FROM alliance_ratings "
    "WHERE org_id = $1 AND episode_id = $2 ORDER BY id"};
constexpr Query kAddMoment{
    "moment_add",
    "INSERT INTO moments (org_id, episode_id, session_id, tag, text, by_rater, recorded_by, at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"};
constexpr Query kMomentsOf{
    "moments_of",
    "SELECT org_id, id, episode_id, session_id, tag, text, by_rater, recorded_by, at "
    "FROM moments WHERE org_id = $1 AND episode_id = $2 ORDER BY id"};

constexpr Query kAddReflection{
    "reflection_add",
    "INSERT INTO reflections (org_id, author_id, episode_id, tried_to_fix, sat_with, at) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"};
constexpr Query kGetReflection{
    "reflection_get",
    "SELECT org_id, id, author_id, episode_id, tried_to_fix, sat_with, at FROM reflections "
    "WHERE org_id = $1 AND id = $2"};
constexpr Query kReflectionsOf{
    "reflections_of",
    "SELECT org_id, id, author_id, episode_id, tried_to_fix, sat_with, at FROM reflections "
    "WHERE org_id = $1 AND author_id = $2 AND id > $3 ORDER BY id LIMIT $4"};
constexpr Query kAddComment{
    "comment_add",
    "INSERT INTO reflection_comments (org_id, reflection_id, author_id, text, at) "
    "VALUES ($1, $2, $3, $4, $5) RETURNING id"};
constexpr Query kCommentsOf{
    "comments_of",
    "SELECT org_id, id, reflection_id, author_id, text, at FROM reflection_comments "
    "WHERE org_id = $1 AND reflection_id = $2 ORDER BY id"};

constexpr Query kCreateLoginSession{
    "login_session_create",
    "INSERT INTO login_sessions (org_id, user_id, token_hash, created_at, last_seen_at, "
    "expires_at, revoked) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"};
constexpr Query kFindLoginSession{
    "login_session_by_hash",
    "SELECT id, org_id, user_id, token_hash, created_at, last_seen_at, expires_at, revoked "
    "FROM login_sessions WHERE token_hash = $1"};
constexpr Query kTouchLoginSession{
    "login_session_touch",
    "UPDATE login_sessions SET last_seen_at = $3 WHERE org_id = $1 AND id = $2"};
constexpr Query kRevokeLoginSession{
    "login_session_revoke",
    "UPDATE login_sessions SET revoked = true WHERE org_id = $1 AND id = $2"};
constexpr Query kRevokeOtherSessions{
    "login_session_revoke_others",
    "UPDATE login_sessions SET revoked = true WHERE org_id = $1 AND user_id = $2 AND id <> $3 "
    "AND NOT revoked"};
constexpr Query kCreateInvitation{
    "invitation_create",
    "INSERT INTO invitations (org_id, client_id, created_by, token_hash, created_at, expires_at, "
    "used_at, role, display_name, trainee) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
    "RETURNING id"};
#define TANDEM_INVITATION_COLUMNS                                                           \
  "SELECT id, org_id, client_id, created_by, token_hash, created_at, expires_at, used_at, " \
  "role, display_name, trainee FROM invitations "
constexpr Query kFindInvitation{"invitation_by_hash",
                                TANDEM_INVITATION_COLUMNS "WHERE token_hash = $1"};
// $2 NULL: every creator's.
constexpr Query kListInvitations{
    "invitation_list", TANDEM_INVITATION_COLUMNS
    "WHERE org_id = $1 AND ($2::bigint IS NULL OR created_by = $2) AND id > $3 "
    "ORDER BY id LIMIT $4"};
#undef TANDEM_INVITATION_COLUMNS
// Conditional on used_at IS NULL: under read committed a concurrent acceptance waits for the
// row lock, re-checks the condition and matches nothing.
constexpr Query kUseInvitation{
    "invitation_use",
    "UPDATE invitations SET used_at = $3 WHERE org_id = $1 AND id = $2 AND used_at IS NULL"};
constexpr Query kInvitationExists{"invitation_exists",
                                  "SELECT 1 FROM invitations WHERE org_id = $1 AND id = $2"};
constexpr Query kRecordLoginFailure{"login_failure_record",
                                    "INSERT INTO login_failures (key, at) VALUES ($1, $2)"};
constexpr Query kCountLoginFailures{
    "login_failure_count", "SELECT count(*) FROM login_failures WHERE key = $1 AND at >= $2"};
constexpr Query kPruneLoginFailures{"login_failure_prune",
                                    "DELETE FROM login_failures WHERE at < $1"};

constexpr Query kAppendAudit{
    "audit_append",
    "INSERT INTO audit (org_id, actor_id, action, record_type, record_id, outcome, at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id"};
// One statement for every combination of filters: an absent filter is a NULL parameter.
// An action ending in '.' is a prefix ("episode." matches "episode.read").
// Not prepared: a generic plan could not use the index of whichever filter is set.
constexpr Query kSearchAudit{
    nullptr,
    "SELECT org_id, id, actor_id, action, record_type, record_id, outcome, at FROM audit "
    "WHERE org_id = $1 AND id > $2 "
    "AND ($3::bigint IS NULL OR actor_id = $3) "
    "AND ($4::text IS NULL OR CASE WHEN right($4, 1) = '.' THEN starts_with(action, $4) "
    "ELSE action = $4 END) "
    "AND ($5::text IS NULL OR record_type = $5) "
    "AND ($6::bigint IS NULL OR record_id = $6) "
    "AND ($7::bigint IS NULL OR at >= $7) "
    "AND ($8::bigint IS NULL OR at < $8) "
    "ORDER BY id LIMIT $9"};

Status check_page(const core::Page& page) {
  if (page.limit < 1) return Status::invalid_argument("limit: must be at least 1", "limit");
  return Status::ok();
}

Status not_found(std::string_view what) {
  return Status::not_found(fmt::format("{} not found", what));
}

Status corrupt(std::string_view table, std::string_view column) {
  return Status::internal(fmt::format("unexpected value in {}.{}", table, column));
}

std::optional<double> nan_as_null(double value) {
  if (std::isnan(value)) return std::nullopt;
  return value;
}

const std::vector<SealedTable>& sealed_tables() {
  static const std::vector<SealedTable> tables = {
      {"clients", {"org_id", "id"}, {"display_name"}},
      {"users", {"org_id", "id"}, {"display_name"}},
      {"sessions", {"org_id", "id"}, {"therapist_notes"}},
      {"definitions",
       {"org_id", "episode_id", "version"},
       {"hopes", "better_looks_like", "small_shifts", "change_note"}},
      {"definition_goals",
       {"org_id", "episode_id", "version", "position"},
       {"text", "gas_minus2", "gas_minus1", "gas_zero", "gas_plus1", "gas_plus2"}},
      {"moments", {"org_id", "id"}, {"text"}},
      {"reflections", {"org_id", "id"}, {"tried_to_fix", "sat_with"}},
      {"reflection_comments", {"org_id", "id"}, {"text"}},
      {"invitations", {"org_id", "id"}, {"display_name"}},
  };
  return tables;
}

// Rows re-sealed per round trip in reseal_everything().
constexpr int kResealBatch = 500;

}  // namespace

PostgresTransaction::PostgresTransaction(Lease lease,
                                         std::shared_ptr<const core::FieldCipher> cipher)
    : lease_(std::move(lease)), cipher_(std::move(cipher)) {}

PostgresTransaction::~PostgresTransaction() { finish(); }

void PostgresTransaction::finish() {
  PGconn* conn = lease_.get();
  if (conn == nullptr) return;
  if (PQtransactionStatus(conn) != PQTRANS_IDLE) {
    // Roll back uncommitted work; a connection that cannot even do that is not reused.
    PGresult* result = PQexec(conn, "ROLLBACK");
    if (result == nullptr || PQresultStatus(result) != PGRES_COMMAND_OK) lease_.mark_broken();
    PQclear(result);
  }
  lease_.reset();  // back to the pool at once, not when the caller drops the object
}

Status PostgresTransaction::usable() const {
  switch (state_) {
    case State::kOpen:
      return Status::ok();
    case State::kCommitted:
      return Status::failed_precondition("the transaction has already ended");
    case State::kFailed:
      return failure_;
  }
  return failure_;
}

void PostgresTransaction::fail_with(const Status& status) {
  state_ = State::kFailed;
  failure_ = status;
  if (is_connection_lost(lease_.get(), nullptr)) lease_.mark_broken();
}

Status PostgresTransaction::simple(const char* sql, std::string_view what) {
  auto result = exec_simple(lease_.get(), sql, what);
  if (result) return Status::ok();
  fail_with(result.error());
  return result.error();
}

Status PostgresTransaction::ensure_prepared(const Query& query) {
  Connection& connection = lease_.connection();
  if (connection.prepared.contains(query.name)) return Status::ok();
  if (Status status = prepare(lease_.get(), query.name, query.sql); !status.is_ok()) {
    // A failed PREPARE inside a transaction aborts it, savepoint or not.
    fail_with(status);
    return status;
  }
  connection.prepared.insert(query.name);
  return Status::ok();
}

core::Result<Result> PostgresTransaction::run(const Query& query, const Params& params,
                                              std::string_view what) {
  if (Status status = usable(); !status.is_ok()) return fail(status);
  core::Result<Result> result;
  if (query.name == nullptr) {
    result = exec(lease_.get(), query.sql, params, what);
  } else {
    if (Status status = ensure_prepared(query); !status.is_ok()) return fail(status);
    result = exec_prepared(lease_.get(), query.name, params, what);
  }
  if (!result && (savepoint_depth_ == 0 || is_connection_lost(lease_.get(), nullptr))) {
    fail_with(result.error());
  }
  return result;
}

core::Result<Result> PostgresTransaction::run_guarded(const Query& query, const Params& params,
                                                      std::string_view what) {
  if (Status status = usable(); !status.is_ok()) return fail(status);
  if (Status status = ensure_prepared(query); !status.is_ok()) return fail(status);
  GuardedOutcome outcome = exec_prepared_guarded(lease_.get(), query.name, params, what);
  if (!outcome.transaction.is_ok()) fail_with(outcome.transaction);
  return std::move(outcome.statement);
}

Status PostgresTransaction::atomically(const std::function<Status()>& body) {
  if (Status status = usable(); !status.is_ok()) return status;
  if (Status status = simple("SAVEPOINT tandem_write", "starting a write"); !status.is_ok()) {
    return status;
  }
  ++savepoint_depth_;
  Status status = body();
  --savepoint_depth_;
  if (state_ == State::kFailed) return status;
  if (status.is_ok()) {
    if (Status released = simple("RELEASE SAVEPOINT tandem_write", "finishing a write");
        !released.is_ok()) {
      return released;
    }
    return status;
  }
  // Undo just this write; the transaction carries on.
  simple("ROLLBACK TO SAVEPOINT tandem_write; RELEASE SAVEPOINT tandem_write",
         "undoing a refused write");
  return status;
}

Status PostgresTransaction::commit() {
  if (Status status = usable(); !status.is_ok()) return status;
  auto result = exec_simple(lease_.get(), "COMMIT", "committing");
  if (!result) {
    fail_with(result.error());
    finish();
    if (result.error().code() == core::StatusCode::kUnavailable &&
        is_connection_lost(lease_.get(), nullptr)) {
      return Status::unavailable(
          "the connection to PostgreSQL was lost while committing; the transaction may or may "
          "not have been applied");
    }
    return result.error();
  }
  // COMMIT of a transaction the server had already aborted answers ROLLBACK.
  if (std::string_view(PQcmdStatus(result->get())) != "COMMIT") {
    Status rolled_back =
        Status::unavailable("PostgreSQL rolled the transaction back instead of committing it");
    fail_with(rolled_back);
    finish();
    return rolled_back;
  }
  state_ = State::kCommitted;
  finish();
  return Status::ok();
}

// ---- encryption ---------------------------------------------------------------------

core::Result<std::string> PostgresTransaction::seal(std::string_view plaintext,
                                                    std::string_view field) const {
  auto sealed = cipher_->seal(plaintext);
  if (!sealed) {
    return fail(
        Status::internal(fmt::format("cannot encrypt {}: {}", field, sealed.error().message())));
  }
  return sealed;
}

core::Result<std::string> PostgresTransaction::unseal(std::string_view sealed,
                                                      std::string_view field) const {
  auto plain = cipher_->open(sealed);
  if (!plain) {
    return fail(Status::internal(fmt::format("cannot decrypt {} (is the right key loaded?): {}",
                                             field, plain.error().message())));
  }
  return plain;
}

core::Result<std::string> PostgresTransaction::unseal_episode_text(std::string_view sealed,
                                                                   std::string_view field) const {
  if (leave_sealed_) return std::string();
  return unseal(sealed, field);
}

// ---- helpers ------------------------------------------------------------------------

core::Result<Id> PostgresTransaction::insert_returning_id(const Query& query, const Params& params,
                                                          std::string_view what) {
  auto rows = run_guarded(query, params, what);
  if (!rows) return fail(rows.error());
  return rows->int64(0, 0);
}

Status PostgresTransaction::require(const Query& query, Id org, Id id, std::string_view what) {
  auto rows = run(query, Params().add(org).add(id), fmt::format("look up {}", what));
  if (!rows) return rows.error();
  return rows->rows() == 0 ? not_found(what) : Status::ok();
}

Status PostgresTransaction::update_one(const Query& query, const Params& params,
                                       std::string_view what, std::string_view missing) {
  auto rows = run_guarded(query, params, what);
  if (!rows) return rows.error();
  return rows->affected() == 0 ? not_found(missing) : Status::ok();
}

Status PostgresTransaction::write(const Query& query, const Params& params, std::string_view what) {
  auto rows = run_guarded(query, params, what);
  return rows ? Status::ok() : rows.error();
}

core::Result<core::User> PostgresTransaction::user_at(const Result& rows, int row) const {
  core::User user;
  user.org = rows.int64(row, 0);
  user.id = rows.int64(row, 1);
  user.email = rows.str(row, 2);
  auto name = unseal(rows.text(row, 3), "users.display_name");
  if (!name) return fail(name.error());
  user.display_name = std::move(*name);
  const auto role = core::parse_role(rows.text(row, 4));
  if (!role) return fail(corrupt("users", "role"));
  user.role = *role;
  user.trainee = rows.boolean(row, 5);
  user.password_hash = rows.str(row, 6);
  user.client_id = rows.opt_int64(row, 7);
  user.active = rows.boolean(row, 8);
  user.created_at = rows.int64(row, 9);
  return user;
}

core::Result<core::Client> PostgresTransaction::client_at(const Result& rows, int row) const {
  core::Client client;
  client.org = rows.int64(row, 0);
  client.id = rows.int64(row, 1);
  auto name = unseal(rows.text(row, 2), "clients.display_name");
  if (!name) return fail(name.error());
  client.display_name = std::move(*name);
  client.birth_date = rows.opt_int32(row, 3);
  client.consent.care = rows.boolean(row, 4);
  client.consent.research = rows.boolean(row, 5);
  client.created_at = rows.int64(row, 6);
  return client;
}

core::Result<core::SessionRecord> PostgresTransaction::session_at(const Result& rows,
                                                                  int row) const {
  core::SessionRecord session;
  session.org = rows.int64(row, 0);
  session.id = rows.int64(row, 1);
  session.episode = rows.int64(row, 2);
  session.number = rows.int32(row, 3);
  session.date = rows.int32(row, 4);
  const auto attendance = core::parse_attendance(rows.text(row, 5));
  if (!attendance) return fail(corrupt("sessions", "attendance"));
  session.attendance = *attendance;
  session.felt_hard_client = rows.boolean(row, 6);
  session.felt_hard_therapist = rows.boolean(row, 7);
  auto notes = unseal_episode_text(rows.text(row, 8), "sessions.therapist_notes");
  if (!notes) return fail(notes.error());
  session.therapist_notes = std::move(*notes);
  session.created_at = rows.int64(row, 9);
  return session;
}

core::Result<core::MomentRecord> PostgresTransaction::moment_at(const Result& rows, int row) const {
  core::MomentRecord moment;
  moment.org = rows.int64(row, 0);
  moment.id = rows.int64(row, 1);
  moment.episode = rows.int64(row, 2);
  moment.session = rows.opt_int64(row, 3);
  moment.tag = rows.str(row, 4);
  auto text = unseal_episode_text(rows.text(row, 5), "moments.text");
  if (!text) return fail(text.error());
  moment.text = std::move(*text);
  const auto by = core::parse_rater(rows.text(row, 6));
  if (!by) return fail(corrupt("moments", "by_rater"));
  moment.by = *by;
  moment.recorded_by = rows.int64(row, 7);
  moment.at = rows.int64(row, 8);
  return moment;
}

core::Result<core::Reflection> PostgresTransaction::reflection_at(const Result& rows,
                                                                  int row) const {
  core::Reflection reflection;
  reflection.org = rows.int64(row, 0);
  reflection.id = rows.int64(row, 1);
  reflection.author = rows.int64(row, 2);
  reflection.episode = rows.opt_int64(row, 3);
  auto tried = unseal(rows.text(row, 4), "reflections.tried_to_fix");
  if (!tried) return fail(tried.error());
  reflection.tried_to_fix = std::move(*tried);
  auto sat = unseal(rows.text(row, 5), "reflections.sat_with");
  if (!sat) return fail(sat.error());
  reflection.sat_with = std::move(*sat);
  reflection.at = rows.int64(row, 6);
  return reflection;
}

namespace {

// Maps every row through `decode`, stopping at the first error.
template <class T, class Decode>
core::Result<std::vector<T>> collect(const Result& rows, Decode decode) {
  std::vector<T> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) {
    core::Result<T> item = decode(rows, row);
    if (!item) return fail(item.error());
    out.push_back(std::move(*item));
  }
  return out;
}

std::vector<Id> ids(const Result& rows) {
  std::vector<Id> out;
  out.reserve(static_cast<std::size_t>(rows.rows()));
  for (int row = 0; row < rows.rows(); ++row) out.push_back(rows.int64(row, 0));
  return out;
}

}  // namespace

// ---- organisations and users ----------------------------------------------------------

core::Result<Id> PostgresTransaction::create_organisation(const core::Organisation& org) {
  return insert_returning_id(kCreateOrganisation,
                             Params().add(org.name).add(org.crisis_text).add(org.created_at),
                             "create organisation");
}

core::Result<core::Organisation> PostgresTransaction::get_organisation(Id org) {
  auto rows = run(kGetOrganisation, Params().add(org), "read organisation");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("organisation"));
  core::Organisation out;
  out.id = rows->int64(0, 0);
  out.name = rows->str(0, 1);
  out.crisis_text = rows->str(0, 2);
  out.created_at = rows->int64(0, 3);
  return out;
}

Status PostgresTransaction::update_organisation(const core::Organisation& org) {
  return update_one(kUpdateOrganisation, Params().add(org.id).add(org.name).add(org.crisis_text),
                    "update organisation", "organisation");
}

core::Result<Id> PostgresTransaction::create_user(const core::User& user) {
  if (Status valid = core::validate(user); !valid.is_ok()) return fail(valid);
  auto name = seal(user.display_name, "users.display_name");
  if (!name) return fail(name.error());
  return insert_returning_id(kCreateUser,
                             Params()
                                 .add(user.org)
                                 .add(user.email)
                                 .add(*name)
                                 .add(core::to_string(user.role))
                                 .add(user.trainee)
                                 .add(user.password_hash)
                                 .add(user.client_id)
                                 .add(user.active)
                                 .add(user.created_at),
                             "create user");
}

core::Result<core::User> PostgresTransaction::get_user(Id org, Id user) {
  auto rows = run(kGetUser, Params().add(org).add(user), "read user");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("user"));
  return user_at(*rows, 0);
}

core::Result<core::User> PostgresTransaction::find_user_by_email(std::string_view email) {
  auto rows = run(kFindUserByEmail, Params().add(email), "find user");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("user"));
  return user_at(*rows, 0);
}

core::Result<std::vector<core::User>> PostgresTransaction::list_users(Id org,
                                                                      const core::Page& page) {
  if (Status page_ok = check_page(page); !page_ok.is_ok()) return fail(page_ok);
  auto rows = run(kListUsers, Params().add(org).add(page.after).add(page.limit), "list users");
  if (!rows) return fail(rows.error());
  return collect<core::User>(*rows, [this](const Result& r, int row) { return user_at(r, row); });
}

Status PostgresTransaction::update_user(const core::User& user) {
  if (Status valid = core::validate(user); !valid.is_ok()) return valid;
  auto name = seal(user.display_name, "users.display_name");
  if (!name) return name.error();
  return update_one(kUpdateUser,
                    Params()
                        .add(user.org)
                        .add(user.id)
                        .add(*name)
                        .add(core::to_string(user.role))
                        .add(user.trainee)
                        .add(user.password_hash)
                        .add(user.client_id)
                        .add(user.active),
                    "update user", "user");
}

core::Result<std::int64_t> PostgresTransaction::count_users(Id org) {
  auto rows = run(kCountUsers, Params().add(org), "count users");
  if (!rows) return fail(rows.error());
  return rows->int64(0, 0);
}

// ---- clients, assignments, supervision -------------------------------------------------

core::Result<Id> PostgresTransaction::create_client(const core::Client& client) {
  if (Status valid = core::validate(client); !valid.is_ok()) return fail(valid);
  auto name = seal(client.display_name, "clients.display_name");
  if (!name) return fail(name.error());
  return insert_returning_id(kCreateClient,
                             Params()
                                 .add(client.org)
                                 .add(*name)
                                 .add(client.birth_date)
                                 .add(client.consent.care)
                                 .add(client.consent.research)
                                 .add(client.created_at),
                             "create client");
}

core::Result<core::Client> PostgresTransaction::get_client(Id org, Id client) {
  auto rows = run(kGetClient, Params().add(org).add(client), "read client");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("client"));
  return client_at(*rows, 0);
}

Status PostgresTransaction::update_client(const core::Client& client) {
  if (Status valid = core::validate(client); !valid.is_ok()) return valid;
  auto name = seal(client.display_name, "clients.display_name");
  if (!name) return name.error();
  return update_one(kUpdateClient,
                    Params()
                        .add(client.org)
                        .add(client.id)
                        .add(*name)
                        .add(client.birth_date)
                        .add(client.consent.care)
                        .add(client.consent.research),
                    "update client", "client");
}

core::Result<std::vector<core::Client>> PostgresTransaction::list_clients(Id org,
                                                                          const core::Page& page) {
  if (Status page_ok = check_page(page); !page_ok.is_ok()) return fail(page_ok);
  auto rows = run(kListClients, Params().add(org).add(page.after).add(page.limit), "list clients");
  if (!rows) return fail(rows.error());
  return collect<core::Client>(*rows,
                               [this](const Result& r, int row) { return client_at(r, row); });
}

Status PostgresTransaction::assign(const core::Assignment& a) {
  return write(kAssign, Params().add(a.org).add(a.client).add(a.therapist).add(a.since),
               "assign client");
}

Status PostgresTransaction::unassign(Id org, Id client, Id therapist) {
  return update_one(kUnassign, Params().add(org).add(client).add(therapist), "unassign client",
                    "assignment");
}

core::Result<std::vector<Id>> PostgresTransaction::therapists_of(Id org, Id client) {
  if (Status found = require(kClientExists, org, client, "client"); !found.is_ok())
    return fail(found);
  auto rows = run(kTherapistsOf, Params().add(org).add(client), "list therapists");
  if (!rows) return fail(rows.error());
  return ids(*rows);
}

core::Result<std::vector<core::Client>> PostgresTransaction::clients_of(Id org, Id therapist,
                                                                        const core::Page& page) {
  if (Status found = require(kUserExists, org, therapist, "therapist"); !found.is_ok())
    return fail(found);
  if (Status page_ok = check_page(page); !page_ok.is_ok()) return fail(page_ok);
  auto rows = run(kClientsOf, Params().add(org).add(therapist).add(page.after).add(page.limit),
                  "list clients of a therapist");
  if (!rows) return fail(rows.error());
  return collect<core::Client>(*rows,
                               [this](const Result& r, int row) { return client_at(r, row); });
}

Status PostgresTransaction::link_supervision(const core::SupervisionLink& link) {
  return write(kLinkSupervision,
               Params().add(link.org).add(link.supervisor).add(link.therapist).add(link.since),
               "link supervision");
}

core::Result<std::vector<Id>> PostgresTransaction::supervisees_of(Id org, Id supervisor) {
  if (Status found = require(kUserExists, org, supervisor, "supervisor"); !found.is_ok())
    return fail(found);
  auto rows = run(kSuperviseesOf, Params().add(org).add(supervisor), "list supervisees");
  if (!rows) return fail(rows.error());
  return ids(*rows);
}

core::Result<std::vector<Id>> PostgresTransaction::supervisors_of(Id org, Id therapist) {
  if (Status found = require(kUserExists, org, therapist, "therapist"); !found.is_ok())
    return fail(found);
  auto rows = run(kSupervisorsOf, Params().add(org).add(therapist), "list supervisors");
  if (!rows) return fail(rows.error());
  return ids(*rows);
}

// ---- episodes and sessions ----------------------------------------------------------

namespace {

core::Result<core::EpisodeRecord> episode_at(const Result& rows, int row) {
  core::EpisodeRecord episode;
  episode.org = rows.int64(row, 0);
  episode.id = rows.int64(row, 1);
  episode.client = rows.int64(row, 2);
  episode.therapist = rows.int64(row, 3);
  episode.instrument = rows.str(row, 4);
  episode.opened = rows.int32(row, 5);
  episode.closed = rows.opt_int32(row, 6);
  if (!rows.is_null(row, 7)) {
    episode.close_reason = core::parse_close_reason(rows.text(row, 7));
    if (!episode.close_reason) return fail(corrupt("episodes", "close_reason"));
  }
  episode.created_at = rows.int64(row, 8);
  return episode;
}

std::optional<std::string> close_reason_text(const std::optional<core::CloseReason>& reason) {
  if (!reason) return std::nullopt;
  return std::string(core::to_string(*reason));
}

}  // namespace

core::Result<Id> PostgresTransaction::create_episode(const core::EpisodeRecord& e) {
  return insert_returning_id(kCreateEpisode,
                             Params()
                                 .add(e.org)
                                 .add(e.client)
                                 .add(e.therapist)
                                 .add(e.instrument)
                                 .add(e.opened)
                                 .add(e.closed)
                                 .add(close_reason_text(e.close_reason))
                                 .add(e.created_at),
                             "create episode");
}

core::Result<core::EpisodeRecord> PostgresTransaction::get_episode(Id org, Id episode) {
  auto rows = run(kGetEpisode, Params().add(org).add(episode), "read episode");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("episode"));
  return episode_at(*rows, 0);
}

core::Result<std::vector<core::EpisodeRecord>> PostgresTransaction::episodes_of_client(Id org,
                                                                                       Id client) {
  if (Status found = require(kClientExists, org, client, "client"); !found.is_ok())
    return fail(found);
  auto rows = run(kEpisodesOfClient, Params().add(org).add(client), "list episodes");
  if (!rows) return fail(rows.error());
  return collect<core::EpisodeRecord>(*rows, episode_at);
}

Status PostgresTransaction::close_episode(Id org, Id episode, core::Date closed,
                                          core::CloseReason reason) {
  return update_one(kCloseEpisode,
                    Params().add(org).add(episode).add(closed).add(core::to_string(reason)),
                    "close episode", "episode");
}

core::Result<Id> PostgresTransaction::create_session(const core::SessionRecord& s) {
  if (Status valid = core::validate(s); !valid.is_ok()) return fail(valid);
  auto notes = seal(s.therapist_notes, "sessions.therapist_notes");
  if (!notes) return fail(notes.error());
  return insert_returning_id(kCreateSession,
                             Params()
                                 .add(s.org)
                                 .add(s.episode)
                                 .add(s.number)
                                 .add(s.date)
                                 .add(core::to_string(s.attendance))
                                 .add(s.felt_hard_client)
                                 .add(s.felt_hard_therapist)
                                 .add(*notes)
                                 .add(s.created_at),
                             "create session");
}

core::Result<core::SessionRecord> PostgresTransaction::get_session(Id org, Id session) {
  auto rows = run(kGetSession, Params().add(org).add(session), "read session");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("session"));
  return session_at(*rows, 0);
}

Status PostgresTransaction::update_session(const core::SessionRecord& s) {
  if (Status valid = core::validate(s); !valid.is_ok()) return valid;
  auto notes = seal(s.therapist_notes, "sessions.therapist_notes");
  if (!notes) return notes.error();
  return update_one(kUpdateSession,
                    Params()
                        .add(s.org)
                        .add(s.id)
                        .add(s.number)
                        .add(s.date)
                        .add(core::to_string(s.attendance))
                        .add(s.felt_hard_client)
                        .add(s.felt_hard_therapist)
                        .add(*notes),
                    "update session", "session");
}

core::Result<std::vector<core::SessionRecord>> PostgresTransaction::sessions_of(Id org,
                                                                                Id episode) {
  if (Status found = require(kEpisodeExists, org, episode, "episode"); !found.is_ok())
    return fail(found);
  return session_rows(org, episode);
}

core::Result<std::vector<core::SessionRecord>> PostgresTransaction::session_rows(Id org,
                                                                                 Id episode) {
  auto rows = run(kSessionsOf, Params().add(org).add(episode), "list sessions");
  if (!rows) return fail(rows.error());
  return collect<core::SessionRecord>(
      *rows, [this](const Result& r, int row) { return session_at(r, row); });
}

// ---- instruments and administrations ----------------------------------------------------

Status PostgresTransaction::put_instrument(const core::InstrumentRecord& instrument) {
  return write(kPutInstrument,
               Params()
                   .add(instrument.org)
                   .add(instrument.instrument)
                   .add(instrument.definition_json)
                   .add(instrument.updated_at),
               "store instrument");
}

core::Result<std::vector<core::InstrumentRecord>> PostgresTransaction::list_instruments(Id org) {
  auto rows = run(kListInstruments, Params().add(org), "list instruments");
  if (!rows) return fail(rows.error());
  std::vector<core::InstrumentRecord> out;
  out.reserve(static_cast<std::size_t>(rows->rows()));
  for (int row = 0; row < rows->rows(); ++row) {
    out.push_back({rows->int64(row, 0), rows->str(row, 1), rows->str(row, 2), rows->int64(row, 3)});
  }
  return out;
}

core::Result<Id> PostgresTransaction::add_administration(const core::Administration& a) {
  std::optional<Id> session = a.session;
  return insert_returning_id(kAddAdministration,
                             Params()
                                 .add(a.org)
                                 .add(a.episode)
                                 .add(session)
                                 .add(a.instrument)
                                 .add(float8_array(a.responses))
                                 .add(nan_as_null(a.total))
                                 .add(core::to_string(a.answered_by))
                                 .add(a.recorded_by)
                                 .add(a.at),
                             "record questionnaire");
}

core::Result<std::vector<core::Administration>> PostgresTransaction::administrations_of(
    Id org, Id episode) {
  if (Status found = require(kEpisodeExists, org, episode, "episode"); !found.is_ok())
    return fail(found);
  return administration_rows(org, episode);
}

core::Result<std::vector<core::Administration>> PostgresTransaction::administration_rows(
    Id org, Id episode) {
  auto rows = run(kAdministrationsOf, Params().add(org).add(episode), "list questionnaires");
  if (!rows) return fail(rows.error());
  return collect<core::Administration>(
      *rows, [](const Result& r, int row) -> core::Result<core::Administration> {
        core::Administration a;
        a.org = r.int64(row, 0);
        a.id = r.int64(row, 1);
        a.episode = r.int64(row, 2);
        a.session = r.opt_int64(row, 3);
        a.instrument = r.str(row, 4);
        auto responses = parse_float8_array(r.text(row, 5));
        if (!responses) return fail(corrupt("administrations", "responses"));
        a.responses = std::move(*responses);
        a.total = r.is_null(row, 6) ? std::numeric_limits<double>::quiet_NaN() : r.float8(row, 6);
        const auto by = core::parse_rater(r.text(row, 7));
        if (!by) return fail(corrupt("administrations", "answered_by"));
        a.answered_by = *by;
        a.recorded_by = r.int64(row, 8);
        a.at = r.int64(row, 9);
        return a;
      });
}

// ---- co-defined progress ------------------------------------------------------------

core::Result<int> PostgresTransaction::add_definition_version(const core::ProgressDefinition& d) {
  if (Status valid = core::validate(d); !valid.is_ok()) return fail(valid);
  // Seal everything first: a cipher failure then writes nothing.
  std::array<std::string, 4> texts;
  const std::array<std::pair<const std::string*, const char*>, 4> plain = {{
      {&d.hopes, "definitions.hopes"},
      {&d.better_looks_like, "definitions.better_looks_like"},
      {&d.small_shifts, "definitions.small_shifts"},
      {&d.change_note, "definitions.change_note"},
  }};
  for (std::size_t i = 0; i < plain.size(); ++i) {
    auto sealed = seal(*plain[i].first, plain[i].second);
    if (!sealed) return fail(sealed.error());
    texts[i] = std::move(*sealed);
  }
  struct SealedGoal {
    std::string text;
    std::array<std::string, 5> levels;
  };
  std::vector<SealedGoal> goals;
  for (const core::GoalDefinition& goal : d.goals) {
    SealedGoal sealed_goal;
    auto text = seal(goal.text, "definition_goals.text");
    if (!text) return fail(text.error());
    sealed_goal.text = std::move(*text);
    for (std::size_t level = 0; level < goal.gas_levels.size(); ++level) {
      auto sealed = seal(goal.gas_levels[level], "definition_goals.gas_levels");
      if (!sealed) return fail(sealed.error());
      sealed_goal.levels[level] = std::move(*sealed);
    }
    goals.push_back(std::move(sealed_goal));
  }

  int version = 0;
  const Status status = atomically([&]() -> Status {
    auto locked = run(kLockEpisode, Params().add(d.org).add(d.episode), "revise progress");
    if (!locked) return locked.error();
    if (locked->rows() == 0) return not_found("episode");
    auto next = run(kNextVersion, Params().add(d.org).add(d.episode), "revise progress");
    if (!next) return next.error();
    version = next->int32(0, 0);
    auto added = run(kAddDefinition,
                     Params()
                         .add(d.org)
                         .add(d.episode)
                         .add(version)
                         .add(texts[0])
                         .add(texts[1])
                         .add(texts[2])
                         .add(texts[3])
                         .add(d.changed_by)
                         .add(d.changed_at)
                         .add(d.client_agreed_at)
                         .add(d.therapist_agreed_at)
                         .add(d.revised_at_session),
                     "revise progress");
    if (!added) return added.error();
    for (std::size_t i = 0; i < d.goals.size(); ++i) {
      const core::GoalDefinition& goal = d.goals[i];
      const SealedGoal& sealed = goals[i];
      auto goal_added = run(kAddDefinitionGoal,
                            Params()
                                .add(d.org)
                                .add(d.episode)
                                .add(version)
                                .add(static_cast<int>(i))
                                .add(goal.key)
                                .add(sealed.text)
                                .add(core::to_string(goal.scale))
                                .add(sealed.levels[0])
                                .add(sealed.levels[1])
                                .add(sealed.levels[2])
                                .add(sealed.levels[3])
                                .add(sealed.levels[4])
                                .add(goal.weight),
                            "revise progress");
      if (!goal_added) return goal_added.error();
    }
    return Status::ok();
  });
  if (!status.is_ok()) return fail(status);
  return version;
}

core::Result<std::vector<core::ProgressDefinition>> PostgresTransaction::definition_versions(
    Id org, Id episode) {
  if (Status found = require(kEpisodeExists, org, episode, "episode"); !found.is_ok())
    return fail(found);
  return definition_rows(org, episode);
}

core::Result<std::vector<core::ProgressDefinition>> PostgresTransaction::definition_rows(
    Id org, Id episode) {
  auto rows = run(kDefinitionsOf, Params().add(org).add(episode), "read progress definitions");
  if (!rows) return fail(rows.error());
  auto goal_rows =
      run(kDefinitionGoalsOf, Params().add(org).add(episode), "read progress definitions");
  if (!goal_rows) return fail(goal_rows.error());

  std::vector<core::ProgressDefinition> out;
  out.reserve(static_cast<std::size_t>(rows->rows()));
  for (int row = 0; row < rows->rows(); ++row) {
    core::ProgressDefinition d;
    d.org = rows->int64(row, 0);
    d.episode = rows->int64(row, 1);
    d.version = rows->int32(row, 2);
    const std::array<std::string*, 4> texts = {&d.hopes, &d.better_looks_like, &d.small_shifts,
                                               &d.change_note};
    for (std::size_t i = 0; i < texts.size(); ++i) {
      auto plain = unseal_episode_text(rows->text(row, 3 + static_cast<int>(i)), "definitions");
      if (!plain) return fail(plain.error());
      *texts[i] = std::move(*plain);
    }
    d.changed_by = rows->int64(row, 7);
    d.changed_at = rows->int64(row, 8);
    d.client_agreed_at = rows->opt_int64(row, 9);
    d.therapist_agreed_at = rows->opt_int64(row, 10);
    d.revised_at_session = rows->opt_int32(row, 11);
    out.push_back(std::move(d));
  }
  // Goals come ordered by (version, position); versions are ascending in `out` too.
  std::size_t at = 0;
  for (int row = 0; row < goal_rows->rows(); ++row) {
    const int version = goal_rows->int32(row, 0);
    while (at < out.size() && out[at].version < version) ++at;
    if (at == out.size() || out[at].version != version) {
      return fail(corrupt("definition_goals", "version"));
    }
    core::GoalDefinition goal;
    goal.key = goal_rows->str(row, 1);
    auto text = unseal_episode_text(goal_rows->text(row, 2), "definition_goals.text");
    if (!text) return fail(text.error());
    goal.text = std::move(*text);
    const auto scale = core::parse_goal_scale(goal_rows->text(row, 3));
    if (!scale) return fail(corrupt("definition_goals", "scale"));
    goal.scale = *scale;
    for (int level = 0; level < 5; ++level) {
      auto plain =
          unseal_episode_text(goal_rows->text(row, 4 + level), "definition_goals.gas_levels");
      if (!plain) return fail(plain.error());
      goal.gas_levels[static_cast<std::size_t>(level)] = std::move(*plain);
    }
    goal.weight = goal_rows->float8(row, 9);
    out[at].goals.push_back(std::move(goal));
  }
  return out;
}

Status PostgresTransaction::record_agreement(Id org, Id episode, int version, core::Rater rater,
                                             core::Timestamp at) {
  return update_one(rater == core::Rater::kClient ? kAgreeClient : kAgreeTherapist,
                    Params().add(org).add(episode).add(version).add(at), "record agreement",
                    "definition version");
}

// ---- ratings and moments ----------------------------------------------------------------

core::Result<Id> PostgresTransaction::add_goal_rating(const core::GoalRatingRecord& r) {
  return insert_returning_id(kAddGoalRating,
                             Params()
                                 .add(r.org)
                                 .add(r.episode)
                                 .add(r.session)
                                 .add(r.goal_key)
                                 .add(core::to_string(r.rater))
                                 .add(r.value)
                                 .add(r.recorded_by)
                                 .add(r.at),
                             "rate goal");
}

core::Result<std::vector<core::GoalRatingRecord>> PostgresTransaction::goal_ratings_of(Id org,
                                                                                       Id episode) {
  if (Status found = require(kEpisodeExists, org, episode, "episode"); !found.is_ok())
    return fail(found);
  return goal_rating_rows(org, episode);
}

core::Result<std::vector<core::GoalRatingRecord>> PostgresTransaction::goal_rating_rows(
    Id org, Id episode) {
  auto rows = run(kGoalRatingsOf, Params().add(org).add(episode), "list goal ratings");
  if (!rows) return fail(rows.error());
  return collect<core::GoalRatingRecord>(
      *rows, [](const Result& r, int row) -> core::Result<core::GoalRatingRecord> {
        core::GoalRatingRecord g;
        g.org = r.int64(row, 0);
        g.id = r.int64(row, 1);
        g.episode = r.int64(row, 2);
        g.session = r.int64(row, 3);
        g.goal_key = r.str(row, 4);
        const auto rater = core::parse_rater(r.text(row, 5));
        if (!rater) return fail(corrupt("goal_ratings", "rater"));
        g.rater = *rater;
        g.value = r.float8(row, 6);
        g.recorded_by = r.int64(row, 7);
        g.at = r.int64(row, 8);
        return g;
      });
}

core::Result<Id> PostgresTransaction::add_alliance(const core::AllianceRating& r) {
  if (Status valid = core::validate(r); !valid.is_ok()) return fail(valid);
  return insert_returning_id(
      kAddAlliance,
      Params().add(r.org).add(r.episode).add(r.session).add(r.value).add(r.recorded_by).add(r.at),
      "record alliance");
}

core::Result<std::vector<core::AllianceRating>> PostgresTransaction::alliance_of(Id org,
                                                                                 Id episode) {
  if (Status found = require(kEpisodeExists, org, episode, "episode"); !found.is_ok())
    return fail(found);
  return alliance_rows(org, episode);
}

core::Result<std::vector<core::AllianceRating>> PostgresTransaction::alliance_rows(Id org,
                                                                                   Id episode) {
  auto rows = run(kAllianceOf, Params().add(org).add(episode), "list alliance ratings");
  if (!rows) return fail(rows.error());
  return collect<core::AllianceRating>(
      *rows, [](const Result& r, int row) -> core::Result<core::AllianceRating> {
        core::AllianceRating a;
        a.org = r.int64(row, 0);
        a.id = r.int64(row, 1);
        a.episode = r.int64(row, 2);
        a.session = r.int64(row, 3);
        a.value = r.float8(row, 4);
        a.recorded_by = r.int64(row, 5);
        a.at = r.int64(row, 6);
        return a;
      });
}

core::Result<Id> PostgresTransaction::add_moment(const core::MomentRecord& m) {
  auto text = seal(m.text, "moments.text");
  if (!text) return fail(text.error());
  return insert_returning_id(kAddMoment,
                             Params()
                                 .add(m.org)
                                 .add(m.episode)
                                 .add(m.session)
                                 .add(m.tag)
                                 .add(*text)
                                 .add(core::to_string(m.by))
                                 .add(m.recorded_by)
                                 .add(m.at),
                             "note moment");
}

core::Result<std::vector<core::MomentRecord>> PostgresTransaction::moments_of(Id org, Id episode) {
  if (Status found = require(kEpisodeExists, org, episode, "episode"); !found.is_ok())
    return fail(found);
  return moment_rows(org, episode);
}

core::Result<std::vector<core::MomentRecord>> PostgresTransaction::moment_rows(Id org, Id episode) {
  auto rows = run(kMomentsOf, Params().add(org).add(episode), "list moments");
  if (!rows) return fail(rows.error());
  return collect<core::MomentRecord>(
      *rows, [this](const Result& r, int row) { return moment_at(r, row); });
}

// The episode's row read first stands for the existence checks of the *_of methods.
core::Result<core::EpisodeRecords> PostgresTransaction::episode_records(Id org, Id episode,
                                                                        core::SealedText text) {
  const bool saved = std::exchange(leave_sealed_, text == core::SealedText::kLeaveSealed);
  auto records = [&]() -> core::Result<core::EpisodeRecords> {
    core::EpisodeRecords out;
    auto e = get_episode(org, episode);
    if (!e) return fail(e.error());
    out.episode = std::move(*e);
    auto sessions = session_rows(org, episode);
    if (!sessions) return fail(sessions.error());
    out.sessions = std::move(*sessions);
    auto administrations = administration_rows(org, episode);
    if (!administrations) return fail(administrations.error());
    out.administrations = std::move(*administrations);
    auto definitions = definition_rows(org, episode);
    if (!definitions) return fail(definitions.error());
    out.definitions = std::move(*definitions);
    auto ratings = goal_rating_rows(org, episode);
    if (!ratings) return fail(ratings.error());
    out.goal_ratings = std::move(*ratings);
    auto alliance = alliance_rows(org, episode);
    if (!alliance) return fail(alliance.error());
    out.alliance = std::move(*alliance);
    auto moments = moment_rows(org, episode);
    if (!moments) return fail(moments.error());
    out.moments = std::move(*moments);
    return out;
  }();
  leave_sealed_ = saved;
  return records;
}

// ---- reflections ------------------------------------------------------------------------

core::Result<Id> PostgresTransaction::add_reflection(const core::Reflection& r) {
  auto tried = seal(r.tried_to_fix, "reflections.tried_to_fix");
  if (!tried) return fail(tried.error());
  auto sat = seal(r.sat_with, "reflections.sat_with");
  if (!sat) return fail(sat.error());
  return insert_returning_id(
      kAddReflection,
      Params().add(r.org).add(r.author).add(r.episode).add(*tried).add(*sat).add(r.at),
      "write reflection");
}

core::Result<core::Reflection> PostgresTransaction::get_reflection(Id org, Id reflection) {
  auto rows = run(kGetReflection, Params().add(org).add(reflection), "read reflection");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("reflection"));
  return reflection_at(*rows, 0);
}

core::Result<std::vector<core::Reflection>> PostgresTransaction::reflections_of(
    Id org, Id author, const core::Page& page) {
  if (Status found = require(kUserExists, org, author, "author"); !found.is_ok())
    return fail(found);
  if (Status page_ok = check_page(page); !page_ok.is_ok()) return fail(page_ok);
  auto rows = run(kReflectionsOf, Params().add(org).add(author).add(page.after).add(page.limit),
                  "list reflections");
  if (!rows) return fail(rows.error());
  return collect<core::Reflection>(
      *rows, [this](const Result& r, int row) { return reflection_at(r, row); });
}

core::Result<Id> PostgresTransaction::add_comment(const core::ReflectionComment& c) {
  auto text = seal(c.text, "reflection_comments.text");
  if (!text) return fail(text.error());
  return insert_returning_id(
      kAddComment, Params().add(c.org).add(c.reflection).add(c.author).add(*text).add(c.at),
      "comment on reflection");
}

core::Result<std::vector<core::ReflectionComment>> PostgresTransaction::comments_of(Id org,
                                                                                    Id reflection) {
  if (Status found = require(kReflectionExists, org, reflection, "reflection"); !found.is_ok())
    return fail(found);
  auto rows = run(kCommentsOf, Params().add(org).add(reflection), "list comments");
  if (!rows) return fail(rows.error());
  return collect<core::ReflectionComment>(
      *rows, [this](const Result& r, int row) -> core::Result<core::ReflectionComment> {
        core::ReflectionComment c;
        c.org = r.int64(row, 0);
        c.id = r.int64(row, 1);
        c.reflection = r.int64(row, 2);
        c.author = r.int64(row, 3);
        auto text = unseal(r.text(row, 4), "reflection_comments.text");
        if (!text) return fail(text.error());
        c.text = std::move(*text);
        c.at = r.int64(row, 5);
        return c;
      });
}

// ---- audit ------------------------------------------------------------------------------

// ---- login sessions, invitations, throttling ---------------------------------------

core::Result<Id> PostgresTransaction::create_login_session(const core::LoginSession& l) {
  return insert_returning_id(kCreateLoginSession,
                             Params()
                                 .add(l.org)
                                 .add(l.user)
                                 .add(l.token_hash)
                                 .add(l.created_at)
                                 .add(l.last_seen_at)
                                 .add(l.expires_at)
                                 .add(l.revoked),
                             "create login session");
}

core::Result<core::LoginSession> PostgresTransaction::find_login_session_by_hash(
    std::string_view token_hash) {
  auto rows = run(kFindLoginSession, Params().add(token_hash), "find login session");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("login session"));
  return core::LoginSession{rows->int64(0, 0), rows->int64(0, 1),  rows->int64(0, 2),
                            rows->str(0, 3),   rows->int64(0, 4),  rows->int64(0, 5),
                            rows->int64(0, 6), rows->boolean(0, 7)};
}

Status PostgresTransaction::touch_login_session(Id org, Id session, core::Timestamp at) {
  return update_one(kTouchLoginSession, Params().add(org).add(session).add(at),
                    "touch login session", "login session");
}

Status PostgresTransaction::revoke_login_session(Id org, Id session) {
  return update_one(kRevokeLoginSession, Params().add(org).add(session), "revoke login session",
                    "login session");
}

core::Result<std::int64_t> PostgresTransaction::revoke_other_sessions(Id org, Id user, Id keep) {
  auto rows = run_guarded(kRevokeOtherSessions, Params().add(org).add(user).add(keep),
                          "revoke login sessions");
  if (!rows) return fail(rows.error());
  return static_cast<std::int64_t>(rows->affected());
}

core::Result<Id> PostgresTransaction::create_invitation(const core::Invitation& i) {
  if (Status valid = core::validate(i); !valid.is_ok()) return fail(valid);
  std::string name;
  if (!i.display_name.empty()) {
    auto sealed = seal(i.display_name, "invitations.display_name");
    if (!sealed) return fail(sealed.error());
    name = std::move(*sealed);
  }
  return insert_returning_id(kCreateInvitation,
                             Params()
                                 .add(i.org)
                                 .add(i.client)
                                 .add(i.created_by)
                                 .add(i.token_hash)
                                 .add(i.created_at)
                                 .add(i.expires_at)
                                 .add(i.used_at)
                                 .add(core::to_string(i.role))
                                 .add(name)
                                 .add(i.trainee),
                             "create invitation");
}

core::Result<core::Invitation> PostgresTransaction::invitation_at(const Result& rows,
                                                                  int row) const {
  core::Invitation i;
  i.id = rows.int64(row, 0);
  i.org = rows.int64(row, 1);
  i.client = rows.opt_int64(row, 2);
  i.created_by = rows.int64(row, 3);
  i.token_hash = rows.str(row, 4);
  i.created_at = rows.int64(row, 5);
  i.expires_at = rows.int64(row, 6);
  i.used_at = rows.opt_int64(row, 7);
  const auto role = core::parse_role(rows.text(row, 8));
  if (!role) return fail(corrupt("invitations", "role"));
  i.role = *role;
  if (const std::string_view sealed = rows.text(row, 9); !sealed.empty()) {
    auto name = unseal(sealed, "invitations.display_name");
    if (!name) return fail(name.error());
    i.display_name = std::move(*name);
  }
  i.trainee = rows.boolean(row, 10);
  return i;
}

core::Result<core::Invitation> PostgresTransaction::find_invitation_by_hash(
    std::string_view token_hash) {
  auto rows = run(kFindInvitation, Params().add(token_hash), "find invitation");
  if (!rows) return fail(rows.error());
  if (rows->rows() == 0) return fail(not_found("invitation"));
  return invitation_at(*rows, 0);
}

core::Result<std::vector<core::Invitation>> PostgresTransaction::list_invitations(
    Id org, std::optional<Id> created_by, const core::Page& page) {
  if (Status page_ok = check_page(page); !page_ok.is_ok()) return fail(page_ok);
  auto rows =
      run(kListInvitations, Params().add(org).add(created_by).add(page.after).add(page.limit),
          "list invitations");
  if (!rows) return fail(rows.error());
  return collect<core::Invitation>(
      *rows, [this](const Result& r, int row) { return invitation_at(r, row); });
}

Status PostgresTransaction::mark_invitation_used(Id org, Id invitation, core::Timestamp at) {
  auto rows =
      run_guarded(kUseInvitation, Params().add(org).add(invitation).add(at), "use invitation");
  if (!rows) return rows.error();
  if (rows->affected() == 1) return Status::ok();
  if (Status found = require(kInvitationExists, org, invitation, "invitation"); !found.is_ok()) {
    return found;
  }
  return Status::failed_precondition("this invitation has already been used");
}

Status PostgresTransaction::record_login_failure(std::string_view key, core::Timestamp at) {
  return write(kRecordLoginFailure, Params().add(key).add(at), "record login failure");
}

core::Result<std::int64_t> PostgresTransaction::count_login_failures(std::string_view key,
                                                                     core::Timestamp since) {
  auto rows = run(kCountLoginFailures, Params().add(key).add(since), "count login failures");
  if (!rows) return fail(rows.error());
  return rows->int64(0, 0);
}

core::Result<std::int64_t> PostgresTransaction::prune_login_failures(core::Timestamp before) {
  auto rows = run_guarded(kPruneLoginFailures, Params().add(before), "prune login failures");
  if (!rows) return fail(rows.error());
  return static_cast<std::int64_t>(rows->affected());
}

core::Result<Id> PostgresTransaction::append_audit(const core::AuditEntry& e) {
  return insert_returning_id(kAppendAudit,
                             Params()
                                 .add(e.org)
                                 .add(e.actor)
                                 .add(e.action)
                                 .add(e.record_type)
                                 .add(e.record_id)
                                 .add(core::to_string(e.outcome))
                                 .add(e.at),
                             "write audit entry");
}

core::Result<std::vector<core::AuditEntry>> PostgresTransaction::search_audit(
    Id org, const core::AuditQuery& q) {
  if (Status page_ok = check_page(q.page); !page_ok.is_ok()) return fail(page_ok);
  auto rows = run(kSearchAudit,
                  Params()
                      .add(org)
                      .add(q.page.after)
                      .add(q.actor)
                      .add(q.action)
                      .add(q.record_type)
                      .add(q.record_id)
                      .add(q.from)
                      .add(q.to)
                      .add(q.page.limit),
                  "search audit");
  if (!rows) return fail(rows.error());
  return collect<core::AuditEntry>(
      *rows, [](const Result& r, int row) -> core::Result<core::AuditEntry> {
        core::AuditEntry e;
        e.org = r.int64(row, 0);
        e.id = r.int64(row, 1);
        e.actor = r.opt_int64(row, 2);
        e.action = r.str(row, 3);
        e.record_type = r.str(row, 4);
        e.record_id = r.opt_int64(row, 5);
        const std::string_view outcome = r.text(row, 6);
        bool known = false;
        for (core::AuditOutcome o :
             {core::AuditOutcome::kOk, core::AuditOutcome::kDenied, core::AuditOutcome::kInvalid,
              core::AuditOutcome::kNotFound, core::AuditOutcome::kError}) {
          if (core::to_string(o) == outcome) {
            e.outcome = o;
            known = true;
          }
        }
        if (!known) return fail(corrupt("audit", "outcome"));
        e.at = r.int64(row, 7);
        return e;
      });
}

// ---- key rotation -----------------------------------------------------------------------

core::Result<std::int64_t> PostgresTransaction::reseal_table(const SealedTable& table) {
  // Constant SQL assembled from the table description above (identifiers only; every
  // value is a parameter): keyset-paged SELECT ... FOR UPDATE and an UPDATE by key.
  const std::size_t keys = table.key.size();
  std::string key_list;
  std::string key_params;
  for (std::size_t i = 0; i < keys; ++i) {
    key_list += (i ? ", " : "") + std::string(table.key[i]);
    key_params += fmt::format("{}${}", i ? ", " : "", i + 1);
  }
  std::string sealed_list;
  std::string assignments;
  for (std::size_t i = 0; i < table.sealed.size(); ++i) {
    sealed_list += (i ? ", " : "") + std::string(table.sealed[i]);
    assignments += fmt::format("{}{} = ${}", i ? ", " : "", table.sealed[i], keys + i + 1);
  }
  std::string where_key;
  for (std::size_t i = 0; i < keys; ++i) {
    where_key += fmt::format("{}{} = ${}", i ? " AND " : "", table.key[i], i + 1);
  }
  const std::string first_sql =
      fmt::format("SELECT {}, {} FROM {} ORDER BY {} LIMIT {} FOR UPDATE", key_list, sealed_list,
                  table.table, key_list, kResealBatch);
  const std::string next_sql =
      fmt::format("SELECT {}, {} FROM {} WHERE ({}) > ({}) ORDER BY {} LIMIT {} FOR UPDATE",
                  key_list, sealed_list, table.table, key_list, key_params, key_list, kResealBatch);
  const std::string update_sql =
      fmt::format("UPDATE {} SET {} WHERE {}", table.table, assignments, where_key);
  const std::string first_name = fmt::format("reseal_first_{}", table.table);
  const std::string next_name = fmt::format("reseal_next_{}", table.table);
  const std::string update_name = fmt::format("reseal_update_{}", table.table);
  const Query first{first_name.c_str(), first_sql.c_str()};
  const Query next{next_name.c_str(), next_sql.c_str()};
  const Query update{update_name.c_str(), update_sql.c_str()};

  std::int64_t fields = 0;
  std::vector<std::string> last_key;
  for (;;) {
    Params select_params;
    for (const std::string& value : last_key) select_params.add(value);
    auto rows = run(last_key.empty() ? first : next, select_params, "re-encrypt");
    if (!rows) return fail(rows.error());
    for (int row = 0; row < rows->rows(); ++row) {
      Params update_params;
      for (std::size_t k = 0; k < keys; ++k)
        update_params.add(rows->text(row, static_cast<int>(k)));
      for (std::size_t c = 0; c < table.sealed.size(); ++c) {
        const int col = static_cast<int>(keys + c);
        if (rows->text(row, col).empty()) {  // an absent optional field, never sealed
          update_params.add("");
          continue;
        }
        const std::string field = fmt::format("{}.{}", table.table, table.sealed[c]);
        auto plain = unseal(rows->text(row, col), field);
        if (!plain) return fail(plain.error());
        auto sealed = seal(*plain, field);
        if (!sealed) return fail(sealed.error());
        update_params.add(*sealed);
        ++fields;
      }
      auto updated = run(update, update_params, "re-encrypt");
      if (!updated) return fail(updated.error());
    }
    if (rows->rows() < kResealBatch) break;
    last_key.clear();
    for (std::size_t k = 0; k < keys; ++k) {
      last_key.push_back(rows->str(rows->rows() - 1, static_cast<int>(k)));
    }
  }
  return fields;
}

core::Result<std::int64_t> PostgresTransaction::reseal_everything() {
  std::int64_t fields = 0;
  for (const SealedTable& table : sealed_tables()) {
    auto resealed = reseal_table(table);
    if (!resealed) return fail(resealed.error());
    fields += *resealed;
  }
  return fields;
}

}  // namespace tandem::store::pg
