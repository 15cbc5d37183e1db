// core::Transaction on one pooled SQLite connection. Every statement is a constant SQL
// text with bound parameters (audit search assembles its WHERE clause from constant
// fragments by which filters are present; the values are still bound). Encrypted fields
// are sealed before binding and opened after reading: plaintext never reaches SQLite.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <variant>

#include "storage/sqlite/sqlite_internal.hpp"

namespace tandem::store {
namespace {

using core::Id;
using core::Result;
using core::Status;
using sqlite::Connection;
using sqlite::Statement;
using sqlite::StatementRef;

// Lets one early-return macro serve functions returning Status and Result<T> alike.
struct Propagate {
  Status status;
  operator Status() && { return std::move(status); }  // NOLINT(google-explicit-constructor)
  template <class T>
  operator tl::expected<T, Status>() && {  // NOLINT(google-explicit-constructor)
    return core::fail(std::move(status));
  }
};

#define SQ_CONCAT_INNER(a, b) a##b
#define SQ_CONCAT(a, b) SQ_CONCAT_INNER(a, b)
#define SQ_RETURN_IF_ERROR(expr)                                      \
  do {                                                                \
    Status sq_status_ = (expr);                                       \
    if (!sq_status_.is_ok()) return Propagate{std::move(sq_status_)}; \
  } while (false)
// `lhs` may be a declaration ("auto stmt"), so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define SQ_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr)      \
  auto tmp = (expr);                                  \
  if (!tmp) return Propagate{std::move(tmp.error())}; \
  lhs = std::move(*tmp)
// NOLINTEND(bugprone-macro-parentheses)
#define SQ_ASSIGN_OR_RETURN(lhs, expr) \
  SQ_ASSIGN_OR_RETURN_IMPL(SQ_CONCAT(sq_result_, __LINE__), lhs, expr)

Status ended() { return Status::failed_precondition("the transaction has already ended"); }

Status bad_column(std::string_view column) {
  return Status::internal(fmt::format("unexpected value in column {}", column));
}

Status check_page(const core::Page& page) {
  if (page.limit < 1) return Status::invalid_argument("limit: must be at least 1", "limit");
  return Status::ok();
}

// Item responses as little-endian IEEE-754 doubles: exact, NaN (missing) included.
std::vector<unsigned char> encode_doubles(const std::vector<double>& values) {
  std::vector<unsigned char> bytes(values.size() * 8);
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto bits = std::bit_cast<std::uint64_t>(values[i]);
    for (std::size_t b = 0; b < 8; ++b)
      bytes[i * 8 + b] = static_cast<unsigned char>(bits >> (8 * b));
  }
  return bytes;
}

Result<std::vector<double>> decode_doubles(std::span<const unsigned char> bytes) {
  if (bytes.size() % 8 != 0) return core::fail(bad_column("administrations.responses"));
  std::vector<double> values(bytes.size() / 8);
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::uint64_t bits = 0;
    for (std::size_t b = 0; b < 8; ++b) bits |= std::uint64_t{bytes[i * 8 + b]} << (8 * b);
    values[i] = std::bit_cast<double>(bits);
  }
  return values;
}

double real_or_nan(const Statement& s, int col) {
  return s.is_null(col) ? std::numeric_limits<double>::quiet_NaN() : s.real(col);
}

std::optional<core::AuditOutcome> parse_outcome(std::string_view text) {
  for (auto outcome :
       {core::AuditOutcome::kOk, core::AuditOutcome::kDenied, core::AuditOutcome::kInvalid,
        core::AuditOutcome::kNotFound, core::AuditOutcome::kError}) {
    if (core::to_string(outcome) == text) return outcome;
  }
  return std::nullopt;
}

template <class Parse>
auto parse_column(const Statement& s, int col, std::string_view column, Parse parse)
    -> Result<typename decltype(parse(std::string_view()))::value_type> {
  auto parsed = parse(s.text(col));
  if (!parsed) return core::fail(bad_column(column));
  return *parsed;
}

// A row another row refers to; checked only to explain a foreign-key failure.
struct Parent {
  std::string_view what;
  const char* sql;
  std::array<Id, 3> ids;
  int count;
};

Parent organisation_row(Id org) {
  return {"organisation", "SELECT 1 FROM organisations WHERE id = ?1", {org, 0, 0}, 1};
}
Parent client_row(Id org, Id client) {
  return {"client", "SELECT 1 FROM clients WHERE org_id = ?1 AND id = ?2", {org, client, 0}, 2};
}
Parent user_row(Id org, Id user, std::string_view what = "user") {
  return {what, "SELECT 1 FROM users WHERE org_id = ?1 AND id = ?2", {org, user, 0}, 2};
}
Parent episode_row(Id org, Id episode) {
  return {"episode", "SELECT 1 FROM episodes WHERE org_id = ?1 AND id = ?2", {org, episode, 0}, 2};
}
Parent session_row(Id org, Id episode, Id session) {
  return {"session (of this episode)",
          "SELECT 1 FROM sessions WHERE org_id = ?1 AND episode_id = ?2 AND id = ?3",
          {org, episode, session},
          3};
}
Parent reflection_row(Id org, Id reflection) {
  return {"reflection",
          "SELECT 1 FROM reflections WHERE org_id = ?1 AND id = ?2",
          {org, reflection, 0},
          2};
}

constexpr const char* kUserColumns =
    "id, org_id, email, display_name, role, trainee, password_hash, client_id, active, "
    "created_at";
constexpr const char* kClientColumns =
    "id, org_id, display_name, birth_date, consent_care, consent_research, created_at";
constexpr const char* kEpisodeColumns =
    "id, org_id, client_id, therapist_id, instrument, opened, closed, close_reason, created_at";
constexpr const char* kSessionColumns =
    "id, org_id, episode_id, number, date, attendance, felt_hard_client, felt_hard_therapist, "
    "therapist_notes, created_at";
constexpr const char* kReflectionColumns =
    "id, org_id, author_id, episode_id, tried_to_fix, sat_with, at";
constexpr const char* kLoginSessionColumns =
    "id, org_id, user_id, token_hash, created_at, last_seen_at, expires_at, revoked";
constexpr const char* kInvitationColumns =
    "id, org_id, client_id, created_by, token_hash, created_at, expires_at, used_at, role, "
    "display_name, trainee";
constexpr const char* kAuditColumns =
    "id, org_id, actor_id, action, record_type, record_id, outcome, at";

std::string select_from(const char* columns, std::string_view rest) {
  return fmt::format("SELECT {} {}", columns, rest);
}

// Sets a flag for a scope and restores it after.
class LeaveSealed {
 public:
  LeaveSealed(bool& flag, bool value) : flag_(flag), saved_(std::exchange(flag, value)) {}
  LeaveSealed(const LeaveSealed&) = delete;
  LeaveSealed& operator=(const LeaveSealed&) = delete;
  ~LeaveSealed() { flag_ = saved_; }

 private:
  bool& flag_;
  bool saved_;
};

class SqliteTransaction final : public core::Transaction {
 public:
  // A reading transaction on its own connection (a deferred BEGIN: a snapshot).
  SqliteTransaction(std::shared_ptr<SqliteStore::Shared> shared, Lease lease)
      : shared_(std::move(shared)), lease_(std::move(lease)), read_only_(true) {
    guard_.emplace(*lease_.get());
  }
  // A writing one: a member of the write group.
  SqliteTransaction(std::shared_ptr<SqliteStore::Shared> shared, GroupMember member)
      : shared_(std::move(shared)), member_(std::move(member)) {}

  Status start() { return guard_ ? guard_->begin(/*immediate=*/false) : Status::ok(); }

  Status commit() override {
    if (!read_only_) return member_.active() ? member_.commit() : ended();
    if (!guard_) return ended();
    Status status = guard_->commit();
    guard_.reset();
    lease_.release();
    if (status.is_ok() && !pending_audit_.empty()) status = write_pending_audit();
    return status;
  }

  // ---- Organisations and users ---------------------------------------------------------

