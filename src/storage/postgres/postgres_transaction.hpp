// PostgresTransaction: one core::Transaction on one pooled connection, between BEGIN
// and COMMIT (or ROLLBACK when destroyed uncommitted). Each writing method runs inside
// a savepoint, so a refused write (AlreadyExists, NotFound, ...) leaves the transaction
// usable, as in SQLite; an error outside one (or a lost connection) ends it, and every
// later call reports that error. Internal to src/storage/postgres; one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"
#include "storage/postgres/pg.hpp"
#include "storage/postgres/pool.hpp"

namespace tandem::store::pg {

struct SealedTable;  // an encrypted-column table, for reseal_everything()

// A named SQL statement, prepared on each connection the first time it runs there. A
// null name means "plan it with the actual values at every call" (PQexecParams), for
// statements whose best plan depends on which optional filters are set.
struct Query {
  const char* name;
  const char* sql;
};

class PostgresTransaction final : public core::Transaction {
 public:
  // Takes a connection on which BEGIN has already succeeded.
  PostgresTransaction(Lease lease, std::shared_ptr<const core::FieldCipher> cipher);
  PostgresTransaction(const PostgresTransaction&) = delete;
  PostgresTransaction& operator=(const PostgresTransaction&) = delete;
  ~PostgresTransaction() override;

  core::Status commit() override;

  core::Result<core::Id> create_organisation(const core::Organisation& organisation) override;
  core::Result<core::Organisation> get_organisation(core::Id org) override;
  core::Status update_organisation(const core::Organisation& organisation) override;
  core::Result<core::Id> create_user(const core::User& user) override;
  core::Result<core::User> get_user(core::Id org, core::Id user) override;
  core::Result<core::User> find_user_by_email(std::string_view email) override;
  core::Result<std::vector<core::User>> list_users(core::Id org, const core::Page& page) override;
  core::Status update_user(const core::User& user) override;
  core::Result<std::int64_t> count_users(core::Id org) override;

  core::Result<core::Id> create_client(const core::Client& client) override;
  core::Result<core::Client> get_client(core::Id org, core::Id client) override;
  core::Status update_client(const core::Client& client) override;
  core::Result<std::vector<core::Client>> list_clients(core::Id org,
                                                       const core::Page& page) override;
  core::Status assign(const core::Assignment& assignment) override;
  core::Status unassign(core::Id org, core::Id client, core::Id therapist) override;
  core::Result<std::vector<core::Id>> therapists_of(core::Id org, core::Id client) override;
  core::Result<std::vector<core::Client>> clients_of(core::Id org, core::Id therapist,
                                                     const core::Page& page) override;
  core::Status link_supervision(const core::SupervisionLink& link) override;
  core::Result<std::vector<core::Id>> supervisees_of(core::Id org, core::Id supervisor) override;
  core::Result<std::vector<core::Id>> supervisors_of(core::Id org, core::Id therapist) override;

  core::Result<core::Id> create_episode(const core::EpisodeRecord& episode) override;
  core::Result<core::EpisodeRecord> get_episode(core::Id org, core::Id episode) override;
  core::Result<std::vector<core::EpisodeRecord>> episodes_of_client(core::Id org,
                                                                    core::Id client) override;
  core::Status close_episode(core::Id org, core::Id episode, core::Date closed,
                             core::CloseReason reason) override;
  core::Result<core::Id> create_session(const core::SessionRecord& session) override;
  core::Result<core::SessionRecord> get_session(core::Id org, core::Id session) override;
  core::Status update_session(const core::SessionRecord& session) override;
  core::Result<std::vector<core::SessionRecord>> sessions_of(core::Id org,
                                                             core::Id episode) override;

  core::Status put_instrument(const core::InstrumentRecord& instrument) override;
  core::Result<std::vector<core::InstrumentRecord>> list_instruments(core::Id org) override;
  core::Result<core::Id> add_administration(const core::Administration& administration) override;
  core::Result<std::vector<core::Administration>> administrations_of(core::Id org,
                                                                     core::Id episode) override;

  core::Result<int> add_definition_version(const core::ProgressDefinition& definition) override;
  core::Result<std::vector<core::ProgressDefinition>> definition_versions(
      core::Id org, core::Id episode) override;
  core::Status record_agreement(core::Id org, core::Id episode, int version, core::Rater rater,
                                core::Timestamp at) override;

  core::Result<core::Id> add_goal_rating(const core::GoalRatingRecord& rating) override;
  core::Result<std::vector<core::GoalRatingRecord>> goal_ratings_of(core::Id org,
                                                                    core::Id episode) override;
  core::Result<core::Id> add_alliance(const core::AllianceRating& rating) override;
  core::Result<std::vector<core::AllianceRating>> alliance_of(core::Id org,
                                                              core::Id episode) override;
  core::Result<core::Id> add_moment(const core::MomentRecord& moment) override;
  core::Result<std::vector<core::MomentRecord>> moments_of(core::Id org, core::Id episode) override;
  core::Result<core::EpisodeRecords> episode_records(core::Id org, core::Id episode,
                                                     core::SealedText text) override;

