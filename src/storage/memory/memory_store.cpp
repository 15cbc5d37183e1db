#include "storage/memory/memory_store.hpp"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace tandem::store {

using core::Id;
using core::Result;
using core::Status;

namespace {

template <class K, class V>
using Rows = std::map<K, V>;
// A transaction's pending changes: a value replaces the row, nullopt deletes it.
template <class K, class V>
using Changes = std::map<K, std::optional<V>>;

using AssignmentKey = std::tuple<Id, Id, Id>;      // org, client, therapist
using SupervisionKey = std::tuple<Id, Id, Id>;     // org, supervisor, therapist
using InstrumentKey = std::pair<Id, std::string>;  // org, instrument id
using DefinitionKey = std::tuple<Id, Id, int>;     // org, episode, version

struct LoginFailure {
  std::string key;
  core::Timestamp at = 0;
};

// Every table of the record, either as committed rows (Rows) or as a transaction's overlay
// (Changes). Keys mirror the SQL primary keys.
template <template <class, class> class M>
struct Tables {
  M<Id, core::Organisation> organisations;
  M<Id, core::User> users;
  M<Id, core::Client> clients;
  M<AssignmentKey, core::Assignment> assignments;
  M<SupervisionKey, core::SupervisionLink> supervision;
  M<Id, core::EpisodeRecord> episodes;
  M<Id, core::SessionRecord> sessions;
  M<InstrumentKey, core::InstrumentRecord> instruments;
  M<Id, core::Administration> administrations;
  M<DefinitionKey, core::ProgressDefinition> definitions;
  M<Id, core::GoalRatingRecord> goal_ratings;
  M<Id, core::AllianceRating> alliance;
  M<Id, core::MomentRecord> moments;
  M<Id, core::Reflection> reflections;
  M<Id, core::ReflectionComment> comments;
  M<Id, core::AuditEntry> audit;
  M<Id, core::LoginSession> login_sessions;
  M<Id, core::Invitation> invitations;
  M<Id, LoginFailure> login_failures;
};

// Calls f(committed table, overlay table) for every table.
template <class F>
void for_each_table(Tables<Rows>& rows, Tables<Changes>& changes, F&& f) {
  f(rows.organisations, changes.organisations);
  f(rows.users, changes.users);
  f(rows.clients, changes.clients);
  f(rows.assignments, changes.assignments);
  f(rows.supervision, changes.supervision);
  f(rows.episodes, changes.episodes);
  f(rows.sessions, changes.sessions);
  f(rows.instruments, changes.instruments);
  f(rows.administrations, changes.administrations);
  f(rows.definitions, changes.definitions);
  f(rows.goal_ratings, changes.goal_ratings);
  f(rows.alliance, changes.alliance);
  f(rows.moments, changes.moments);
  f(rows.reflections, changes.reflections);
  f(rows.comments, changes.comments);
  f(rows.audit, changes.audit);
  f(rows.login_sessions, changes.login_sessions);
  f(rows.invitations, changes.invitations);
  f(rows.login_failures, changes.login_failures);
}

// A table as one transaction sees it: its own changes over the committed rows.
template <class K, class V>
class View {
 public:
  View(const Rows<K, V>& rows, Changes<K, V>& changes) : rows_(rows), changes_(changes) {}

  [[nodiscard]] const V* find(const K& key) const {
    if (auto c = changes_.find(key); c != changes_.end()) return c->second ? &*c->second : nullptr;
    auto r = rows_.find(key);
    return r == rows_.end() ? nullptr : &r->second;
  }
  void put(const K& key, V value) { changes_[key] = std::move(value); }
  void erase(const K& key) { changes_[key] = std::nullopt; }

  // Visits visible rows in key order, starting after `after` when given; stops when f
  // returns false.
  template <class F>
  void scan(F&& f, const std::optional<K>& after = std::nullopt) const {
    scan_with_keys([&](const K&, const V& row) { return f(row); }, after);
  }
  // The same, passing each row's key too: f(key, row).
  template <class F>
  void scan_with_keys(F&& f, const std::optional<K>& after = std::nullopt) const {
    auto r = after ? rows_.upper_bound(*after) : rows_.begin();
    auto c = after ? changes_.upper_bound(*after) : changes_.begin();
    while (r != rows_.end() || c != changes_.end()) {
      if (c == changes_.end() || (r != rows_.end() && r->first < c->first)) {
        if (!f(r->first, r->second)) return;
        ++r;
        continue;
      }
      if (r != rows_.end() && !(c->first < r->first)) ++r;  // overridden by the change
      if (c->second && !f(c->first, *c->second)) return;
      ++c;
    }
  }