  Result<Id> create_organisation(const core::Organisation& o) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("INSERT INTO organisations (name, crisis_text, "
                                           "created_at) VALUES (?1, ?2, ?3)"));
    stmt->bind(1, o.name).bind(2, o.crisis_text).bind(3, o.created_at);
    return insert(stmt, {});
  }

  Result<core::Organisation> get_organisation(Id org) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("SELECT id, name, crisis_text, created_at FROM "
                                           "organisations WHERE id = ?1"));
    stmt->bind(1, org);
    return one<core::Organisation>(stmt, "organisation", [](const Statement& s) {
      return Result<core::Organisation>(
          core::Organisation{s.int64(0), s.str(1), s.str(2), s.int64(3)});
    });
  }

  Status update_organisation(const core::Organisation& o) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("UPDATE organisations SET name = ?2, crisis_text = ?3 "
                                           "WHERE id = ?1"));
    stmt->bind(1, o.id).bind(2, o.name).bind(3, o.crisis_text);
    return update(stmt, "organisation", {});
  }

  Result<Id> create_user(const core::User& u) override {
    SQ_RETURN_IF_ERROR(core::validate(u));
    SQ_ASSIGN_OR_RETURN(std::string name, seal(u.display_name));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO users (org_id, email, display_name, role, trainee, "
                                "password_hash, client_id, active, created_at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    stmt->bind(1, u.org).bind(2, u.email).bind(3, name).bind(4, core::to_string(u.role));
    stmt->bind(5, u.trainee).bind(6, u.password_hash).bind(7, u.client_id).bind(8, u.active);
    stmt->bind(9, u.created_at);
    std::vector<Parent> parents{organisation_row(u.org)};
    if (u.client_id) parents.push_back(client_row(u.org, *u.client_id));
    return insert(stmt, parents);
  }

  Result<core::User> get_user(Id org, Id user) override {
    SQ_ASSIGN_OR_RETURN(
        auto stmt, prepare(select_from(kUserColumns, "FROM users WHERE org_id = ?1 AND id = ?2")));
    stmt->bind(1, org).bind(2, user);
    return one<core::User>(stmt, "user", [this](const Statement& s) { return read_user(s); });
  }

  Result<core::User> find_user_by_email(std::string_view email) override {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare(select_from(kUserColumns, "FROM users WHERE email = ?1")));
    stmt->bind(1, email);
    return one<core::User>(stmt, "user", [this](const Statement& s) { return read_user(s); });
  }

  Result<std::vector<core::User>> list_users(Id org, const core::Page& page) override {
    SQ_RETURN_IF_ERROR(check_page(page));
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kUserColumns,
                                                       "FROM users WHERE org_id = ?1 "
                                                       "AND id > ?2 ORDER BY id "
                                                       "LIMIT ?3")));
    stmt->bind(1, org).bind(2, page.after).bind(3, page.limit);
    return all<core::User>(stmt, [this](const Statement& s) { return read_user(s); });
  }

  Status update_user(const core::User& u) override {
    SQ_RETURN_IF_ERROR(core::validate(u));
    SQ_ASSIGN_OR_RETURN(std::string name, seal(u.display_name));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("UPDATE users SET display_name = ?3, role = ?4, trainee = ?5, "
                                "password_hash = ?6, client_id = ?7, active = ?8 "
                                "WHERE org_id = ?1 AND id = ?2"));
    stmt->bind(1, u.org).bind(2, u.id).bind(3, name).bind(4, core::to_string(u.role));
    stmt->bind(5, u.trainee).bind(6, u.password_hash).bind(7, u.client_id).bind(8, u.active);
    std::vector<Parent> parents;
    if (u.client_id) parents.push_back(client_row(u.org, *u.client_id));
    return update(stmt, "user", parents);
  }

  Result<std::int64_t> count_users(Id org) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("SELECT count(*) FROM users WHERE org_id = ?1"));
    stmt->bind(1, org);
    return one<std::int64_t>(stmt, "organisation",
                             [](const Statement& s) { return Result<std::int64_t>(s.int64(0)); });
  }

  // ---- Clients, assignments, supervision -----------------------------------------------

  Result<Id> create_client(const core::Client& c) override {
    SQ_RETURN_IF_ERROR(core::validate(c));
    SQ_ASSIGN_OR_RETURN(std::string name, seal(c.display_name));
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("INSERT INTO clients (org_id, display_name, birth_date, "
                                           "consent_care, consent_research, created_at) "
                                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    stmt->bind(1, c.org).bind(2, name).bind(3, c.birth_date).bind(4, c.consent.care);
    stmt->bind(5, c.consent.research).bind(6, c.created_at);
    return insert(stmt, {organisation_row(c.org)});
  }

  Result<core::Client> get_client(Id org, Id client) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kClientColumns,
                                                       "FROM clients WHERE "
                                                       "org_id = ?1 AND id = ?2")));
    stmt->bind(1, org).bind(2, client);
    return one<core::Client>(stmt, "client", [this](const Statement& s) { return read_client(s); });
  }

  Status update_client(const core::Client& c) override {
    SQ_RETURN_IF_ERROR(core::validate(c));
    SQ_ASSIGN_OR_RETURN(std::string name, seal(c.display_name));
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("UPDATE clients SET display_name = ?3, birth_date = ?4, "
                                           "consent_care = ?5, consent_research = ?6 "
                                           "WHERE org_id = ?1 AND id = ?2"));
    stmt->bind(1, c.org).bind(2, c.id).bind(3, name).bind(4, c.birth_date);
    stmt->bind(5, c.consent.care).bind(6, c.consent.research);
    return update(stmt, "client", {});
  }

  Result<std::vector<core::Client>> list_clients(Id org, const core::Page& page) override {
    SQ_RETURN_IF_ERROR(check_page(page));
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kClientColumns,
                                                       "FROM clients WHERE org_id = ?1 AND "
                                                       "id > ?2 ORDER BY id LIMIT ?3")));
    stmt->bind(1, org).bind(2, page.after).bind(3, page.limit);
    return all<core::Client>(stmt, [this](const Statement& s) { return read_client(s); });
  }

  Status assign(const core::Assignment& a) override {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO assignments (org_id, client_id, therapist_id, since) "
                                "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"));
    stmt->bind(1, a.org).bind(2, a.client).bind(3, a.therapist).bind(4, a.since);
    return execute(stmt, {client_row(a.org, a.client), user_row(a.org, a.therapist, "therapist")});
  }

  Status unassign(Id org, Id client, Id therapist) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("DELETE FROM assignments WHERE org_id = ?1 AND "
                                           "client_id = ?2 AND therapist_id = ?3"));
    stmt->bind(1, org).bind(2, client).bind(3, therapist);
    return update(stmt, "assignment", {});
  }

  Result<std::vector<Id>> therapists_of(Id org, Id client) override {
    SQ_RETURN_IF_ERROR(require(client_row(org, client)));
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("SELECT therapist_id FROM assignments WHERE org_id = ?1 "
                                           "AND client_id = ?2 ORDER BY therapist_id"));
    stmt->bind(1, org).bind(2, client);
    return ids(stmt);
  }

  Result<std::vector<core::Client>> clients_of(Id org, Id therapist,
                                               const core::Page& page) override {
    SQ_RETURN_IF_ERROR(check_page(page));
    SQ_RETURN_IF_ERROR(require(user_row(org, therapist, "therapist")));
    SQ_ASSIGN_OR_RETURN(
        auto stmt, prepare("SELECT c.id, c.org_id, c.display_name, c.birth_date, c.consent_care, "
                           "c.consent_research, c.created_at FROM assignments a JOIN clients c "
                           "ON c.org_id = a.org_id AND c.id = a.client_id "
                           "WHERE a.org_id = ?1 AND a.therapist_id = ?2 AND a.client_id > ?3 "
                           "ORDER BY a.client_id LIMIT ?4"));
    stmt->bind(1, org).bind(2, therapist).bind(3, page.after).bind(4, page.limit);
    return all<core::Client>(stmt, [this](const Statement& s) { return read_client(s); });
  }

  Status link_supervision(const core::SupervisionLink& l) override {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO supervision (org_id, supervisor_id, therapist_id, "
                                "since) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"));
    stmt->bind(1, l.org).bind(2, l.supervisor).bind(3, l.therapist).bind(4, l.since);
    return execute(stmt, {user_row(l.org, l.supervisor, "supervisor"),
                          user_row(l.org, l.therapist, "therapist")});
  }

  Result<std::vector<Id>> supervisees_of(Id org, Id supervisor) override {
    SQ_RETURN_IF_ERROR(require(user_row(org, supervisor, "supervisor")));
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("SELECT therapist_id FROM supervision WHERE org_id = ?1 "
                                           "AND supervisor_id = ?2 ORDER BY therapist_id"));
    stmt->bind(1, org).bind(2, supervisor);
    return ids(stmt);
  }

  Result<std::vector<Id>> supervisors_of(Id org, Id therapist) override {
    SQ_RETURN_IF_ERROR(require(user_row(org, therapist, "therapist")));
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("SELECT supervisor_id FROM supervision WHERE org_id = "
                                           "?1 AND therapist_id = ?2 ORDER BY supervisor_id"));
    stmt->bind(1, org).bind(2, therapist);
    return ids(stmt);
  }

  // ---- Episodes and sessions -----------------------------------------------------------

  Result<Id> create_episode(const core::EpisodeRecord& e) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("INSERT INTO episodes (org_id, client_id, therapist_id, "
                                           "instrument, opened, closed, close_reason, created_at) "
                                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    stmt->bind(1, e.org).bind(2, e.client).bind(3, e.therapist).bind(4, e.instrument);
    stmt->bind(5, e.opened).bind(6, e.closed).bind(8, e.created_at);
    if (e.close_reason) {
      stmt->bind(7, core::to_string(*e.close_reason));
    } else {
      stmt->bind_null(7);
    }
    return insert(stmt, {organisation_row(e.org), client_row(e.org, e.client),
                         user_row(e.org, e.therapist, "therapist")});
  }

  Result<core::EpisodeRecord> get_episode(Id org, Id episode) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kEpisodeColumns,
                                                       "FROM episodes WHERE "
                                                       "org_id = ?1 AND id = ?2")));
    stmt->bind(1, org).bind(2, episode);
    return one<core::EpisodeRecord>(stmt, "episode", read_episode);
  }

  Result<std::vector<core::EpisodeRecord>> episodes_of_client(Id org, Id client) override {
    SQ_RETURN_IF_ERROR(require(client_row(org, client)));
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kEpisodeColumns,
                                                       "FROM episodes WHERE org_id = ?1 AND "
                                                       "client_id = ?2 ORDER BY id")));
    stmt->bind(1, org).bind(2, client);
    return all<core::EpisodeRecord>(stmt, read_episode);
  }

  Status close_episode(Id org, Id episode, core::Date closed, core::CloseReason reason) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("UPDATE episodes SET closed = ?3, close_reason = ?4 "
                                           "WHERE org_id = ?1 AND id = ?2"));
    stmt->bind(1, org).bind(2, episode).bind(3, closed).bind(4, core::to_string(reason));
    return update(stmt, "episode", {});
  }

  Result<Id> create_session(const core::SessionRecord& s) override {
    SQ_RETURN_IF_ERROR(core::validate(s));
    SQ_ASSIGN_OR_RETURN(std::string notes, seal(s.therapist_notes));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO sessions (org_id, episode_id, number, date, "
                                "attendance, felt_hard_client, felt_hard_therapist, "
                                "therapist_notes, created_at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    stmt->bind(1, s.org).bind(2, s.episode).bind(3, s.number).bind(4, s.date);
    stmt->bind(5, core::to_string(s.attendance)).bind(6, s.felt_hard_client);
    stmt->bind(7, s.felt_hard_therapist).bind(8, notes).bind(9, s.created_at);
    return insert(stmt, {episode_row(s.org, s.episode)});
  }

  Result<core::SessionRecord> get_session(Id org, Id session) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kSessionColumns,
                                                       "FROM sessions WHERE "
                                                       "org_id = ?1 AND id = ?2")));
    stmt->bind(1, org).bind(2, session);
    return one<core::SessionRecord>(stmt, "session",
                                    [this](const Statement& st) { return read_session(st); });
  }

  Status update_session(const core::SessionRecord& s) override {
    SQ_RETURN_IF_ERROR(core::validate(s));
    SQ_ASSIGN_OR_RETURN(std::string notes, seal(s.therapist_notes));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("UPDATE sessions SET number = ?3, date = ?4, attendance = ?5, "
                                "felt_hard_client = ?6, felt_hard_therapist = ?7, "
                                "therapist_notes = ?8 WHERE org_id = ?1 AND id = ?2"));
    stmt->bind(1, s.org).bind(2, s.id).bind(3, s.number).bind(4, s.date);
    stmt->bind(5, core::to_string(s.attendance)).bind(6, s.felt_hard_client);
    stmt->bind(7, s.felt_hard_therapist).bind(8, notes);
    return update(stmt, "session", {});
  }

  Result<std::vector<core::SessionRecord>> sessions_of(Id org, Id episode) override {
    SQ_RETURN_IF_ERROR(require(episode_row(org, episode)));
    return session_rows(org, episode);
  }

  Result<std::vector<core::SessionRecord>> session_rows(Id org, Id episode) {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kSessionColumns,
                                                       "FROM sessions WHERE org_id = ?1 AND "
                                                       "episode_id = ?2 ORDER BY number")));
    stmt->bind(1, org).bind(2, episode);
    return all<core::SessionRecord>(stmt, [this](const Statement& st) { return read_session(st); });
  }

  // ---- Instruments and administrations -------------------------------------------------

  Status put_instrument(const core::InstrumentRecord& i) override {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO instruments (org_id, instrument, definition_json, "
                                "updated_at) VALUES (?1, ?2, ?3, ?4) "
                                "ON CONFLICT (org_id, instrument) DO UPDATE SET "
                                "definition_json = excluded.definition_json, "
                                "updated_at = excluded.updated_at"));
    stmt->bind(1, i.org).bind(2, i.instrument).bind(3, i.definition_json).bind(4, i.updated_at);
    return execute(stmt, {organisation_row(i.org)});
  }

  Result<std::vector<core::InstrumentRecord>> list_instruments(Id org) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("SELECT org_id, instrument, definition_json, updated_at "
                                           "FROM instruments WHERE org_id = ?1 "
                                           "ORDER BY instrument"));
    stmt->bind(1, org);
    return all<core::InstrumentRecord>(stmt, [](const Statement& s) {
      return Result<core::InstrumentRecord>(
          core::InstrumentRecord{s.int64(0), s.str(1), s.str(2), s.int64(3)});
    });
  }

  Result<Id> add_administration(const core::Administration& a) override {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO administrations (org_id, episode_id, session_id, "
                                "instrument, responses, total, answered_by, recorded_by, at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    const std::vector<unsigned char> responses = encode_doubles(a.responses);
    stmt->bind(1, a.org).bind(2, a.episode).bind(3, a.session).bind(4, a.instrument);
    stmt->bind_blob(5, responses).bind(6, a.total).bind(7, core::to_string(a.answered_by));
    stmt->bind(8, a.recorded_by).bind(9, a.at);
    std::vector<Parent> parents{episode_row(a.org, a.episode)};
    if (a.session) parents.push_back(session_row(a.org, a.episode, *a.session));
    parents.push_back(user_row(a.org, a.recorded_by, "recording user"));
    return insert(stmt, parents);
  }

  Result<std::vector<core::Administration>> administrations_of(Id org, Id episode) override {
    SQ_RETURN_IF_ERROR(require(episode_row(org, episode)));
    return administration_rows(org, episode);
  }

  Result<std::vector<core::Administration>> administration_rows(Id org, Id episode) {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("SELECT id, org_id, episode_id, session_id, instrument, "
                                "responses, total, answered_by, recorded_by, at "
                                "FROM administrations WHERE org_id = ?1 AND episode_id = ?2 "
                                "ORDER BY id"));
    stmt->bind(1, org).bind(2, episode);
    return all<core::Administration>(stmt, [](const Statement& s) -> Result<core::Administration> {
      core::Administration a;
      a.id = s.int64(0);
      a.org = s.int64(1);
      a.episode = s.int64(2);
      a.session = s.opt_int64(3);
      a.instrument = s.str(4);
      SQ_ASSIGN_OR_RETURN(a.responses, decode_doubles(s.blob(5)));
      a.total = real_or_nan(s, 6);
      SQ_ASSIGN_OR_RETURN(a.answered_by,
                          parse_column(s, 7, "administrations.answered_by", core::parse_rater));
      a.recorded_by = s.int64(8);
      a.at = s.int64(9);
      return a;
    });
  }

  // ---- Co-defined progress -------------------------------------------------------------

  Result<int> add_definition_version(const core::ProgressDefinition& d) override {
    SQ_RETURN_IF_ERROR(core::validate(d));
    SQ_RETURN_IF_ERROR(require(episode_row(d.org, d.episode)));
    int version = 0;
    {
      SQ_ASSIGN_OR_RETURN(auto next, prepare("SELECT COALESCE(MAX(version), 0) + 1 FROM "
                                             "definitions WHERE org_id = ?1 AND episode_id = ?2"));
      next->bind(1, d.org).bind(2, d.episode);
      SQ_ASSIGN_OR_RETURN(bool row, next->step());
      if (!row) return core::fail(Status::internal("computing the next definition version"));
      version = next->int32(0);
    }
    SQ_ASSIGN_OR_RETURN(std::string hopes, seal(d.hopes));
    SQ_ASSIGN_OR_RETURN(std::string better, seal(d.better_looks_like));
    SQ_ASSIGN_OR_RETURN(std::string shifts, seal(d.small_shifts));
    SQ_ASSIGN_OR_RETURN(std::string note, seal(d.change_note));
    {
      SQ_ASSIGN_OR_RETURN(
          auto stmt,
          prepare("INSERT INTO definitions (org_id, episode_id, version, hopes, "
                  "better_looks_like, small_shifts, change_note, changed_by, changed_at, "
                  "client_agreed_at, therapist_agreed_at, revised_at_session) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
      stmt->bind(1, d.org).bind(2, d.episode).bind(3, version).bind(4, hopes).bind(5, better);
      stmt->bind(6, shifts).bind(7, note).bind(8, d.changed_by).bind(9, d.changed_at);
      stmt->bind(10, d.client_agreed_at).bind(11, d.therapist_agreed_at);
      stmt->bind(12, d.revised_at_session);
      SQ_RETURN_IF_ERROR(execute(
          stmt, {episode_row(d.org, d.episode), user_row(d.org, d.changed_by, "changing user")}));
    }
    for (std::size_t i = 0; i < d.goals.size(); ++i) {
      SQ_RETURN_IF_ERROR(insert_goal(d, version, static_cast<int>(i)));
    }
    return version;
  }

  Result<std::vector<core::ProgressDefinition>> definition_versions(Id org, Id episode) override {
    SQ_RETURN_IF_ERROR(require(episode_row(org, episode)));
    return definition_rows(org, episode);
  }

  Result<std::vector<core::ProgressDefinition>> definition_rows(Id org, Id episode) {
    std::vector<core::ProgressDefinition> versions;
    {
      SQ_ASSIGN_OR_RETURN(
          auto stmt,
          prepare("SELECT org_id, episode_id, version, hopes, better_looks_like, small_shifts, "
                  "change_note, changed_by, changed_at, client_agreed_at, therapist_agreed_at, "
                  "revised_at_session FROM definitions WHERE org_id = ?1 AND episode_id = ?2 "
                  "ORDER BY version"));
      stmt->bind(1, org).bind(2, episode);
      SQ_ASSIGN_OR_RETURN(versions, all<core::ProgressDefinition>(stmt, [this](const Statement& s) {
                            return read_definition(s);
                          }));
    }
    SQ_ASSIGN_OR_RETURN(
        auto stmt,
        prepare("SELECT version, goal_key, text, scale, gas_minus2, gas_minus1, gas_zero, "
                "gas_plus1, gas_plus2, weight FROM definition_goals "
                "WHERE org_id = ?1 AND episode_id = ?2 ORDER BY version, position"));
    stmt->bind(1, org).bind(2, episode);
    std::size_t at = 0;
    while (true) {
      SQ_ASSIGN_OR_RETURN(bool row, stmt->step());
      if (!row) break;
      const int version = stmt->int32(0);
      while (at < versions.size() && versions[at].version < version) ++at;
      if (at == versions.size() || versions[at].version != version) {
        return core::fail(bad_column("definition_goals.version"));
      }
      SQ_ASSIGN_OR_RETURN(core::GoalDefinition goal, read_goal(*stmt));
      versions[at].goals.push_back(std::move(goal));
    }
    return versions;
  }

  Status record_agreement(Id org, Id episode, int version, core::Rater rater,
                          core::Timestamp at) override {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare(rater == core::Rater::kClient
                                    ? "UPDATE definitions SET client_agreed_at = ?4 WHERE "
                                      "org_id = ?1 AND episode_id = ?2 AND version = ?3"
                                    : "UPDATE definitions SET therapist_agreed_at = ?4 WHERE "
                                      "org_id = ?1 AND episode_id = ?2 AND version = ?3"));
    stmt->bind(1, org).bind(2, episode).bind(3, version).bind(4, at);
    return update(stmt, "definition version", {});
  }

  // ---- Ratings, moments ----------------------------------------------------------------

  Result<Id> add_goal_rating(const core::GoalRatingRecord& r) override {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO goal_ratings (org_id, episode_id, session_id, "
                                "goal_key, rater, value, recorded_by, at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    stmt->bind(1, r.org).bind(2, r.episode).bind(3, r.session).bind(4, r.goal_key);
    stmt->bind(5, core::to_string(r.rater)).bind(6, r.value).bind(7, r.recorded_by).bind(8, r.at);
    return insert(stmt, {episode_row(r.org, r.episode), session_row(r.org, r.episode, r.session),
                         user_row(r.org, r.recorded_by, "recording user")});
  }

  Result<std::vector<core::GoalRatingRecord>> goal_ratings_of(Id org, Id episode) override {
    SQ_RETURN_IF_ERROR(require(episode_row(org, episode)));
    return goal_rating_rows(org, episode);
  }

  Result<std::vector<core::GoalRatingRecord>> goal_rating_rows(Id org, Id episode) {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("SELECT id, org_id, episode_id, session_id, goal_key, rater, "
                                "value, recorded_by, at FROM goal_ratings "
                                "WHERE org_id = ?1 AND episode_id = ?2 ORDER BY id"));
    stmt->bind(1, org).bind(2, episode);
    return all<core::GoalRatingRecord>(
        stmt, [](const Statement& s) -> Result<core::GoalRatingRecord> {
          core::GoalRatingRecord r;
          r.id = s.int64(0);
          r.org = s.int64(1);
          r.episode = s.int64(2);
          r.session = s.int64(3);
          r.goal_key = s.str(4);
          SQ_ASSIGN_OR_RETURN(r.rater, parse_column(s, 5, "goal_ratings.rater", core::parse_rater));
          r.value = s.real(6);
          r.recorded_by = s.int64(7);
          r.at = s.int64(8);
          return r;
        });
  }

  Result<Id> add_alliance(const core::AllianceRating& r) override {
    SQ_RETURN_IF_ERROR(core::validate(r));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO alliance_ratings (org_id, episode_id, session_id, "
                                "value, recorded_by, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    stmt->bind(1, r.org).bind(2, r.episode).bind(3, r.session).bind(4, r.value);
    stmt->bind(5, r.recorded_by).bind(6, r.at);
    return insert(stmt, {episode_row(r.org, r.episode), session_row(r.org, r.episode, r.session),
                         user_row(r.org, r.recorded_by, "recording user")});
  }

  Result<std::vector<core::AllianceRating>> alliance_of(Id org, Id episode) override {
    SQ_RETURN_IF_ERROR(require(episode_row(org, episode)));
    return alliance_rows(org, episode);
  }

  Result<std::vector<core::AllianceRating>> alliance_rows(Id org, Id episode) {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("SELECT id, org_id, episode_id, session_id, value, recorded_by, "
                                "at FROM alliance_ratings WHERE org_id = ?1 AND episode_id = ?2 "
                                "ORDER BY id"));
    stmt->bind(1, org).bind(2, episode);
    return all<core::AllianceRating>(stmt, [](const Statement& s) {
      return Result<core::AllianceRating>(core::AllianceRating{
          s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.real(4), s.int64(5), s.int64(6)});
    });
  }

  Result<Id> add_moment(const core::MomentRecord& m) override {
    SQ_ASSIGN_OR_RETURN(std::string text, seal(m.text));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO moments (org_id, episode_id, session_id, tag, text, "
                                "by_rater, recorded_by, at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    stmt->bind(1, m.org).bind(2, m.episode).bind(3, m.session).bind(4, m.tag).bind(5, text);
    stmt->bind(6, core::to_string(m.by)).bind(7, m.recorded_by).bind(8, m.at);
    std::vector<Parent> parents{episode_row(m.org, m.episode)};
    if (m.session) parents.push_back(session_row(m.org, m.episode, *m.session));
    parents.push_back(user_row(m.org, m.recorded_by, "recording user"));
    return insert(stmt, parents);
  }

  Result<std::vector<core::MomentRecord>> moments_of(Id org, Id episode) override {
    SQ_RETURN_IF_ERROR(require(episode_row(org, episode)));
    return moment_rows(org, episode);
  }

  // The episode's row read first stands for the existence checks of the *_of methods.
  Result<core::EpisodeRecords> episode_records(Id org, Id episode, core::SealedText text) override {
    const LeaveSealed leave(leave_sealed_, text == core::SealedText::kLeaveSealed);
    core::EpisodeRecords records;
    SQ_ASSIGN_OR_RETURN(records.episode, get_episode(org, episode));
    SQ_ASSIGN_OR_RETURN(records.sessions, session_rows(org, episode));
    SQ_ASSIGN_OR_RETURN(records.administrations, administration_rows(org, episode));
    SQ_ASSIGN_OR_RETURN(records.definitions, definition_rows(org, episode));
    SQ_ASSIGN_OR_RETURN(records.goal_ratings, goal_rating_rows(org, episode));
    SQ_ASSIGN_OR_RETURN(records.alliance, alliance_rows(org, episode));
    SQ_ASSIGN_OR_RETURN(records.moments, moment_rows(org, episode));
    return records;
  }

  Result<std::vector<core::MomentRecord>> moment_rows(Id org, Id episode) {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("SELECT id, org_id, episode_id, session_id, tag, text, by_rater, "
                                "recorded_by, at FROM moments WHERE org_id = ?1 AND "
                                "episode_id = ?2 ORDER BY id"));
    stmt->bind(1, org).bind(2, episode);
    return all<core::MomentRecord>(stmt, [this](const Statement& s) -> Result<core::MomentRecord> {
      core::MomentRecord m;
      m.id = s.int64(0);
      m.org = s.int64(1);
      m.episode = s.int64(2);
      m.session = s.opt_int64(3);
      m.tag = s.str(4);
      SQ_ASSIGN_OR_RETURN(m.text, open_episode_text(s.text(5)));
      SQ_ASSIGN_OR_RETURN(m.by, parse_column(s, 6, "moments.by_rater", core::parse_rater));
      m.recorded_by = s.int64(7);
      m.at = s.int64(8);
      return m;
    });
  }

  // ---- Reflections ---------------------------------------------------------------------

  Result<Id> add_reflection(const core::Reflection& r) override {
    SQ_ASSIGN_OR_RETURN(std::string tried, seal(r.tried_to_fix));
    SQ_ASSIGN_OR_RETURN(std::string sat, seal(r.sat_with));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO reflections (org_id, author_id, episode_id, "
                                "tried_to_fix, sat_with, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"));
    stmt->bind(1, r.org).bind(2, r.author).bind(3, r.episode).bind(4, tried).bind(5, sat);
    stmt->bind(6, r.at);
    std::vector<Parent> parents{user_row(r.org, r.author, "author")};
    if (r.episode) parents.push_back(episode_row(r.org, *r.episode));
    return insert(stmt, parents);
  }

  Result<core::Reflection> get_reflection(Id org, Id reflection) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kReflectionColumns,
                                                       "FROM reflections WHERE org_id = ?1 AND "
                                                       "id = ?2")));
    stmt->bind(1, org).bind(2, reflection);
    return one<core::Reflection>(stmt, "reflection",
                                 [this](const Statement& s) { return read_reflection(s); });
  }

  Result<std::vector<core::Reflection>> reflections_of(Id org, Id author,
                                                       const core::Page& page) override {
    SQ_RETURN_IF_ERROR(check_page(page));
    SQ_RETURN_IF_ERROR(require(user_row(org, author, "author")));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare(select_from(kReflectionColumns,
                                            "FROM reflections WHERE org_id = ?1 AND author_id = ?2 "
                                            "AND id > ?3 ORDER BY id LIMIT ?4")));
    stmt->bind(1, org).bind(2, author).bind(3, page.after).bind(4, page.limit);
    return all<core::Reflection>(stmt, [this](const Statement& s) { return read_reflection(s); });
  }

  Result<Id> add_comment(const core::ReflectionComment& c) override {
    SQ_ASSIGN_OR_RETURN(std::string text, seal(c.text));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO reflection_comments (org_id, reflection_id, "
                                "author_id, text, at) VALUES (?1, ?2, ?3, ?4, ?5)"));
    stmt->bind(1, c.org).bind(2, c.reflection).bind(3, c.author).bind(4, text).bind(5, c.at);
    return insert(stmt, {reflection_row(c.org, c.reflection), user_row(c.org, c.author, "author")});
  }

  Result<std::vector<core::ReflectionComment>> comments_of(Id org, Id reflection) override {
    SQ_RETURN_IF_ERROR(require(reflection_row(org, reflection)));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("SELECT id, org_id, reflection_id, author_id, text, at FROM "
                                "reflection_comments WHERE org_id = ?1 AND reflection_id = ?2 "
                                "ORDER BY id"));
    stmt->bind(1, org).bind(2, reflection);
    return all<core::ReflectionComment>(
        stmt, [this](const Statement& s) -> Result<core::ReflectionComment> {
          core::ReflectionComment c;
          c.id = s.int64(0);
          c.org = s.int64(1);
          c.reflection = s.int64(2);
          c.author = s.int64(3);
          SQ_ASSIGN_OR_RETURN(c.text, open(s.text(4)));
          c.at = s.int64(5);
          return c;
        });
  }

  // ---- Audit ---------------------------------------------------------------------------

  Result<Id> append_audit(const core::AuditEntry& e) override {
    if (read_only_) {  // written by commit(), in a short write transaction of its own
      if (!active()) return core::fail(ended());
      pending_audit_.push_back(e);
      return Id{0};
    }
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO audit (org_id, actor_id, action, record_type, "
                                "record_id, outcome, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    stmt->bind(1, e.org).bind(2, e.actor).bind(3, e.action).bind(4, e.record_type);
    stmt->bind(5, e.record_id).bind(6, core::to_string(e.outcome)).bind(7, e.at);
    return insert(stmt, {organisation_row(e.org)});
  }

  Result<std::vector<core::AuditEntry>> search_audit(Id org, const core::AuditQuery& q) override {
    SQ_RETURN_IF_ERROR(check_page(q.page));
    // The clause text depends only on which filters are present; every value is bound.
    using Value = std::variant<Id, std::string>;
    std::vector<Value> values{org, q.page.after};
    std::string sql = select_from(kAuditColumns, "FROM audit WHERE org_id = ?1 AND id > ?2");
    auto add = [&](const char* clause, Value value) {
      values.push_back(std::move(value));
      sql += fmt::format(fmt::runtime(clause), values.size());
    };
    if (q.actor) add(" AND actor_id = ?{}", *q.actor);
    if (q.action) {
      if (!q.action->empty() && q.action->back() == '.') {
        // A prefix "episode." is the range ["episode.", "episode/"): '/' follows '.'.
        std::string upper = *q.action;
        upper.back() = '/';
        add(" AND action >= ?{}", *q.action);
        add(" AND action < ?{}", std::move(upper));
      } else {
        add(" AND action = ?{}", *q.action);
      }
    }
    if (q.record_type) add(" AND record_type = ?{}", *q.record_type);
    if (q.record_id) add(" AND record_id = ?{}", *q.record_id);
    if (q.from) add(" AND at >= ?{}", *q.from);
    if (q.to) add(" AND at < ?{}", *q.to);
    add(" ORDER BY id LIMIT ?{}", Id{q.page.limit});

    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(sql));
    for (std::size_t i = 0; i < values.size(); ++i) {
      std::visit([&](const auto& v) { stmt->bind(static_cast<int>(i) + 1, v); }, values[i]);
    }
    return all<core::AuditEntry>(stmt, [](const Statement& s) -> Result<core::AuditEntry> {
      core::AuditEntry e;
      e.id = s.int64(0);
      e.org = s.int64(1);
      e.actor = s.opt_int64(2);
      e.action = s.str(3);
      e.record_type = s.str(4);
      e.record_id = s.opt_int64(5);
      SQ_ASSIGN_OR_RETURN(e.outcome, parse_column(s, 6, "audit.outcome", parse_outcome));
      e.at = s.int64(7);
      return e;
    });
  }

  // ---- Login sessions, invitations, throttling -------------------------------------------

  Result<Id> create_login_session(const core::LoginSession& l) override {
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO login_sessions (org_id, user_id, token_hash, "
                                "created_at, last_seen_at, expires_at, revoked) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    stmt->bind(1, l.org).bind(2, l.user).bind(3, l.token_hash).bind(4, l.created_at);
    stmt->bind(5, l.last_seen_at).bind(6, l.expires_at).bind(7, l.revoked);
    return insert(stmt, {organisation_row(l.org), user_row(l.org, l.user)});
  }

  Result<core::LoginSession> find_login_session_by_hash(std::string_view token_hash) override {
    SQ_ASSIGN_OR_RETURN(
        auto stmt,
        prepare(select_from(kLoginSessionColumns, "FROM login_sessions WHERE token_hash = ?1")));
    stmt->bind(1, token_hash);
    return one<core::LoginSession>(stmt, "login session", [](const Statement& s) {
      return Result<core::LoginSession>(core::LoginSession{s.int64(0), s.int64(1), s.int64(2),
                                                           s.str(3), s.int64(4), s.int64(5),
                                                           s.int64(6), s.boolean(7)});
    });
  }

  Status touch_login_session(Id org, Id session, core::Timestamp at) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("UPDATE login_sessions SET last_seen_at = ?3 "
                                           "WHERE org_id = ?1 AND id = ?2"));
    stmt->bind(1, org).bind(2, session).bind(3, at);
    return update(stmt, "login session", {});
  }

  Status revoke_login_session(Id org, Id session) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("UPDATE login_sessions SET revoked = 1 "
                                           "WHERE org_id = ?1 AND id = ?2"));
    stmt->bind(1, org).bind(2, session);
    return update(stmt, "login session", {});
  }

  Result<std::int64_t> revoke_other_sessions(Id org, Id user, Id keep) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("UPDATE login_sessions SET revoked = 1 WHERE org_id = "
                                           "?1 AND user_id = ?2 AND id <> ?3 AND revoked = 0"));
    stmt->bind(1, org).bind(2, user).bind(3, keep);
    SQ_RETURN_IF_ERROR(execute(stmt, {}));
    return static_cast<std::int64_t>(connection()->changes());
  }

  Result<Id> create_invitation(const core::Invitation& i) override {
    SQ_RETURN_IF_ERROR(core::validate(i));
    SQ_ASSIGN_OR_RETURN(std::string name, seal_unless_empty(i.display_name));
    SQ_ASSIGN_OR_RETURN(auto stmt,
                        prepare("INSERT INTO invitations (org_id, client_id, created_by, "
                                "token_hash, created_at, expires_at, used_at, role, display_name, "
                                "trainee) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"));
    stmt->bind(1, i.org).bind(2, i.client).bind(3, i.created_by).bind(4, i.token_hash);
    stmt->bind(5, i.created_at).bind(6, i.expires_at).bind(7, i.used_at);
    stmt->bind(8, core::to_string(i.role)).bind(9, name).bind(10, i.trainee);
    std::vector<Parent> parents{organisation_row(i.org), user_row(i.org, i.created_by)};
    if (i.client) parents.push_back(client_row(i.org, *i.client));
    return insert(stmt, parents);
  }

  Result<core::Invitation> find_invitation_by_hash(std::string_view token_hash) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kInvitationColumns,
                                                       "FROM invitations WHERE token_hash = ?1")));
    stmt->bind(1, token_hash);
    return one<core::Invitation>(stmt, "invitation",
                                 [this](const Statement& s) { return read_invitation(s); });
  }

  Result<std::vector<core::Invitation>> list_invitations(Id org, std::optional<Id> created_by,
                                                         const core::Page& page) override {
    SQ_RETURN_IF_ERROR(check_page(page));
    // ?2 IS NULL: every creator's; one statement, so one query plan to cache.
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(select_from(kInvitationColumns,
                                                       "FROM invitations WHERE org_id = ?1 "
                                                       "AND (?2 IS NULL OR created_by = ?2) "
                                                       "AND id > ?3 ORDER BY id LIMIT ?4")));
    stmt->bind(1, org).bind(2, created_by).bind(3, page.after).bind(4, page.limit);
    return all<core::Invitation>(stmt, [this](const Statement& s) { return read_invitation(s); });
  }

  Status mark_invitation_used(Id org, Id invitation, core::Timestamp at) override {
    // One conditional UPDATE: the transaction holds SQLite's write lock, so no other
    // acceptance can slip in between the check and the write.
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("UPDATE invitations SET used_at = ?3 WHERE org_id = ?1 "
                                           "AND id = ?2 AND used_at IS NULL"));
    stmt->bind(1, org).bind(2, invitation).bind(3, at);
    SQ_RETURN_IF_ERROR(execute(stmt, {}));
    if (connection()->changes() == 1) return Status::ok();
    SQ_ASSIGN_OR_RETURN(auto exists,
                        prepare("SELECT 1 FROM invitations WHERE org_id = ?1 AND id = ?2"));
    exists->bind(1, org).bind(2, invitation);
    SQ_ASSIGN_OR_RETURN(bool found, exists->step());
    if (!found) return Status::not_found("invitation not found");
    return Status::failed_precondition("this invitation has already been used");
  }

  Status record_login_failure(std::string_view key, core::Timestamp at) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("INSERT INTO login_failures (key, at) VALUES (?1, ?2)"));
    stmt->bind(1, key).bind(2, at);
    return execute(stmt, {});
  }

  Result<std::int64_t> count_login_failures(std::string_view key, core::Timestamp since) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("SELECT count(*) FROM login_failures "
                                           "WHERE key = ?1 AND at >= ?2"));
    stmt->bind(1, key).bind(2, since);
    return one<std::int64_t>(stmt, "login failures",
                             [](const Statement& s) { return Result<std::int64_t>(s.int64(0)); });
  }

  Result<std::int64_t> prune_login_failures(core::Timestamp before) override {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare("DELETE FROM login_failures WHERE at < ?1"));
    stmt->bind(1, before);
    SQ_RETURN_IF_ERROR(execute(stmt, {}));
    return static_cast<std::int64_t>(connection()->changes());
  }

 private:
  [[nodiscard]] bool active() const {
    return read_only_ ? guard_ && guard_->active() : member_.active();
  }
  [[nodiscard]] Connection* connection() const {
    return read_only_ ? lease_.get() : member_.connection();
  }

  Result<StatementRef> prepare(const std::string& sql) {
    if (!active()) return core::fail(ended());
    SQ_ASSIGN_OR_RETURN(auto stmt, connection()->prepare(sql));
    if (read_only_ && sqlite3_stmt_readonly(stmt->handle()) == 0) {
      return core::fail(Status::failed_precondition(
          "this transaction was begun for reading and cannot write (use begin())"));
    }
    return stmt;
  }

  // A reading transaction's audit entries, once its snapshot has ended (its connection is
  // back in the pool: writers take the slot, then a connection, and a reader holding one
  // while it waited for the slot could leave them none): written as a member of the write
  // group, so they are durable when this returns ok, and the read is not answered otherwise.
  Status write_pending_audit() {
    SQ_ASSIGN_OR_RETURN(member_, GroupMember::join(shared_));
    read_only_ = false;
    for (const core::AuditEntry& entry : std::exchange(pending_audit_, {})) {
      auto id = append_audit(entry);
      if (!id) {
        member_.rollback();
        return id.error();
      }
    }
    return member_.commit();
  }

  Result<std::string> seal(std::string_view plaintext) const {
    return shared_->cipher->seal(plaintext);
  }
  Result<std::string> open(std::string_view sealed) const { return shared_->cipher->open(sealed); }
  // The free text of an episode's rows: left sealed (empty) while episode_records() reads
  // with SealedText::kLeaveSealed.
  Result<std::string> open_episode_text(std::string_view sealed) const {
    if (leave_sealed_) return std::string();
    return open(sealed);
  }
  // An empty optional field (a client invitation's display_name) stays empty: never sealed.
  Result<std::string> seal_unless_empty(std::string_view plaintext) const {
    if (plaintext.empty()) return std::string();
    return seal(plaintext);
  }
  Result<std::string> open_unless_empty(std::string_view sealed) const {
    if (sealed.empty()) return std::string();
    return open(sealed);
  }

  Result<core::Invitation> read_invitation(const Statement& s) const {
    core::Invitation i;
    i.id = s.int64(0);
    i.org = s.int64(1);
    i.client = s.opt_int64(2);
    i.created_by = s.int64(3);
    i.token_hash = s.str(4);
    i.created_at = s.int64(5);
    i.expires_at = s.int64(6);
    i.used_at = s.opt_int64(7);
    SQ_ASSIGN_OR_RETURN(i.role, parse_column(s, 8, "invitations.role", core::parse_role));
    SQ_ASSIGN_OR_RETURN(i.display_name, open_unless_empty(s.text(9)));
    i.trainee = s.boolean(10);
    return i;
  }

  // NotFound naming `parent` when it is not a row of its organisation.
  Status require(const Parent& parent) {
    SQ_ASSIGN_OR_RETURN(auto stmt, prepare(parent.sql));
    for (int i = 0; i < parent.count; ++i)
      stmt->bind(i + 1, parent.ids[static_cast<std::size_t>(i)]);
    SQ_ASSIGN_OR_RETURN(bool found, stmt->step());
    if (!found) return Status::not_found(fmt::format("{} not found", parent.what));
    return Status::ok();
  }

  // A foreign-key failure says only that some referenced row is missing: name which.
  Status explain(Status status, const std::vector<Parent>& parents) {
    if (status.code() != core::StatusCode::kNotFound) return status;
    for (const Parent& parent : parents) {
      Status missing = require(parent);
      if (!missing.is_ok()) return missing;
    }
    return status;
  }

  Status execute(StatementRef& stmt, const std::vector<Parent>& parents) {
    Status status = stmt->run();
    if (!status.is_ok()) return explain(std::move(status), parents);
    return Status::ok();
  }

  Result<Id> insert(StatementRef& stmt, const std::vector<Parent>& parents) {
    SQ_RETURN_IF_ERROR(execute(stmt, parents));
    return connection()->last_insert_id();
  }

  // An UPDATE or DELETE of exactly one row: NotFound when nothing matched.
  Status update(StatementRef& stmt, std::string_view what, const std::vector<Parent>& parents) {
    SQ_RETURN_IF_ERROR(execute(stmt, parents));
    if (connection()->changes() == 0) return Status::not_found(fmt::format("{} not found", what));
    return Status::ok();
  }

  template <class Row, class Read>
  Result<Row> one(StatementRef& stmt, std::string_view what, Read read) {
    SQ_ASSIGN_OR_RETURN(bool found, stmt->step());
    if (!found) return core::fail(Status::not_found(fmt::format("{} not found", what)));
    return read(*stmt);
  }

  template <class Row, class Read>
  Result<std::vector<Row>> all(StatementRef& stmt, Read read) {
    std::vector<Row> rows;
    while (true) {
      SQ_ASSIGN_OR_RETURN(bool more, stmt->step());
      if (!more) return rows;
      SQ_ASSIGN_OR_RETURN(Row row, read(*stmt));
      rows.push_back(std::move(row));
    }
  }

  Result<std::vector<Id>> ids(StatementRef& stmt) {
    return all<Id>(stmt, [](const Statement& s) { return Result<Id>(s.int64(0)); });
  }

  Result<core::User> read_user(const Statement& s) const {
    core::User u;
    u.id = s.int64(0);
    u.org = s.int64(1);
    u.email = s.str(2);
    SQ_ASSIGN_OR_RETURN(u.display_name, open(s.text(3)));
    SQ_ASSIGN_OR_RETURN(u.role, parse_column(s, 4, "users.role", core::parse_role));
    u.trainee = s.boolean(5);
    u.password_hash = s.str(6);
    u.client_id = s.opt_int64(7);
    u.active = s.boolean(8);
    u.created_at = s.int64(9);
    return u;
  }

  Result<core::Client> read_client(const Statement& s) const {
    core::Client c;
    c.id = s.int64(0);
    c.org = s.int64(1);
    SQ_ASSIGN_OR_RETURN(c.display_name, open(s.text(2)));
    c.birth_date = s.opt_int32(3);
    c.consent.care = s.boolean(4);
    c.consent.research = s.boolean(5);
    c.created_at = s.int64(6);
    return c;
  }

  static Result<core::EpisodeRecord> read_episode(const Statement& s) {
    core::EpisodeRecord e;
    e.id = s.int64(0);
    e.org = s.int64(1);
    e.client = s.int64(2);
    e.therapist = s.int64(3);
    e.instrument = s.str(4);
    e.opened = s.int32(5);
    e.closed = s.opt_int32(6);
    if (!s.is_null(7)) {
      SQ_ASSIGN_OR_RETURN(e.close_reason,
                          parse_column(s, 7, "episodes.close_reason", core::parse_close_reason));
    }
    e.created_at = s.int64(8);
    return e;
  }

  Result<core::SessionRecord> read_session(const Statement& s) const {
    core::SessionRecord r;
    r.id = s.int64(0);
    r.org = s.int64(1);
    r.episode = s.int64(2);
    r.number = s.int32(3);
    r.date = s.int32(4);
    SQ_ASSIGN_OR_RETURN(r.attendance,
                        parse_column(s, 5, "sessions.attendance", core::parse_attendance));
    r.felt_hard_client = s.boolean(6);
    r.felt_hard_therapist = s.boolean(7);
    SQ_ASSIGN_OR_RETURN(r.therapist_notes, open_episode_text(s.text(8)));
    r.created_at = s.int64(9);
    return r;
  }

  Result<core::ProgressDefinition> read_definition(const Statement& s) const {
    core::ProgressDefinition d;
    d.org = s.int64(0);
    d.episode = s.int64(1);
    d.version = s.int32(2);
    SQ_ASSIGN_OR_RETURN(d.hopes, open_episode_text(s.text(3)));
    SQ_ASSIGN_OR_RETURN(d.better_looks_like, open_episode_text(s.text(4)));
    SQ_ASSIGN_OR_RETURN(d.small_shifts, open_episode_text(s.text(5)));
    SQ_ASSIGN_OR_RETURN(d.change_note, open_episode_text(s.text(6)));
    d.changed_by = s.int64(7);
    d.changed_at = s.int64(8);
    d.client_agreed_at = s.opt_int64(9);
    d.therapist_agreed_at = s.opt_int64(10);
    d.revised_at_session = s.opt_int32(11);
    return d;
  }

  Result<core::GoalDefinition> read_goal(const Statement& s) const {
    core::GoalDefinition g;
    g.key = s.str(1);
    SQ_ASSIGN_OR_RETURN(g.text, open_episode_text(s.text(2)));
    SQ_ASSIGN_OR_RETURN(g.scale,
                        parse_column(s, 3, "definition_goals.scale", core::parse_goal_scale));
    for (std::size_t level = 0; level < g.gas_levels.size(); ++level) {
      SQ_ASSIGN_OR_RETURN(g.gas_levels[level],
                          open_episode_text(s.text(4 + static_cast<int>(level))));
    }
    g.weight = s.real(9);
    return g;
  }

  Status insert_goal(const core::ProgressDefinition& d, int version, int position) {
    const core::GoalDefinition& goal = d.goals[static_cast<std::size_t>(position)];
    SQ_ASSIGN_OR_RETURN(std::string text, seal(goal.text));
    std::array<std::string, 5> levels;
    for (std::size_t level = 0; level < levels.size(); ++level) {
      SQ_ASSIGN_OR_RETURN(levels[level], seal(goal.gas_levels[level]));
    }
    SQ_ASSIGN_OR_RETURN(
        auto stmt,
        prepare("INSERT INTO definition_goals (org_id, episode_id, version, position, goal_key, "
                "text, scale, gas_minus2, gas_minus1, gas_zero, gas_plus1, gas_plus2, weight) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    stmt->bind(1, d.org).bind(2, d.episode).bind(3, version).bind(4, position).bind(5, goal.key);
    stmt->bind(6, text).bind(7, core::to_string(goal.scale));
    for (std::size_t level = 0; level < levels.size(); ++level) {
      stmt->bind(8 + static_cast<int>(level), levels[level]);
    }
    stmt->bind(13, goal.weight);
    return execute(stmt, {});
  }

  Result<core::Reflection> read_reflection(const Statement& s) const {
    core::Reflection r;
    r.id = s.int64(0);
    r.org = s.int64(1);
    r.author = s.int64(2);
    r.episode = s.opt_int64(3);
    SQ_ASSIGN_OR_RETURN(r.tried_to_fix, open(s.text(4)));
    SQ_ASSIGN_OR_RETURN(r.sat_with, open(s.text(5)));
    r.at = s.int64(6);
    return r;
  }

  // Destroyed in reverse order: a reader's guard rolls back before its connection goes back
  // to the pool; a writer's membership rolls back its savepoint and hands the slot on.
  std::shared_ptr<SqliteStore::Shared> shared_;
  GroupMember member_;
  Lease lease_;
  std::optional<sqlite::TransactionGuard> guard_;
  bool read_only_ = false;
  bool leave_sealed_ = false;                    // see open_episode_text()
  std::vector<core::AuditEntry> pending_audit_;  // a reading transaction's, until commit()
};

// The encrypted columns, by table (docs/storage.md lists the same).
struct SealedTable {
  const char* table;
  std::vector<const char*> columns;
};

const std::vector<SealedTable>& sealed_tables() {
  static const std::vector<SealedTable> tables = {
      {"users", {"display_name"}},
      {"clients", {"display_name"}},
      {"sessions", {"therapist_notes"}},
      {"definitions", {"hopes", "better_looks_like", "small_shifts", "change_note"}},
      {"definition_goals",
       {"text", "gas_minus2", "gas_minus1", "gas_zero", "gas_plus1", "gas_plus2"}},
      {"moments", {"text"}},
      {"reflections", {"tried_to_fix", "sat_with"}},
      {"reflection_comments", {"text"}},
      {"invitations", {"display_name"}},
  };
  return tables;
}

Result<std::int64_t> reseal_table(Connection& connection, const core::FieldCipher& cipher,
                                  const SealedTable& spec) {
  std::string columns;
  std::string assignments;
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    columns += fmt::format(", {}", spec.columns[i]);
    assignments += fmt::format("{}{} = ?{}", i == 0 ? "" : ", ", spec.columns[i], i + 2);
  }
  const std::string select = fmt::format(
      "SELECT rowid{} FROM {} WHERE rowid > ?1 ORDER BY rowid LIMIT 512", columns, spec.table);
  const std::string update =
      fmt::format("UPDATE {} SET {} WHERE rowid = ?1", spec.table, assignments);

  std::int64_t rewritten = 0;
  std::int64_t after = 0;
  while (true) {
    // Read a batch, then rewrite it: never update a table while stepping through it.
    std::vector<std::pair<std::int64_t, std::vector<std::string>>> batch;
    {
      SQ_ASSIGN_OR_RETURN(auto stmt, connection.prepare(select));
      stmt->bind(1, after);
      while (true) {
        SQ_ASSIGN_OR_RETURN(bool row, stmt->step());
        if (!row) break;
        std::vector<std::string> fields;
        for (std::size_t i = 0; i < spec.columns.size(); ++i) {
          const std::string_view text = stmt->text(static_cast<int>(i) + 1);
          if (text.empty()) {  // an absent optional field is stored empty, never sealed
            fields.emplace_back();
            continue;
          }
          SQ_ASSIGN_OR_RETURN(std::string plain, cipher.open(text));
          SQ_ASSIGN_OR_RETURN(std::string sealed, cipher.seal(plain));
          fields.push_back(std::move(sealed));
        }
        batch.emplace_back(stmt->int64(0), std::move(fields));
      }
    }
    if (batch.empty()) return rewritten;
    for (const auto& [rowid, fields] : batch) {
      SQ_ASSIGN_OR_RETURN(auto stmt, connection.prepare(update));
      stmt->bind(1, rowid);
      for (std::size_t i = 0; i < fields.size(); ++i)
        stmt->bind(static_cast<int>(i) + 2, fields[i]);
      SQ_RETURN_IF_ERROR(stmt->run());
      rewritten += std::count_if(fields.begin(), fields.end(),
                                 [](const std::string& f) { return !f.empty(); });
    }
    after = batch.back().first;
  }
}

}  // namespace

