// The interfaces (ports) the core needs from the outside world: time, password
// hashing, encryption of free text, and the store of the record of care. Adapters
// live in src/crypto and src/storage; tests may use fakes. Implementations document
// their own thread-safety; a Transaction is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/record.hpp"
#include "core/status.hpp"

namespace tandem::core {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
  virtual Date today() const = 0;  // the calendar date, UTC
};

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  // An encoded hash (argon2id with its parameters and salt).
  virtual Result<std::string> hash(std::string_view password) const = 0;
  // Constant-time verification; false for a wrong password or a malformed hash.
  virtual bool verify(std::string_view encoded_hash, std::string_view password) const = 0;
};

// Opaque bearer tokens (login sessions, invitation links) and the hash the store keeps of
// them instead. issue(): a fresh unguessable token; hash(): deterministic, so a token can be
// looked up by its hash, and one-way, so a copy of the store gives no usable token.
class TokenIssuer {
 public:
  virtual ~TokenIssuer() = default;
  virtual std::string issue() const = 0;
  virtual std::string hash(std::string_view token) const = 0;
};

// Authenticated encryption of free-text fields at rest. seal() output is an opaque
// printable string that names the key it was sealed under, so keys can rotate.
class FieldCipher {
 public:
  virtual ~FieldCipher() = default;
  virtual Result<std::string> seal(std::string_view plaintext) const = 0;
  virtual Result<std::string> open(std::string_view sealed) const = 0;
};

// Keyset pagination: rows with id > after, at most limit of them, by id.
struct Page {
  Id after = 0;
  int limit = 50;
};

struct AuditQuery {
  std::optional<Id> actor;
  std::optional<std::string> action;  // exact, or a prefix ending in '.' ("episode.")
  std::optional<std::string> record_type;
  std::optional<Id> record_id;
  std::optional<Timestamp> from;
  std::optional<Timestamp> to;
  Page page;
};