 private:
  const Rows<K, V>& rows_;
  Changes<K, V>& changes_;
};

template <class K, class V>
View<K, V> view(const Rows<K, V>& rows, Changes<K, V>& changes) {
  return View<K, V>(rows, changes);
}

Status not_found(const std::string& what) { return Status::not_found(what + " not found"); }

Status check_page(const core::Page& page) {
  if (page.limit < 1) return Status::invalid_argument("limit: must be at least 1", "limit");
  return Status::ok();
}

// Collects rows passing `keep` from a keyset page of an id-keyed table.
template <class V, class Keep>
std::vector<V> page_of(const View<Id, V>& table, const core::Page& page, Keep&& keep) {
  std::vector<V> out;
  table.scan(
      [&](const V& row) {
        if (keep(row)) out.push_back(row);
        return static_cast<int>(out.size()) < page.limit;
      },
      std::optional<Id>(page.after));
  return out;
}

template <class V, class Keep>
std::vector<V> all_of(const View<Id, V>& table, Keep&& keep) {
  std::vector<V> out;
  table.scan([&](const V& row) {
    if (keep(row)) out.push_back(row);
    return true;
  });
  return out;
}

bool action_matches(const std::string& pattern, const std::string& action) {
  if (!pattern.empty() && pattern.back() == '.') return action.starts_with(pattern);
  return action == pattern;
}

}  // namespace

struct MemoryStore::Shared {
  explicit Shared(MemoryStoreOptions o) : options(o) {}

  MemoryStoreOptions options;
  std::shared_mutex data;  // guards rows
  Tables<Rows> rows;

  // The writer slot: held by at most one transaction from its first write to its end. A
  // condition variable rather than a mutex, so a transaction may end on another thread.
  std::mutex slot_mutex;
  std::condition_variable slot_free;
  bool writing = false;

  // Id sequences per table, advanced by the writer only; like SQL sequences they are not
  // rolled back.
  Id next_organisation = 1;
  Id next_user = 1;
  Id next_client = 1;
  Id next_episode = 1;
  Id next_session = 1;
  Id next_administration = 1;
  Id next_goal_rating = 1;
  Id next_alliance = 1;
  Id next_moment = 1;
  Id next_reflection = 1;
  Id next_comment = 1;
  Id next_audit = 1;
  Id next_login_session = 1;
  Id next_invitation = 1;
  Id next_login_failure = 1;

  bool acquire_slot() {
    std::unique_lock lock(slot_mutex);
    if (!slot_free.wait_for(lock, options.busy_timeout, [&] { return !writing; })) return false;
    writing = true;
    return true;
  }
  void release_slot() {
    {
      std::lock_guard lock(slot_mutex);
      writing = false;
    }
    slot_free.notify_one();
  }
};

namespace {

class MemoryTransaction final : public core::Transaction {
 public:
  explicit MemoryTransaction(std::shared_ptr<MemoryStore::Shared> shared)
      : shared_(std::move(shared)) {}
  ~MemoryTransaction() override {
    if (writer_) shared_->release_slot();  // uncommitted changes are simply dropped
  }
  MemoryTransaction(const MemoryTransaction&) = delete;
  MemoryTransaction& operator=(const MemoryTransaction&) = delete;

  Status commit() override {
    if (done_) return Status::failed_precondition("the transaction has already ended");
    done_ = true;
    if (!writer_) return Status::ok();
    {
      std::unique_lock lock(shared_->data);
      for_each_table(shared_->rows, changes_, [](auto& rows, auto& changes) {
        for (auto& [key, value] : changes) {
          if (value) {
            rows.insert_or_assign(key, std::move(*value));
          } else {
            rows.erase(key);
          }
        }
        changes.clear();
      });
    }
    writer_ = false;
    shared_->release_slot();
    return Status::ok();
  }

  // ---- organisations and users -------------------------------------------------------------

  Result<Id> create_organisation(const core::Organisation& organisation) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    core::Organisation row = organisation;
    row.id = shared_->next_organisation++;
    tables().organisations.put(row.id, row);
    return row.id;
  }

  Result<core::Organisation> get_organisation(Id org) override {
    auto lock = read_lock();
    if (const auto* row = tables().organisations.find(org)) return *row;
    return core::fail(not_found("organisation"));
  }