Lease& Lease::operator=(Lease&& other) noexcept {
  if (this != &other) {
    release();
    shared_ = std::move(other.shared_);
    connection_ = std::move(other.connection_);
  }
  return *this;
}

core::Result<Lease> Lease::acquire(const std::shared_ptr<SqliteStore::Shared>& shared) {
  {
    std::unique_lock lock(shared->mutex);
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::milliseconds(shared->connection_options.busy_timeout_ms);
    if (shared->idle.empty() && shared->open_connections >= shared->pool_size) {
      ++shared->lease_waits;
    }
    while (shared->idle.empty() && shared->open_connections >= shared->pool_size) {
      if (shared->returned.wait_until(lock, deadline) == std::cv_status::timeout &&
          shared->idle.empty() && shared->open_connections >= shared->pool_size) {
        return core::fail(Status::unavailable("every database connection is in use; try again"));
      }
    }
    if (!shared->idle.empty()) {
      auto connection = std::move(shared->idle.back());
      shared->idle.pop_back();
      return Lease(shared, std::move(connection));
    }
    ++shared->open_connections;  // reserve the slot, open outside the lock
  }
  auto connection = Connection::open(shared->path, shared->connection_options);
  if (!connection) {
    std::lock_guard lock(shared->mutex);
    --shared->open_connections;
    shared->returned.notify_one();
    return core::fail(connection.error());
  }
  return Lease(shared, std::move(*connection));
}

