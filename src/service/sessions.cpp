#include "service/sessions.hpp"

#include <utility>

#include "service/access.hpp"
#include "service/accounts.hpp"
#include "service/unit_of_work.hpp"

namespace tandem::service {
namespace {

using core::Id;
using core::Result;
using core::Status;
using core::Timestamp;

std::string account_key(std::string_view email) { return "account:" + normalise_email(email); }
std::string address_key(std::string_view address) { return "address:" + std::string(address); }

Status signed_out() { return Status::unauthenticated("please sign in"); }
Status expired() {
  return Status::unauthenticated("your session has expired; please sign in again");
}

Status check_new_password(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Status::invalid_argument(
        "password: use at least " + std::to_string(kMinPasswordLength) + " characters", "password");
  }
  return Status::ok();
}

Actor actor_of(const core::User& user) {
  return Actor{user.id, user.org, user.role, user.trainee, user.client_id};
}

// Whether the e-mail or the address has failed too often lately. Audited against the
// account when the e-mail names one.
Result<bool> throttled(const SessionContext& sc, std::string_view email, std::string_view address,
                       Timestamp now) {
  auto begun = sc.ctx.store.begin_read();
  if (!begun) return core::fail(begun.error());
  core::Transaction& tx = **begun;
  const Timestamp since = now - sc.limits.throttle_window;
  auto account = tx.count_login_failures(account_key(email), since);
  if (!account) return core::fail(account.error());
  auto by_address = tx.count_login_failures(address_key(address), since);
  if (!by_address) return core::fail(by_address.error());
  if (*account < sc.limits.account_failures && *by_address < sc.limits.address_failures) {
    return false;
  }
  auto user = tx.find_user_by_email(normalise_email(email));
  begun->reset();
  if (user) {
    detail::AuditNote note;
    note.org = user->org;
    note.actor = user->id;
    note.action = "auth.login";
    note.record_type = "user";
    note.record_id = user->id;
    detail::record_failure(sc.ctx, note, Status::permission_denied("throttled"));
  }
  return true;
}

// Records that the session was used at `now` (a session revoked meanwhile stays revoked:
// only last_seen_at changes).
Status touch(const SessionContext& sc, const core::LoginSession& session, Timestamp now) {
  auto begun = sc.ctx.store.begin();
  if (!begun) return begun.error();
  if (Status s = (*begun)->touch_login_session(session.org, session.id, now); !s.is_ok()) return s;
  return (*begun)->commit();
}

// The account an invitation makes, but for its e-mail, password and time: a client's
// carries their record's name; a member of staff's the name the admin gave.
Result<core::User> invited_user(core::Transaction& tx, const core::Invitation& invitation) {
  core::User user;
  user.org = invitation.org;
  user.role = invitation.role;
  if (invitation.role != core::Role::kClient) {
    user.display_name = invitation.display_name;
    user.trainee = invitation.trainee;
    return user;
  }
  if (!invitation.client)
    return core::fail(Status::internal("a client invitation names no client"));
  auto client = tx.get_client(invitation.org, *invitation.client);
  if (!client) return core::fail(client.error());
  user.display_name = client->display_name;
  user.client_id = invitation.client;
  return user;
}

Status count_failure(const SessionContext& sc, std::string_view email, std::string_view address,
                     Timestamp now) {
  auto begun = sc.ctx.store.begin();
  if (!begun) return begun.error();
  core::Transaction& tx = **begun;
  if (Status s = tx.record_login_failure(account_key(email), now); !s.is_ok()) return s;
  if (Status s = tx.record_login_failure(address_key(address), now); !s.is_ok()) return s;
  // Counts older than the window can never throttle again: dropping them here keeps the
  // table as small as the window, however long the deployment runs.
  if (auto pruned = tx.prune_login_failures(now - sc.limits.throttle_window); !pruned) {
    return pruned.error();
  }
  return tx.commit();
}

}  // namespace

Result<LoginResult> login(const SessionContext& sc, std::string_view email,
                          std::string_view password, std::string_view address) {
  const Timestamp now = sc.ctx.clock.now();
  auto limited = throttled(sc, email, address, now);
  if (!limited) return core::fail(limited.error());
  if (*limited) {
    return core::fail(Status::resource_exhausted("too many attempts; wait a few minutes"));
  }
  auto actor = authenticate(sc.ctx, email, password);
  if (!actor) {
    if (actor.error().code() == core::StatusCode::kUnauthenticated) {
      if (Status s = count_failure(sc, email, address, now); !s.is_ok()) return core::fail(s);
    }
    return core::fail(actor.error());
  }
  return detail::run(sc.ctx, detail::note_for(*actor, "auth.session.create", "login-session"),
                     [&](core::Transaction& tx, detail::AuditNote& n) -> Result<LoginResult> {
                       LoginResult out;
                       out.token = sc.tokens.issue();
                       out.actor = *actor;
                       out.expires_at = now + sc.limits.absolute;
                       core::LoginSession session{
                           0,   actor->org, actor->user,    sc.tokens.hash(out.token),
                           now, now,        out.expires_at, false};
                       auto id = tx.create_login_session(session);
                       if (!id) return core::fail(id.error());
                       out.session = *id;
                       n.record_id = *id;
                       return out;
                     });
}