// One unit of work against the store. Nothing is visible to others until commit();
// destroying an uncommitted transaction rolls it back. Every method is scoped by
// organisation: a row of another organisation is NotFound, never returned.
// Creating methods return the new row's id. Getters return NotFound when absent.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Status commit() = 0;

  // Organisations and users
  virtual Result<Id> create_organisation(const Organisation& organisation) = 0;
  virtual Result<Organisation> get_organisation(Id org) = 0;
  virtual Status update_organisation(const Organisation& organisation) = 0;
  virtual Result<Id> create_user(const User& user) = 0;  // AlreadyExists on a taken email
  virtual Result<User> get_user(Id org, Id user) = 0;
  virtual Result<User> find_user_by_email(std::string_view email) = 0;  // any organisation
  virtual Result<std::vector<User>> list_users(Id org, const Page& page) = 0;
  virtual Status update_user(const User& user) = 0;  // name, role flags, hash, active
  virtual Result<std::int64_t> count_users(Id org) = 0;

  // Clients, assignments, supervision
  virtual Result<Id> create_client(const Client& client) = 0;
  virtual Result<Client> get_client(Id org, Id client) = 0;
  virtual Status update_client(const Client& client) = 0;
  virtual Result<std::vector<Client>> list_clients(Id org, const Page& page) = 0;
  virtual Status assign(const Assignment& assignment) = 0;  // idempotent
  virtual Status unassign(Id org, Id client, Id therapist) = 0;
  virtual Result<std::vector<Id>> therapists_of(Id org, Id client) = 0;
  virtual Result<std::vector<Client>> clients_of(Id org, Id therapist, const Page& page) = 0;
  virtual Status link_supervision(const SupervisionLink& link) = 0;  // idempotent
  virtual Result<std::vector<Id>> supervisees_of(Id org, Id supervisor) = 0;
  virtual Result<std::vector<Id>> supervisors_of(Id org, Id therapist) = 0;

  // Episodes and sessions
  virtual Result<Id> create_episode(const EpisodeRecord& episode) = 0;
  virtual Result<EpisodeRecord> get_episode(Id org, Id episode) = 0;
  virtual Result<std::vector<EpisodeRecord>> episodes_of_client(Id org, Id client) = 0;
  virtual Status close_episode(Id org, Id episode, Date closed, CloseReason reason) = 0;
  virtual Result<Id> create_session(
      const SessionRecord& session) = 0;  // AlreadyExists on a taken number
  virtual Result<SessionRecord> get_session(Id org, Id session) = 0;
  virtual Status update_session(const SessionRecord& session) = 0;
  virtual Result<std::vector<SessionRecord>> sessions_of(Id org, Id episode) = 0;  // by number

  // Instruments (organisation-defined) and administrations
  virtual Status put_instrument(const InstrumentRecord& instrument) = 0;  // insert or replace
  virtual Result<std::vector<InstrumentRecord>> list_instruments(Id org) = 0;
  virtual Result<Id> add_administration(const Administration& administration) = 0;
  virtual Result<std::vector<Administration>> administrations_of(Id org, Id episode) = 0;

  // Co-defined progress (append-only versions)
  virtual Result<int> add_definition_version(const ProgressDefinition& definition) = 0;
  virtual Result<std::vector<ProgressDefinition>> definition_versions(Id org, Id episode) = 0;
  virtual Status record_agreement(Id org, Id episode, int version, Rater rater, Timestamp at) = 0;

  // Ratings, moments
  virtual Result<Id> add_goal_rating(const GoalRatingRecord& rating) = 0;
  virtual Result<std::vector<GoalRatingRecord>> goal_ratings_of(Id org, Id episode) = 0;
  virtual Result<Id> add_alliance(const AllianceRating& rating) = 0;
  virtual Result<std::vector<AllianceRating>> alliance_of(Id org, Id episode) = 0;
  virtual Result<Id> add_moment(const MomentRecord& moment) = 0;
  virtual Result<std::vector<MomentRecord>> moments_of(Id org, Id episode) = 0;

  // The episode and all its rows at once, as the methods above return them (NotFound for
  // an episode not in the organisation). kLeaveSealed: free text stays empty and is never
  // opened. A store may answer in fewer queries than calling each method; by default it
  // calls them.
  virtual Result<EpisodeRecords> episode_records(Id org, Id episode, SealedText text);

  // Reflections
  virtual Result<Id> add_reflection(const Reflection& reflection) = 0;
  virtual Result<Reflection> get_reflection(Id org, Id reflection) = 0;
  virtual Result<std::vector<Reflection>> reflections_of(Id org, Id author, const Page& page) = 0;
  virtual Result<Id> add_comment(const ReflectionComment& comment) = 0;
  virtual Result<std::vector<ReflectionComment>> comments_of(Id org, Id reflection) = 0;

  // Login sessions. Looked up by token hash across organisations (the token is all a
  // request carries); every other call is scoped by organisation. create: NotFound for a
  // user not in the organisation, AlreadyExists on a taken hash.
  virtual Result<Id> create_login_session(const LoginSession& session) = 0;
  virtual Result<LoginSession> find_login_session_by_hash(std::string_view token_hash) = 0;
  virtual Status touch_login_session(Id org, Id session, Timestamp at) = 0;  // last_seen_at
  virtual Status revoke_login_session(Id org, Id session) = 0;               // idempotent
  // Revokes every session of the user but `keep` (0: keep none); returns how many.
  virtual Result<std::int64_t> revoke_other_sessions(Id org, Id user, Id keep) = 0;

  // Invitations. create: InvalidArgument for an invitation validate() refuses; NotFound for
  // a client or creator not in the organisation. list: the organisation's, by id, only
  // those `created_by` made when given.
  virtual Result<Id> create_invitation(const Invitation& invitation) = 0;
  virtual Result<std::vector<Invitation>> list_invitations(Id org, std::optional<Id> created_by,
                                                           const Page& page) = 0;
  virtual Result<Invitation> find_invitation_by_hash(std::string_view token_hash) = 0;
  // Sets used_at once, atomically: FailedPrecondition when it is already used (so of two
  // concurrent acceptances exactly one succeeds).
  virtual Status mark_invitation_used(Id org, Id invitation, Timestamp at) = 0;

  // Failed-login counters for throttling, deployment-wide (a key such as
  // "account:<email>" or "address:<ip>"), kept in the store so every server process sees
  // them. count: failures of the key with at >= since.
  virtual Status record_login_failure(std::string_view key, Timestamp at) = 0;
  virtual Result<std::int64_t> count_login_failures(std::string_view key, Timestamp since) = 0;
  // Deletes every failure (of any key) with at < before, so the table stays as small as the
  // throttling window; returns how many went.
  virtual Result<std::int64_t> prune_login_failures(Timestamp before) = 0;

  // Audit (append-only: there is no update or delete)
  virtual Result<Id> append_audit(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> search_audit(Id org, const AuditQuery& query) = 0;
};

// How a store's connection pool stands, for /metrics: `size` connections at most, of which
// `in_use` are lent to transactions and `idle` are open and waiting; `waits` counts the
// transactions that have had to wait for a connection (or the writer) since the store opened.
struct PoolStats {
  int size = 0;
  int in_use = 0;
  int idle = 0;
  std::int64_t waits = 0;
};

// A store of the record of care, chosen by URL ("sqlite:PATH", "postgresql://...").
// Thread-safe: many threads may each hold their own transaction.
class Store {
 public:
  virtual ~Store() = default;
  virtual Result<std::unique_ptr<Transaction>> begin() = 0;
  // A transaction for work that only reads (and audits what it read): a store may run it
  // beside others instead of queueing it behind writers. Writing through it may fail, but
  // append_audit() works, its entries durable once commit() returns (the returned id may be
  // 0). By default, begin().
  virtual Result<std::unique_ptr<Transaction>> begin_read() { return begin(); }
  // Applied schema version, and the newest this binary knows.
  virtual Result<int> schema_version() = 0;
  virtual int latest_schema_version() const = 0;
  // Health check for /readyz: reachable and migrations current.
  virtual Status ping() = 0;
  // Re-encrypts every encrypted field under the cipher's current key (`tandem
  // rotate-key`), in one transaction. Returns how many fields were rewritten.
  virtual Result<std::int64_t> reseal_all() = 0;
  // The connection pool's figures; none for a store without a pool (a test double).
  virtual std::optional<PoolStats> pool_stats() const { return std::nullopt; }
};

}  // namespace tandem::core