void Lease::release() {
  if (!connection_) return;
  auto connection = std::move(connection_);
  if (connection->in_transaction()) (void)connection->exec("ROLLBACK");
  std::lock_guard lock(shared_->mutex);
  if (connection->in_transaction()) {
    --shared_->open_connections;  // unusable: close it rather than hand it on
    connection.reset();
  } else {
    shared_->idle.push_back(std::move(connection));
  }
  shared_->returned.notify_one();
  shared_.reset();
}

core::Result<WriterSlot> WriterSlot::acquire(SqliteStore::Shared& shared) {
  std::unique_lock lock(shared.writer_mutex);
  const std::uint64_t ticket = shared.next_writer_ticket++;
  shared.writer_queue.push_back(ticket);
  auto my_turn = [&] { return !shared.writing && shared.writer_queue.front() == ticket; };
  if (!my_turn()) ++shared.writer_waits;
  if (!shared.writer_free.wait_for(
          lock, std::chrono::milliseconds(shared.connection_options.busy_timeout_ms), my_turn)) {
    std::erase(shared.writer_queue, ticket);
    if (!shared.writing && shared.writer_queue.empty() && shared.group) {
      // The last writer handed on an open group expecting this one: close it instead.
      shared.writing = true;
      lock.unlock();
      close_group(shared);
      lock.lock();
      shared.writing = false;
    }
    shared.writer_free.notify_all();  // the next in line may be first now
    return core::fail(Status::unavailable("the database is busy with another write; try again"));
  }
  shared.writer_queue.pop_front();
  shared.writing = true;
  return WriterSlot(&shared);
}