  Status update_organisation(const core::Organisation& organisation) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    auto t = tables();
    const auto* row = t.organisations.find(organisation.id);
    if (!row) return not_found("organisation");
    core::Organisation updated = *row;
    updated.name = organisation.name;
    updated.crisis_text = organisation.crisis_text;
    t.organisations.put(updated.id, updated);
    return Status::ok();
  }

  Result<Id> create_user(const core::User& user) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    auto t = tables();
    if (auto s = require_organisation(user.org); !s.is_ok()) return core::fail(s);
    if (user.client_id && !client_in(user.org, *user.client_id)) {
      return core::fail(not_found("client"));
    }
    if (email_taken(user.email)) {
      return core::fail(Status::already_exists("email: already in use", "email"));
    }
    core::User row = user;
    row.id = shared_->next_user++;
    t.users.put(row.id, row);
    return row.id;
  }

  Result<core::User> get_user(Id org, Id user) override {
    auto lock = read_lock();
    if (const auto* row = user_in(org, user)) return *row;
    return core::fail(not_found("user"));
  }

  Result<core::User> find_user_by_email(std::string_view email) override {
    auto lock = read_lock();
    std::optional<core::User> found;
    tables().users.scan([&](const core::User& row) {
      if (row.email != email) return true;
      found = row;
      return false;
    });
    if (found) return *found;
    return core::fail(not_found("user"));
  }

  Result<std::vector<core::User>> list_users(Id org, const core::Page& page) override {
    if (auto s = check_page(page); !s.is_ok()) return core::fail(s);
    auto lock = read_lock();
    return page_of(tables().users, page, [&](const core::User& u) { return u.org == org; });
  }

  Status update_user(const core::User& user) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    auto t = tables();
    const auto* row = user_in(user.org, user.id);
    if (!row) return not_found("user");
    if (user.client_id && !client_in(user.org, *user.client_id)) return not_found("client");
    core::User updated = *row;
    updated.display_name = user.display_name;
    updated.role = user.role;
    updated.trainee = user.trainee;
    updated.password_hash = user.password_hash;
    updated.client_id = user.client_id;
    updated.active = user.active;
    t.users.put(updated.id, updated);
    return Status::ok();
  }

  Result<std::int64_t> count_users(Id org) override {
    auto lock = read_lock();
    std::int64_t n = 0;
    tables().users.scan([&](const core::User& u) {
      if (u.org == org) ++n;
      return true;
    });
    return n;
  }

  // ---- clients, assignments, supervision ---------------------------------------------------

  Result<Id> create_client(const core::Client& client) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    if (auto s = require_organisation(client.org); !s.is_ok()) return core::fail(s);
    core::Client row = client;
    row.id = shared_->next_client++;
    tables().clients.put(row.id, row);
    return row.id;
  }

  Result<core::Client> get_client(Id org, Id client) override {
    auto lock = read_lock();
    if (const auto* row = client_in(org, client)) return *row;
    return core::fail(not_found("client"));
  }

  Status update_client(const core::Client& client) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    const auto* row = client_in(client.org, client.id);
    if (!row) return not_found("client");
    core::Client updated = *row;
    updated.display_name = client.display_name;
    updated.birth_date = client.birth_date;
    updated.consent = client.consent;
    tables().clients.put(updated.id, updated);
    return Status::ok();
  }

  Result<std::vector<core::Client>> list_clients(Id org, const core::Page& page) override {
    if (auto s = check_page(page); !s.is_ok()) return core::fail(s);
    auto lock = read_lock();
    return page_of(tables().clients, page, [&](const core::Client& c) { return c.org == org; });
  }

  Status assign(const core::Assignment& assignment) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    if (!client_in(assignment.org, assignment.client)) return not_found("client");
    if (!user_in(assignment.org, assignment.therapist)) return not_found("therapist");
    auto t = tables();
    const AssignmentKey key{assignment.org, assignment.client, assignment.therapist};
    if (!t.assignments.find(key)) t.assignments.put(key, assignment);
    return Status::ok();
  }

  Status unassign(Id org, Id client, Id therapist) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    auto t = tables();
    const AssignmentKey key{org, client, therapist};
    if (!t.assignments.find(key)) return not_found("assignment");
    t.assignments.erase(key);
    return Status::ok();
  }

  Result<std::vector<Id>> therapists_of(Id org, Id client) override {
    auto lock = read_lock();
    if (!client_in(org, client)) return core::fail(not_found("client"));
    std::vector<Id> out;
    tables().assignments.scan([&](const core::Assignment& a) {
      if (a.org == org && a.client == client) out.push_back(a.therapist);
      return true;
    });
    return out;  // the key orders them by therapist id
  }

  Result<std::vector<core::Client>> clients_of(Id org, Id therapist,
                                               const core::Page& page) override {
    if (auto s = check_page(page); !s.is_ok()) return core::fail(s);
    auto lock = read_lock();
    if (!user_in(org, therapist)) return core::fail(not_found("therapist"));
    auto t = tables();
    std::vector<Id> ids;
    t.assignments.scan([&](const core::Assignment& a) {
      if (a.org == org && a.therapist == therapist && a.client > page.after) {
        ids.push_back(a.client);
      }
      return true;
    });
    std::sort(ids.begin(), ids.end());
    std::vector<core::Client> out;
    for (Id id : ids) {
      if (static_cast<int>(out.size()) >= page.limit) break;
      if (const auto* c = t.clients.find(id)) out.push_back(*c);
    }
    return out;
  }

  Status link_supervision(const core::SupervisionLink& link) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    if (!user_in(link.org, link.supervisor)) return not_found("supervisor");
    if (!user_in(link.org, link.therapist)) return not_found("therapist");
    auto t = tables();
    const SupervisionKey key{link.org, link.supervisor, link.therapist};
    if (!t.supervision.find(key)) t.supervision.put(key, link);
    return Status::ok();
  }

  Result<std::vector<Id>> supervisees_of(Id org, Id supervisor) override {
    auto lock = read_lock();
    if (!user_in(org, supervisor)) return core::fail(not_found("supervisor"));
    std::vector<Id> out;
    tables().supervision.scan([&](const core::SupervisionLink& l) {
      if (l.org == org && l.supervisor == supervisor) out.push_back(l.therapist);
      return true;
    });
    return out;
  }

  Result<std::vector<Id>> supervisors_of(Id org, Id therapist) override {
    auto lock = read_lock();
    if (!user_in(org, therapist)) return core::fail(not_found("therapist"));
    std::vector<Id> out;
    tables().supervision.scan([&](const core::SupervisionLink& l) {
      if (l.org == org && l.therapist == therapist) out.push_back(l.supervisor);
      return true;
    });
    std::sort(out.begin(), out.end());
    return out;
  }

  // ---- episodes and sessions ---------------------------------------------------------------

  Result<Id> create_episode(const core::EpisodeRecord& episode) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    if (!client_in(episode.org, episode.client)) return core::fail(not_found("client"));
    if (!user_in(episode.org, episode.therapist)) return core::fail(not_found("therapist"));
    core::EpisodeRecord row = episode;
    row.id = shared_->next_episode++;
    tables().episodes.put(row.id, row);
    return row.id;
  }

  Result<core::EpisodeRecord> get_episode(Id org, Id episode) override {
    auto lock = read_lock();
    if (const auto* row = episode_in(org, episode)) return *row;
    return core::fail(not_found("episode"));
  }

  Result<std::vector<core::EpisodeRecord>> episodes_of_client(Id org, Id client) override {
    auto lock = read_lock();
    if (!client_in(org, client)) return core::fail(not_found("client"));
    return all_of(tables().episodes,
                  [&](const core::EpisodeRecord& e) { return e.org == org && e.client == client; });
  }

  Status close_episode(Id org, Id episode, core::Date closed, core::CloseReason reason) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    const auto* row = episode_in(org, episode);
    if (!row) return not_found("episode");
    if (row->closed) return Status::failed_precondition("the episode is already closed");
    core::EpisodeRecord updated = *row;
    updated.closed = closed;
    updated.close_reason = reason;
    tables().episodes.put(updated.id, updated);
    return Status::ok();
  }

  Result<Id> create_session(const core::SessionRecord& session) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    if (session.number < 1) {
      return core::fail(Status::invalid_argument("number: must be 1 or more", "number"));
    }
    if (!episode_in(session.org, session.episode)) return core::fail(not_found("episode"));
    if (session_number_taken(session.org, session.episode, session.number, 0)) {
      return core::fail(Status::already_exists(
          "number: session " + std::to_string(session.number) + " is already recorded", "number"));
    }
    core::SessionRecord row = session;
    row.id = shared_->next_session++;
    tables().sessions.put(row.id, row);
    return row.id;
  }

  Result<core::SessionRecord> get_session(Id org, Id session) override {
    auto lock = read_lock();
    if (const auto* row = session_in(org, session)) return *row;
    return core::fail(not_found("session"));
  }

  Status update_session(const core::SessionRecord& session) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    const auto* row = session_in(session.org, session.id);
    if (!row) return not_found("session");
    if (session.number < 1) return Status::invalid_argument("number: must be 1 or more", "number");
    if (session_number_taken(session.org, row->episode, session.number, session.id)) {
      return Status::already_exists(
          "number: session " + std::to_string(session.number) + " is already recorded", "number");
    }
    core::SessionRecord updated = *row;
    updated.number = session.number;
    updated.date = session.date;
    updated.attendance = session.attendance;
    updated.felt_hard_client = session.felt_hard_client;
    updated.felt_hard_therapist = session.felt_hard_therapist;
    updated.therapist_notes = session.therapist_notes;
    tables().sessions.put(updated.id, updated);
    return Status::ok();
  }

  Result<std::vector<core::SessionRecord>> sessions_of(Id org, Id episode) override {
    auto lock = read_lock();
    if (!episode_in(org, episode)) return core::fail(not_found("episode"));
    auto out = all_of(tables().sessions, [&](const core::SessionRecord& s) {
      return s.org == org && s.episode == episode;
    });
    std::sort(out.begin(), out.end(),
              [](const auto& a, const auto& b) { return a.number < b.number; });
    return out;
  }

  // ---- instruments and administrations -----------------------------------------------------

  Status put_instrument(const core::InstrumentRecord& instrument) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    if (auto s = require_organisation(instrument.org); !s.is_ok()) return s;
    tables().instruments.put({instrument.org, instrument.instrument}, instrument);
    return Status::ok();
  }

  Result<std::vector<core::InstrumentRecord>> list_instruments(Id org) override {
    auto lock = read_lock();
    std::vector<core::InstrumentRecord> out;
    tables().instruments.scan([&](const core::InstrumentRecord& i) {
      if (i.org == org) out.push_back(i);
      return true;
    });
    return out;
  }

  Result<Id> add_administration(const core::Administration& administration) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    const Id org = administration.org;
    if (auto s = require_episode_session(org, administration.episode, administration.session);
        !s.is_ok()) {
      return core::fail(s);
    }
    if (!user_in(org, administration.recorded_by)) return core::fail(not_found("user"));
    core::Administration row = administration;
    row.id = shared_->next_administration++;
    tables().administrations.put(row.id, row);
    return row.id;
  }

  Result<std::vector<core::Administration>> administrations_of(Id org, Id episode) override {
    auto lock = read_lock();
    if (!episode_in(org, episode)) return core::fail(not_found("episode"));
    return all_of(tables().administrations, [&](const core::Administration& a) {
      return a.org == org && a.episode == episode;
    });
  }

  // ---- co-defined progress -----------------------------------------------------------------

  Result<int> add_definition_version(const core::ProgressDefinition& definition) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    const Id org = definition.org;
    if (!episode_in(org, definition.episode)) return core::fail(not_found("episode"));
    if (!user_in(org, definition.changed_by)) return core::fail(not_found("user"));
    auto t = tables();
    int last = 0;
    t.definitions.scan([&](const core::ProgressDefinition& d) {
      if (d.org == org && d.episode == definition.episode) last = std::max(last, d.version);
      return true;
    });
    core::ProgressDefinition row = definition;
    row.version = last + 1;
    t.definitions.put({org, row.episode, row.version}, row);
    return row.version;
  }

  Result<std::vector<core::ProgressDefinition>> definition_versions(Id org, Id episode) override {
    auto lock = read_lock();
    if (!episode_in(org, episode)) return core::fail(not_found("episode"));
    std::vector<core::ProgressDefinition> out;
    tables().definitions.scan([&](const core::ProgressDefinition& d) {
      if (d.org == org && d.episode == episode) out.push_back(d);
      return true;
    });
    return out;  // the key orders them by version
  }

  Status record_agreement(Id org, Id episode, int version, core::Rater rater,
                          core::Timestamp at) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    auto t = tables();
    const DefinitionKey key{org, episode, version};
    const auto* row = t.definitions.find(key);
    if (!row) return not_found("definition version");
    core::ProgressDefinition updated = *row;
    (rater == core::Rater::kClient ? updated.client_agreed_at : updated.therapist_agreed_at) = at;
    t.definitions.put(key, updated);
    return Status::ok();
  }

  // ---- ratings and moments -----------------------------------------------------------------

  Result<Id> add_goal_rating(const core::GoalRatingRecord& rating) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    if (auto s = require_episode_session(rating.org, rating.episode, rating.session); !s.is_ok()) {
      return core::fail(s);
    }
    if (!user_in(rating.org, rating.recorded_by)) return core::fail(not_found("user"));
    core::GoalRatingRecord row = rating;
    row.id = shared_->next_goal_rating++;
    tables().goal_ratings.put(row.id, row);
    return row.id;
  }

  Result<std::vector<core::GoalRatingRecord>> goal_ratings_of(Id org, Id episode) override {
    auto lock = read_lock();
    if (!episode_in(org, episode)) return core::fail(not_found("episode"));
    return all_of(tables().goal_ratings, [&](const core::GoalRatingRecord& r) {
      return r.org == org && r.episode == episode;
    });
  }

  Result<Id> add_alliance(const core::AllianceRating& rating) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    if (auto s = require_episode_session(rating.org, rating.episode, rating.session); !s.is_ok()) {
      return core::fail(s);
    }
    if (!user_in(rating.org, rating.recorded_by)) return core::fail(not_found("user"));
    core::AllianceRating row = rating;
    row.id = shared_->next_alliance++;
    tables().alliance.put(row.id, row);
    return row.id;
  }

  Result<std::vector<core::AllianceRating>> alliance_of(Id org, Id episode) override {
    auto lock = read_lock();
    if (!episode_in(org, episode)) return core::fail(not_found("episode"));
    return all_of(tables().alliance, [&](const core::AllianceRating& r) {
      return r.org == org && r.episode == episode;
    });
  }

  Result<Id> add_moment(const core::MomentRecord& moment) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    if (auto s = require_episode_session(moment.org, moment.episode, moment.session); !s.is_ok()) {
      return core::fail(s);
    }
    if (!user_in(moment.org, moment.recorded_by)) return core::fail(not_found("user"));
    core::MomentRecord row = moment;
    row.id = shared_->next_moment++;
    tables().moments.put(row.id, row);
    return row.id;
  }

  Result<std::vector<core::MomentRecord>> moments_of(Id org, Id episode) override {
    auto lock = read_lock();
    if (!episode_in(org, episode)) return core::fail(not_found("episode"));
    return all_of(tables().moments, [&](const core::MomentRecord& m) {
      return m.org == org && m.episode == episode;
    });
  }

  // ---- reflections -------------------------------------------------------------------------

  Result<Id> add_reflection(const core::Reflection& reflection) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    if (!user_in(reflection.org, reflection.author)) return core::fail(not_found("user"));
    if (reflection.episode && !episode_in(reflection.org, *reflection.episode)) {
      return core::fail(not_found("episode"));
    }
    core::Reflection row = reflection;
    row.id = shared_->next_reflection++;
    tables().reflections.put(row.id, row);
    return row.id;
  }

  Result<core::Reflection> get_reflection(Id org, Id reflection) override {
    auto lock = read_lock();
    const auto* row = tables().reflections.find(reflection);
    if (row && row->org == org) return *row;
    return core::fail(not_found("reflection"));
  }

  Result<std::vector<core::Reflection>> reflections_of(Id org, Id author,
                                                       const core::Page& page) override {
    if (auto s = check_page(page); !s.is_ok()) return core::fail(s);
    auto lock = read_lock();
    if (!user_in(org, author)) return core::fail(not_found("user"));
    return page_of(tables().reflections, page,
                   [&](const core::Reflection& r) { return r.org == org && r.author == author; });
  }

  Result<Id> add_comment(const core::ReflectionComment& comment) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    auto t = tables();
    const auto* reflection = t.reflections.find(comment.reflection);
    if (!reflection || reflection->org != comment.org) return core::fail(not_found("reflection"));
    if (!user_in(comment.org, comment.author)) return core::fail(not_found("user"));
    core::ReflectionComment row = comment;
    row.id = shared_->next_comment++;
    t.comments.put(row.id, row);
    return row.id;
  }

  Result<std::vector<core::ReflectionComment>> comments_of(Id org, Id reflection) override {
    auto lock = read_lock();
    const auto* parent = tables().reflections.find(reflection);
    if (!parent || parent->org != org) return core::fail(not_found("reflection"));
    return all_of(tables().comments, [&](const core::ReflectionComment& c) {
      return c.org == org && c.reflection == reflection;
    });
  }

  // ---- audit -------------------------------------------------------------------------------

  Result<Id> append_audit(const core::AuditEntry& entry) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    if (auto s = require_organisation(entry.org); !s.is_ok()) return core::fail(s);
    core::AuditEntry row = entry;
    row.id = shared_->next_audit++;
    tables().audit.put(row.id, row);
    return row.id;
  }

  Result<std::vector<core::AuditEntry>> search_audit(Id org,
                                                     const core::AuditQuery& query) override {
    if (auto s = check_page(query.page); !s.is_ok()) return core::fail(s);
    auto lock = read_lock();
    return page_of(tables().audit, query.page, [&](const core::AuditEntry& e) {
      return e.org == org && (!query.actor || e.actor == query.actor) &&
             (!query.action || action_matches(*query.action, e.action)) &&
             (!query.record_type || e.record_type == *query.record_type) &&
             (!query.record_id || e.record_id == query.record_id) &&
             (!query.from || e.at >= *query.from) && (!query.to || e.at < *query.to);
    });
  }

  // ---- login sessions, invitations, throttling ------------------------------------------

  Result<Id> create_login_session(const core::LoginSession& session) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    auto t = tables();
    if (auto s = require_organisation(session.org); !s.is_ok()) return core::fail(s);
    if (!user_in(session.org, session.user)) return core::fail(not_found("user"));
    if (find_by_hash(t.login_sessions, session.token_hash)) {
      return core::fail(Status::already_exists("token_hash: already in use", "token_hash"));
    }
    core::LoginSession row = session;
    row.id = shared_->next_login_session++;
    t.login_sessions.put(row.id, row);
    return row.id;
  }

  Result<core::LoginSession> find_login_session_by_hash(std::string_view token_hash) override {
    auto lock = read_lock();
    if (auto found = find_by_hash(tables().login_sessions, token_hash)) return *found;
    return core::fail(not_found("login session"));
  }

  Status touch_login_session(Id org, Id session, core::Timestamp at) override {
    return change_login_session(org, session, [&](core::LoginSession& s) { s.last_seen_at = at; });
  }

  Status revoke_login_session(Id org, Id session) override {
    return change_login_session(org, session, [](core::LoginSession& s) { s.revoked = true; });
  }

  Result<std::int64_t> revoke_other_sessions(Id org, Id user, Id keep) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    auto t = tables();
    std::vector<core::LoginSession> revoke = all_of(t.login_sessions, [&](const auto& s) {
      return s.org == org && s.user == user && s.id != keep && !s.revoked;
    });
    for (core::LoginSession& s : revoke) {
      s.revoked = true;
      t.login_sessions.put(s.id, s);
    }
    return static_cast<std::int64_t>(revoke.size());
  }

  Result<Id> create_invitation(const core::Invitation& invitation) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    auto t = tables();
    if (auto s = core::validate(invitation); !s.is_ok()) return core::fail(s);
    if (auto s = require_organisation(invitation.org); !s.is_ok()) return core::fail(s);
    if (invitation.client && !client_in(invitation.org, *invitation.client)) {
      return core::fail(not_found("client"));
    }
    if (!user_in(invitation.org, invitation.created_by)) return core::fail(not_found("user"));
    if (find_by_hash(t.invitations, invitation.token_hash)) {
      return core::fail(Status::already_exists("token_hash: already in use", "token_hash"));
    }
    core::Invitation row = invitation;
    row.id = shared_->next_invitation++;
    t.invitations.put(row.id, row);
    return row.id;
  }

  Result<core::Invitation> find_invitation_by_hash(std::string_view token_hash) override {
    auto lock = read_lock();
    if (auto found = find_by_hash(tables().invitations, token_hash)) return *found;
    return core::fail(not_found("invitation"));
  }

  Result<std::vector<core::Invitation>> list_invitations(Id org, std::optional<Id> created_by,
                                                         const core::Page& page) override {
    if (auto s = check_page(page); !s.is_ok()) return core::fail(s);
    auto lock = read_lock();
    return page_of(tables().invitations, page, [&](const core::Invitation& i) {
      return i.org == org && (!created_by || i.created_by == *created_by);
    });
  }

  Status mark_invitation_used(Id org, Id invitation, core::Timestamp at) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    auto t = tables();
    const auto* row = t.invitations.find(invitation);
    if (!row || row->org != org) return not_found("invitation");
    if (row->used_at) return Status::failed_precondition("this invitation has already been used");
    core::Invitation used = *row;
    used.used_at = at;
    t.invitations.put(used.id, used);
    return Status::ok();
  }

  Status record_login_failure(std::string_view key, core::Timestamp at) override {
    if (auto s = begin_write(); !s.is_ok()) return s;
    const Id id = shared_->next_login_failure++;
    tables().login_failures.put(id, LoginFailure{std::string(key), at});
    return Status::ok();
  }

  Result<std::int64_t> count_login_failures(std::string_view key, core::Timestamp since) override {
    auto lock = read_lock();
    std::int64_t count = 0;
    tables().login_failures.scan([&](const LoginFailure& f) {
      if (f.key == key && f.at >= since) ++count;
      return true;
    });
    return count;
  }

  Result<std::int64_t> prune_login_failures(core::Timestamp before) override {
    if (auto s = begin_write(); !s.is_ok()) return core::fail(s);
    auto t = tables();
    std::vector<Id> old;
    t.login_failures.scan_with_keys([&](Id id, const LoginFailure& f) {
      if (f.at < before) old.push_back(id);
      return true;
    });
    for (Id id : old) t.login_failures.erase(id);
    return static_cast<std::int64_t>(old.size());
  }

 private:
  // Views of every table for this transaction; cheap to make.
  struct TableViews {
    View<Id, core::Organisation> organisations;
    View<Id, core::User> users;
    View<Id, core::Client> clients;
    View<AssignmentKey, core::Assignment> assignments;
    View<SupervisionKey, core::SupervisionLink> supervision;
    View<Id, core::EpisodeRecord> episodes;
    View<Id, core::SessionRecord> sessions;
    View<InstrumentKey, core::InstrumentRecord> instruments;
    View<Id, core::Administration> administrations;
    View<DefinitionKey, core::ProgressDefinition> definitions;
    View<Id, core::GoalRatingRecord> goal_ratings;
    View<Id, core::AllianceRating> alliance;
    View<Id, core::MomentRecord> moments;
    View<Id, core::Reflection> reflections;
    View<Id, core::ReflectionComment> comments;
    View<Id, core::AuditEntry> audit;
    View<Id, core::LoginSession> login_sessions;
    View<Id, core::Invitation> invitations;
    View<Id, LoginFailure> login_failures;
  };

  TableViews tables() {
    Tables<Rows>& r = shared_->rows;
    Tables<Changes>& c = changes_;
    return TableViews{view(r.organisations, c.organisations),
                      view(r.users, c.users),
                      view(r.clients, c.clients),
                      view(r.assignments, c.assignments),
                      view(r.supervision, c.supervision),
                      view(r.episodes, c.episodes),
                      view(r.sessions, c.sessions),
                      view(r.instruments, c.instruments),
                      view(r.administrations, c.administrations),
                      view(r.definitions, c.definitions),
                      view(r.goal_ratings, c.goal_ratings),
                      view(r.alliance, c.alliance),
                      view(r.moments, c.moments),
                      view(r.reflections, c.reflections),
                      view(r.comments, c.comments),
                      view(r.audit, c.audit),
                      view(r.login_sessions, c.login_sessions),
                      view(r.invitations, c.invitations),
                      view(r.login_failures, c.login_failures)};
  }

  // Readers share the committed rows with commits; the writer holds the slot, so nobody
  // else can change them while it reads (the shared lock is then merely harmless).
  std::shared_lock<std::shared_mutex> read_lock() {
    return std::shared_lock<std::shared_mutex>(shared_->data);
  }

  // Takes the writer slot on the first write. Writes read committed rows without a lock:
  // only the slot holder ever changes them, at its commit.
  Status begin_write() {
    if (done_) return Status::failed_precondition("the transaction has already ended");
    if (writer_) return Status::ok();
    if (!shared_->acquire_slot()) {
      return Status::unavailable("the store is busy: another transaction is writing");
    }
    writer_ = true;
    return Status::ok();
  }

  Status require_organisation(Id org) {
    return tables().organisations.find(org) ? Status::ok() : not_found("organisation");
  }
  const core::User* user_in(Id org, Id id) {
    const auto* row = tables().users.find(id);
    return row && row->org == org ? row : nullptr;
  }
  const core::Client* client_in(Id org, Id id) {
    const auto* row = tables().clients.find(id);
    return row && row->org == org ? row : nullptr;
  }
  const core::EpisodeRecord* episode_in(Id org, Id id) {
    const auto* row = tables().episodes.find(id);
    return row && row->org == org ? row : nullptr;
  }
  const core::SessionRecord* session_in(Id org, Id id) {
    const auto* row = tables().sessions.find(id);
    return row && row->org == org ? row : nullptr;
  }
  // The episode exists in the organisation and the session, when named, belongs to it.
  Status require_episode_session(Id org, Id episode, std::optional<Id> session) {
    if (!episode_in(org, episode)) return not_found("episode");
    if (session) {
      const auto* row = session_in(org, *session);
      if (!row || row->episode != episode) return not_found("session");
    }
    return Status::ok();
  }
  template <class V>
  static std::optional<V> find_by_hash(const View<Id, V>& table, std::string_view token_hash) {
    std::optional<V> found;
    table.scan([&](const V& row) {
      if (row.token_hash != token_hash) return true;
      found = row;
      return false;
    });
    return found;
  }
  template <class Change>
  Status change_login_session(Id org, Id session, Change change) {
    if (auto s = begin_write(); !s.is_ok()) return s;
    auto t = tables();
    const auto* row = t.login_sessions.find(session);
    if (!row || row->org != org) return not_found("login session");
    core::LoginSession changed = *row;
    change(changed);
    t.login_sessions.put(changed.id, changed);
    return Status::ok();
  }
  bool email_taken(const std::string& email) {
    bool taken = false;
    tables().users.scan([&](const core::User& u) {
      taken = u.email == email;
      return !taken;
    });
    return taken;
  }
  bool session_number_taken(Id org, Id episode, int number, Id except) {
    bool taken = false;
    tables().sessions.scan([&](const core::SessionRecord& s) {
      taken = s.org == org && s.episode == episode && s.number == number && s.id != except;
      return !taken;
    });
    return taken;
  }

  std::shared_ptr<MemoryStore::Shared> shared_;
  Tables<Changes> changes_;
  bool writer_ = false;
  bool done_ = false;
};

}  // namespace

MemoryStore::MemoryStore(std::shared_ptr<const core::FieldCipher> cipher,
                         MemoryStoreOptions options)
    : cipher_(std::move(cipher)), shared_(std::make_shared<Shared>(options)) {}

MemoryStore::~MemoryStore() = default;

Result<std::unique_ptr<core::Transaction>> MemoryStore::begin() {
  return std::unique_ptr<core::Transaction>(std::make_unique<MemoryTransaction>(shared_));
}

Result<int> MemoryStore::schema_version() { return 1; }

int MemoryStore::latest_schema_version() const { return 1; }

Status MemoryStore::ping() { return Status::ok(); }

Result<std::int64_t> MemoryStore::reseal_all() { return std::int64_t{0}; }

std::optional<core::PoolStats> MemoryStore::pool_stats() const {
  std::lock_guard lock(shared_->slot_mutex);
  const int writing = shared_->writing ? 1 : 0;
  return core::PoolStats{1, writing, 1 - writing, 0};
}

}  // namespace tandem::store
