#include "service/accounts.hpp"

#include <cctype>
#include <utility>

#include "service/access.hpp"
#include "service/unit_of_work.hpp"

namespace tandem::service {
namespace {

using core::Id;
using core::Result;
using core::Status;

Status check_password(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Status::invalid_argument(
        "password: use at least " + std::to_string(kMinPasswordLength) + " characters", "password");
  }
  return Status::ok();
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::string normalise_email(std::string_view email) {
  const auto first = email.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = email.find_last_not_of(" \t\r\n");
  std::string out(email.substr(first, last - first + 1));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

UserView view_of(const core::User& user) {
  UserView view;
  view.id = user.id;
  view.org = user.org;
  view.email = user.email;
  view.display_name = user.display_name;
  view.role = user.role;
  view.trainee = user.trainee;
  view.client_id = user.client_id;
  view.active = user.active;
  view.created_at = user.created_at;
  return view;
}

Result<Bootstrapped> bootstrap_organisation(const Context& ctx, const NewOrganisation& input) {
  detail::AuditNote note;
  note.action = "organisation.create";
  note.record_type = "organisation";
  return detail::run(
      ctx, note, [&](core::Transaction& tx, detail::AuditNote& n) -> Result<Bootstrapped> {
        if (blank(input.name)) {
          return core::fail(Status::invalid_argument("name: give the organisation a name", "name"));
        }
        if (auto s = check_password(input.admin_password); !s.is_ok()) return core::fail(s);
        core::Organisation organisation;
        organisation.name = input.name;
        organisation.crisis_text = input.crisis_text;
        organisation.created_at = ctx.clock.now();
        auto org = tx.create_organisation(organisation);
        if (!org) return core::fail(org.error());

        core::User admin;
        admin.org = *org;
        admin.email = normalise_email(input.admin_email);
        admin.display_name = input.admin_name;
        admin.role = core::Role::kAdmin;
        admin.created_at = ctx.clock.now();
        if (auto s = core::validate(admin); !s.is_ok()) return core::fail(s);
        auto hash = ctx.hasher.hash(input.admin_password);
        if (!hash) return core::fail(hash.error());
        admin.password_hash = std::move(*hash);
        auto admin_id = tx.create_user(admin);
        if (!admin_id) return core::fail(admin_id.error());
        n.org = *org;
        n.record_id = *org;
        return Bootstrapped{*org, *admin_id};
      });
}

Result<Id> create_user(const Context& ctx, const Actor& actor, const NewUser& input) {
  return detail::run(
      ctx, detail::note_for(actor, "user.create", "user"),
      [&](core::Transaction& tx, detail::AuditNote& n) -> Result<Id> {
        if (auto s = authorize(actor, Resource::kUser, Action::kCreate, Relation::kOrganisation);
            !s.is_ok()) {
          return core::fail(s);
        }
        core::User user;
        user.org = actor.org;
        user.email = normalise_email(input.email);
        user.display_name = input.display_name;
        user.role = input.role;
        user.trainee = input.trainee;
        user.client_id = input.client_id;
        user.created_at = ctx.clock.now();
        if (auto s = core::validate(user); !s.is_ok()) return core::fail(s);
        if (user.role != core::Role::kClient && user.client_id) {
          return core::fail(Status::invalid_argument(
              "client_id: only a client's account names a client record", "client_id"));
        }
        if (auto s = check_password(input.password); !s.is_ok()) {
          return core::fail(s);
        }
        if (user.client_id) {
          auto client = tx.get_client(actor.org, *user.client_id);
          if (!client) return core::fail(client.error());
        }
        auto hash = ctx.hasher.hash(input.password);
        if (!hash) return core::fail(hash.error());
        user.password_hash = std::move(*hash);
        auto id = tx.create_user(user);
        if (!id) return core::fail(id.error());
        n.record_id = *id;
        return *id;
      });
}

Result<UserView> get_user(const Context& ctx, const Actor& actor, Id user) {
  return detail::run(
      ctx, detail::note_for(actor, "user.read", "user", user),
      [&](core::Transaction& tx, detail::AuditNote&) -> Result<UserView> {
        auto found = tx.get_user(actor.org, user);
        if (!found) return core::fail(found.error());
        const Relation relation = user == actor.user ? Relation::kOwn : Relation::kOrganisation;
        if (auto s = authorize(actor, Resource::kUser, Action::kRead, relation); !s.is_ok()) {
          return core::fail(s);
        }
        return view_of(*found);
      });
}

Result<std::vector<UserView>> list_users(const Context& ctx, const Actor& actor,
                                         const core::Page& page) {
  return detail::run(
      ctx, detail::note_for(actor, "user.list", "user"),
      [&](core::Transaction& tx, detail::AuditNote&) -> Result<std::vector<UserView>> {
        if (auto s = authorize(actor, Resource::kUser, Action::kRead, Relation::kOrganisation);
            !s.is_ok()) {
          return core::fail(s);
        }
        auto users = tx.list_users(actor.org, page);
        if (!users) return core::fail(users.error());
        std::vector<UserView> out;
        out.reserve(users->size());
        for (const core::User& u : *users) out.push_back(view_of(u));
        return out;
      });
}

Result<core::Organisation> get_organisation(const Context& ctx, const Actor& actor) {
  return detail::run(ctx, detail::note_for(actor, "organisation.read", "organisation", actor.org),
                     [&](core::Transaction& tx, detail::AuditNote&) -> Result<core::Organisation> {
                       if (auto s = authorize(actor, Resource::kOrganisation, Action::kRead,
                                              Relation::kOrganisation);
                           !s.is_ok()) {
                         return core::fail(s);
                       }
                       return tx.get_organisation(actor.org);
                     });
}

Status set_crisis_text(const Context& ctx, const Actor& actor, std::string text) {
  return detail::to_status(detail::run(
      ctx, detail::note_for(actor, "organisation.update", "organisation", actor.org),
      [&](core::Transaction& tx, detail::AuditNote&) -> Result<void> {
        if (auto s =
                authorize(actor, Resource::kOrganisation, Action::kUpdate, Relation::kOrganisation);
            !s.is_ok()) {
          return core::fail(s);
        }
        auto organisation = tx.get_organisation(actor.org);
        if (!organisation) return core::fail(organisation.error());
        organisation->crisis_text = std::move(text);
        if (auto s = tx.update_organisation(*organisation); !s.is_ok()) return core::fail(s);
        return {};
      }));
}

Result<Actor> authenticate(const Context& ctx, std::string_view email, std::string_view password) {
  const Status refused = Status::unauthenticated("the e-mail or password is not right");
  auto begun = ctx.store.begin();
  if (!begun) return core::fail(begun.error());
  auto found = (*begun)->find_user_by_email(normalise_email(email));
  begun->reset();
  if (!found) {
    if (found.error().code() != core::StatusCode::kNotFound) return core::fail(found.error());
    // Spend the time a verification would, so the answer does not tell which e-mails exist.
    (void)ctx.hasher.hash(password);
    return core::fail(refused);
  }
  const bool verified = ctx.hasher.verify(found->password_hash, password);
  const bool ok = verified && found->active;
  detail::AuditNote note;
  note.org = found->org;
  note.actor = found->id;
  note.action = "auth.login";
  note.record_type = "user";
  note.record_id = found->id;
  auto logged = detail::run(ctx, note, [&](core::Transaction&, detail::AuditNote&) -> Result<void> {
    if (!ok) return core::fail(refused);
    return {};
  });
  if (!logged) return core::fail(logged.error());
  Actor actor;
  actor.user = found->id;
  actor.org = found->org;
  actor.role = found->role;
  actor.trainee = found->trainee;
  actor.client_id = found->client_id;
  return actor;
}

}  // namespace tandem::service