void WriterSlot::release() {
  if (shared_ == nullptr) return;
  SqliteStore::Shared* shared = std::exchange(shared_, nullptr);
  {
    std::lock_guard lock(shared->writer_mutex);
    shared->writing = false;
  }
  shared->writer_free.notify_all();
}

GroupMember::GroupMember(GroupMember&& other) noexcept
    : shared_(std::move(other.shared_)),
      slot_(std::move(other.slot_)),
      in_savepoint_(std::exchange(other.in_savepoint_, false)) {}

GroupMember& GroupMember::operator=(GroupMember&& other) noexcept {
  if (this != &other) {
    rollback();
    shared_ = std::move(other.shared_);
    slot_ = std::move(other.slot_);
    in_savepoint_ = std::exchange(other.in_savepoint_, false);
  }
  return *this;
}

Connection* GroupMember::connection() const {
  return shared_ && shared_->group ? shared_->group->lease.get() : nullptr;
}

core::Result<GroupMember> GroupMember::join(const std::shared_ptr<SqliteStore::Shared>& shared) {
  SQ_ASSIGN_OR_RETURN(WriterSlot slot, WriterSlot::acquire(*shared));
  GroupMember member(shared, std::move(slot));
  if (!shared->group) {
    SQ_ASSIGN_OR_RETURN(Lease lease, Lease::acquire(shared));
    // Waits up to the busy timeout for writers of other processes.
    SQ_RETURN_IF_ERROR(lease.get()->exec("BEGIN IMMEDIATE"));
    shared->group = std::make_unique<WriteGroup>();
    shared->group->lease = std::move(lease);
  }
  SQ_RETURN_IF_ERROR(member.connection()->exec("SAVEPOINT member"));
  member.in_savepoint_ = true;
  return member;
}