Result<Authenticated> authenticate_token(const SessionContext& sc, std::string_view token) {
  if (token.empty()) return core::fail(signed_out());
  // Every request comes through here: the check only reads, so it queues behind no writer;
  // the once-a-minute touch takes a write transaction of its own.
  auto begun = sc.ctx.store.begin_read();
  if (!begun) return core::fail(begun.error());
  core::Transaction& tx = **begun;
  auto session = tx.find_login_session_by_hash(sc.tokens.hash(token));
  if (!session) {
    if (session.error().code() == core::StatusCode::kNotFound) return core::fail(signed_out());
    return core::fail(session.error());
  }
  const Timestamp now = sc.ctx.clock.now();
  const bool stale = session->revoked || now >= session->expires_at ||
                     now - session->last_seen_at >= sc.limits.idle;
  if (stale) return core::fail(session->revoked ? signed_out() : expired());
  auto user = tx.get_user(session->org, session->user);
  if (!user) return core::fail(user.error());
  if (!user->active) return core::fail(signed_out());
  begun->reset();
  if (now - session->last_seen_at >= sc.limits.touch_every) {
    if (Status s = touch(sc, *session, now); !s.is_ok()) return core::fail(s);
  }
  return Authenticated{actor_of(*user), session->id};
}

Status logout(const SessionContext& sc, std::string_view token) {
  auto found = [&]() -> Result<core::LoginSession> {
    auto begun = sc.ctx.store.begin();
    if (!begun) return core::fail(begun.error());
    return (*begun)->find_login_session_by_hash(sc.tokens.hash(token));
  }();
  if (!found) {
    return found.error().code() == core::StatusCode::kNotFound ? Status::ok() : found.error();
  }
  detail::AuditNote note;
  note.org = found->org;
  note.actor = found->user;
  note.action = "auth.logout";
  note.record_type = "login-session";
  note.record_id = found->id;
  return detail::to_status(
      detail::run(sc.ctx, note, [&](core::Transaction& tx, detail::AuditNote&) -> Result<void> {
        if (Status s = tx.revoke_login_session(found->org, found->id); !s.is_ok()) {
          return core::fail(s);
        }
        return {};
      }));
}

Status change_password(const SessionContext& sc, const Actor& actor, Id session,
                       std::string_view old_password, std::string_view new_password) {
  return detail::to_status(
      detail::run(sc.ctx, detail::note_for(actor, "user.password.change", "user", actor.user),
                  [&](core::Transaction& tx, detail::AuditNote&) -> Result<void> {
                    auto user = tx.get_user(actor.org, actor.user);
                    if (!user) return core::fail(user.error());
                    if (!sc.ctx.hasher.verify(user->password_hash, old_password)) {
                      return core::fail(Status::invalid_argument(
                          "old_password: that is not your current password", "old_password"));
                    }
                    if (Status s = check_new_password(new_password); !s.is_ok())
                      return core::fail(s);
                    auto hash = sc.ctx.hasher.hash(new_password);
                    if (!hash) return core::fail(hash.error());
                    user->password_hash = std::move(*hash);
                    if (Status s = tx.update_user(*user); !s.is_ok()) return core::fail(s);
                    auto revoked = tx.revoke_other_sessions(actor.org, actor.user, session);
                    if (!revoked) return core::fail(revoked.error());
                    return {};
                  }));
}

namespace {

// Issues the link for `invitation` (its org, creator and whom it invites already set).
Result<InvitationLink> issue_invitation(const SessionContext& sc, core::Transaction& tx,
                                        core::Invitation invitation, detail::AuditNote& n) {
  const Timestamp now = sc.ctx.clock.now();
  InvitationLink link;
  link.token = sc.tokens.issue();
  link.expires_at = now + sc.limits.invitation;
  invitation.token_hash = sc.tokens.hash(link.token);
  invitation.created_at = now;
  invitation.expires_at = link.expires_at;
  auto id = tx.create_invitation(invitation);
  if (!id) return core::fail(id.error());
  link.invitation = *id;
  n.record_id = *id;
  return link;
}

}  // namespace