  core::Result<core::Id> add_reflection(const core::Reflection& reflection) override;
  core::Result<core::Reflection> get_reflection(core::Id org, core::Id reflection) override;
  core::Result<std::vector<core::Reflection>> reflections_of(core::Id org, core::Id author,
                                                             const core::Page& page) override;
  core::Result<core::Id> add_comment(const core::ReflectionComment& comment) override;
  core::Result<std::vector<core::ReflectionComment>> comments_of(core::Id org,
                                                                 core::Id reflection) override;

  core::Result<core::Id> create_login_session(const core::LoginSession& session) override;
  core::Result<core::LoginSession> find_login_session_by_hash(std::string_view token_hash) override;
  core::Status touch_login_session(core::Id org, core::Id session, core::Timestamp at) override;
  core::Status revoke_login_session(core::Id org, core::Id session) override;
  core::Result<std::int64_t> revoke_other_sessions(core::Id org, core::Id user,
                                                   core::Id keep) override;
  core::Result<core::Id> create_invitation(const core::Invitation& invitation) override;
  core::Result<core::Invitation> find_invitation_by_hash(std::string_view token_hash) override;
  core::Result<std::vector<core::Invitation>> list_invitations(core::Id org,
                                                               std::optional<core::Id> created_by,
                                                               const core::Page& page) override;
  core::Status mark_invitation_used(core::Id org, core::Id invitation, core::Timestamp at) override;
  core::Status record_login_failure(std::string_view key, core::Timestamp at) override;
  core::Result<std::int64_t> count_login_failures(std::string_view key,
                                                  core::Timestamp since) override;
  core::Result<std::int64_t> prune_login_failures(core::Timestamp before) override;

  core::Result<core::Id> append_audit(const core::AuditEntry& entry) override;
  core::Result<std::vector<core::AuditEntry>> search_audit(core::Id org,
                                                           const core::AuditQuery& query) override;

  // Re-seals every encrypted column under the cipher's current key (Store::reseal_all
  // runs it in its own transaction and commits). Returns the fields rewritten.
  core::Result<std::int64_t> reseal_everything();

 private:
  enum class State { kOpen, kCommitted, kFailed };

  core::Status usable() const;
  // Rolls back whatever is open and returns the connection to the pool.
  void finish();
  // Runs a statement (preparing it on this connection first when needed). An error
  // outside a savepoint, or a lost connection, ends the transaction.
  core::Result<Result> run(const Query& query, const Params& params, std::string_view what);
  // Runs one writing statement in a savepoint of its own (one round trip): on failure
  // only that statement is undone.
  core::Result<Result> run_guarded(const Query& query, const Params& params, std::string_view what);
  core::Status ensure_prepared(const Query& query);
  core::Status write(const Query& query, const Params& params, std::string_view what);
  // Runs `body` (several statements) inside a savepoint: on failure the savepoint is
  // rolled back and the transaction stays usable (unless the connection is gone).
  core::Status atomically(const std::function<core::Status()>& body);
  void fail_with(const core::Status& status);
  core::Status simple(const char* sql, std::string_view what);

  core::Result<std::string> seal(std::string_view plaintext, std::string_view field) const;
  core::Result<std::string> unseal(std::string_view sealed, std::string_view field) const;
  // The free text of an episode's rows: left sealed (empty) while episode_records() reads
  // with SealedText::kLeaveSealed.
  core::Result<std::string> unseal_episode_text(std::string_view sealed,
                                                std::string_view field) const;

  // The *_of methods of an episode without the episode's existence check.
  core::Result<std::vector<core::SessionRecord>> session_rows(core::Id org, core::Id episode);
  core::Result<std::vector<core::Administration>> administration_rows(core::Id org,
                                                                      core::Id episode);
  core::Result<std::vector<core::ProgressDefinition>> definition_rows(core::Id org,
                                                                      core::Id episode);
  core::Result<std::vector<core::GoalRatingRecord>> goal_rating_rows(core::Id org,
                                                                     core::Id episode);
  core::Result<std::vector<core::AllianceRating>> alliance_rows(core::Id org, core::Id episode);
  core::Result<std::vector<core::MomentRecord>> moment_rows(core::Id org, core::Id episode);

  core::Result<core::User> user_at(const Result& rows, int row) const;
  core::Result<core::Invitation> invitation_at(const Result& rows, int row) const;
  core::Result<core::Client> client_at(const Result& rows, int row) const;
  core::Result<core::SessionRecord> session_at(const Result& rows, int row) const;
  core::Result<core::MomentRecord> moment_at(const Result& rows, int row) const;
  core::Result<core::Reflection> reflection_at(const Result& rows, int row) const;
  core::Result<core::Id> insert_returning_id(const Query& query, const Params& params,
                                             std::string_view what);
  // NotFound naming `what` unless `query` (org, id) finds the row.
  core::Status require(const Query& query, core::Id org, core::Id id, std::string_view what);
  core::Status update_one(const Query& query, const Params& params, std::string_view what,
                          std::string_view missing);
  core::Result<std::int64_t> reseal_table(const SealedTable& table);

  Lease lease_;
  std::shared_ptr<const core::FieldCipher> cipher_;
  State state_ = State::kOpen;
  core::Status failure_;
  int savepoint_depth_ = 0;
  bool leave_sealed_ = false;  // see unseal_episode_text()
};

}  // namespace tandem::store::pg