Status GroupMember::commit() {
  if (!shared_) return ended();
  Connection* connection = this->connection();
  if (!connection->in_transaction()) {
    // SQLite rolled the whole group back after an error (I/O, disk full): nothing is saved.
    rollback();
    return Status::unavailable(
        "the transaction was rolled back after an earlier error; nothing was saved");
  }
  if (Status released = connection->exec("RELEASE member"); !released.is_ok()) {
    rollback();
    return released;
  }
  in_savepoint_ = false;
  WriteGroup& group = *shared_->group;
  ++group.members;
  const std::shared_ptr<GroupOutcome> outcome = group.outcome;
  hand_on();
  const std::shared_ptr<SqliteStore::Shared> shared = std::exchange(shared_, nullptr);
  std::unique_lock lock(shared->writer_mutex);
  shared->group_committed.wait(lock, [&] { return outcome->done; });
  return outcome->status;
}

void GroupMember::rollback() {
  if (!shared_) return;
  if (in_savepoint_) {
    in_savepoint_ = false;
    Connection* connection = this->connection();
    if (connection->in_transaction()) {
      (void)connection->exec("ROLLBACK TO member");
      (void)connection->exec("RELEASE member");
    }
  }
  hand_on();
  shared_.reset();
}

void GroupMember::hand_on() {
  bool others_waiting = false;
  {
    std::lock_guard lock(shared_->writer_mutex);
    others_waiting = !shared_->writer_queue.empty();
  }
  const WriteGroup* group = shared_->group.get();
  const bool lost = group && !group->lease.get()->in_transaction();
  if (group && (lost || !others_waiting || group->members >= WriteGroup::kMaxGroupMembers)) {
    close_group(*shared_);
  }
  slot_.release();
}