Result<InvitationLink> create_invitation(const SessionContext& sc, const Actor& actor, Id client) {
  return detail::run(sc.ctx, detail::note_for(actor, "invitation.create", "invitation"),
                     [&](core::Transaction& tx, detail::AuditNote& n) -> Result<InvitationLink> {
                       auto relation = relation_to_client(tx, actor, client);
                       if (!relation) return core::fail(relation.error());
                       const bool therapist =
                           actor.role == core::Role::kTherapist && *relation == Relation::kAssigned;
                       const bool admin = actor.role == core::Role::kAdmin;
                       if (!therapist && !admin) {
                         return core::fail(Status::permission_denied(
                             "only the client's own therapist (or an admin) may invite them"));
                       }
                       core::Invitation invitation;
                       invitation.org = actor.org;
                       invitation.client = client;
                       invitation.created_by = actor.user;
                       return issue_invitation(sc, tx, std::move(invitation), n);
                     });
}

Result<InvitationLink> create_staff_invitation(const SessionContext& sc, const Actor& actor,
                                               const StaffInvitation& staff) {
  return detail::run(
      sc.ctx, detail::note_for(actor, "invitation.create", "invitation"),
      [&](core::Transaction& tx, detail::AuditNote& n) -> Result<InvitationLink> {
        if (actor.role != core::Role::kAdmin) {
          return core::fail(
              Status::permission_denied("only an admin may invite a member of staff"));
        }
        if (staff.role == core::Role::kClient) {
          return core::fail(Status::invalid_argument(
              "role: a client is invited to their record (send \"client\" instead)", "role"));
        }
        core::Invitation invitation;
        invitation.org = actor.org;
        invitation.created_by = actor.user;
        invitation.role = staff.role;
        invitation.display_name = staff.display_name;
        invitation.trainee = staff.trainee;
        if (Status s = core::validate(invitation); !s.is_ok()) return core::fail(s);
        return issue_invitation(sc, tx, std::move(invitation), n);
      });
}

Result<std::vector<core::Invitation>> list_invitations(const SessionContext& sc, const Actor& actor,
                                                       const core::Page& page) {
  using Out = std::vector<core::Invitation>;
  return detail::run(sc.ctx, detail::note_for(actor, "invitation.list", "invitation"),
                     [&](core::Transaction& tx, detail::AuditNote&) -> Result<Out> {
                       switch (actor.role) {
                         case core::Role::kAdmin:
                           return tx.list_invitations(actor.org, std::nullopt, page);
                         case core::Role::kTherapist:
                           return tx.list_invitations(actor.org, actor.user, page);
                         default:
                           return core::fail(Status::permission_denied(
                               "only admins and therapists make invitations"));
                       }
                     });
}

Result<Id> accept_invitation(const SessionContext& sc, std::string_view token,
                             std::string_view email, std::string_view password) {
  detail::AuditNote note;
  note.action = "invitation.accept";
  note.record_type = "invitation";
  return detail::run(sc.ctx, note, [&](core::Transaction& tx, detail::AuditNote& n) -> Result<Id> {
    auto invitation = tx.find_invitation_by_hash(sc.tokens.hash(token));
    if (!invitation) {
      if (invitation.error().code() == core::StatusCode::kNotFound) {
        return core::fail(Status::not_found("this invitation link is not valid"));
      }
      return core::fail(invitation.error());
    }
    n.org = invitation->org;
    n.record_id = invitation->id;
    const Timestamp now = sc.ctx.clock.now();
    if (invitation->used_at) {
      return core::fail(Status::failed_precondition("this invitation has already been used"));
    }
    if (now >= invitation->expires_at) {
      return core::fail(
          Status::failed_precondition("this invitation has expired; ask for a new one"));
    }
    if (Status s = check_new_password(password); !s.is_ok()) return core::fail(s);
    auto user = invited_user(tx, *invitation);
    if (!user) return core::fail(user.error());
    user->email = normalise_email(email);
    user->created_at = now;
    if (Status s = core::validate(*user); !s.is_ok()) return core::fail(s);
    auto hash = sc.ctx.hasher.hash(password);
    if (!hash) return core::fail(hash.error());
    user->password_hash = std::move(*hash);
    // Used up before the account is made: of two concurrent acceptances one fails here.
    if (Status s = tx.mark_invitation_used(invitation->org, invitation->id, now); !s.is_ok()) {
      return core::fail(s);
    }
    auto id = tx.create_user(*user);
    if (!id) return core::fail(id.error());
    n.actor = *id;
    return *id;
  });
}

}  // namespace tandem::service