void close_group(SqliteStore::Shared& shared) {
  if (!shared.group) return;
  const std::unique_ptr<WriteGroup> group = std::move(shared.group);
  Connection& connection = *group->lease.get();
  Status status;
  if (!connection.in_transaction()) {
    status = Status::unavailable(
        "the transaction was rolled back after an earlier error; nothing was saved");
  } else if (group->members == 0) {
    (void)connection.exec("ROLLBACK");
  } else {
    status = connection.exec("COMMIT");
    if (!status.is_ok() && connection.in_transaction()) (void)connection.exec("ROLLBACK");
  }
  group->lease.release();
  {
    std::lock_guard lock(shared.writer_mutex);
    if (status.is_ok() && group->members > 0) {
      ++shared.commit_stats.commits;
      shared.commit_stats.transactions += group->members;
    }
    group->outcome->status = std::move(status);
    group->outcome->done = true;
  }
  shared.group_committed.notify_all();
}

core::Result<std::unique_ptr<core::Transaction>> begin_transaction(
    const std::shared_ptr<SqliteStore::Shared>& shared, bool read_only) {
  if (!read_only) {
    SQ_ASSIGN_OR_RETURN(GroupMember member, GroupMember::join(shared));
    return std::unique_ptr<core::Transaction>(
        std::make_unique<SqliteTransaction>(shared, std::move(member)));
  }
  SQ_ASSIGN_OR_RETURN(Lease lease, Lease::acquire(shared));
  auto transaction = std::make_unique<SqliteTransaction>(shared, std::move(lease));
  SQ_RETURN_IF_ERROR(transaction->start());
  return std::unique_ptr<core::Transaction>(std::move(transaction));
}

core::Result<std::int64_t> reseal_fields(Connection& connection, const core::FieldCipher& cipher) {
  std::int64_t total = 0;
  for (const SealedTable& spec : sealed_tables()) {
    SQ_ASSIGN_OR_RETURN(std::int64_t rewritten, reseal_table(connection, cipher, spec));
    total += rewritten;
  }
  return total;
}

}  // namespace tandem::store
