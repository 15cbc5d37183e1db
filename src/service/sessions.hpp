// Use cases for login sessions and invitations: logging in with throttling, checking a
// bearer token on every request, logging out, changing one's password, and one-time links
// to make an account (a therapist inviting their client, an admin a member of staff). Tokens are
// opaque (TokenIssuer) and only their hashes reach the store; no token or password is ever audited.
// Sessions and throttling counters live in the store, so several server processes share them;
// counters older than the throttling window are deleted as new failures are counted. Thread-safe as
// the ports are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

inline constexpr core::Timestamp kMinuteMs = 60'000;
inline constexpr core::Timestamp kHourMs = 60 * kMinuteMs;
inline constexpr core::Timestamp kDayMs = 24 * kHourMs;

struct SessionLimits {
  core::Timestamp idle = 30 * kMinuteMs;             // unused this long: expired
  core::Timestamp absolute = 12 * kHourMs;           // from login, used or not
  core::Timestamp invitation = 7 * kDayMs;           // an invitation link's life
  core::Timestamp throttle_window = 15 * kMinuteMs;  // failures counted this far back
  std::int64_t account_failures = 5;                 // per e-mail within the window
  std::int64_t address_failures = 20;                // per client address
  // last_seen_at is written at most this often, so a burst of requests costs one write.
  core::Timestamp touch_every = kMinuteMs;
};

// What the session use cases work through, beside the common context.
struct SessionContext {
  const Context& ctx;
  const core::TokenIssuer& tokens;
  SessionLimits limits{};
};

struct LoginResult {
  std::string token;  // give to the caller once; the store keeps only its hash
  Actor actor;
  core::Id session = 0;
  core::Timestamp expires_at = 0;  // absolute expiry
};

// Checks the e-mail and password (authenticate()) and opens a session. ResourceExhausted
// ("too many attempts; wait a few minutes") after limits.account_failures failures for the
// e-mail or limits.address_failures for the address within the window, even for a right
// password, so guessing cannot go on. A failure is counted under both keys.
core::Result<LoginResult> login(const SessionContext& sc, std::string_view email,
                                std::string_view password, std::string_view address);

struct Authenticated {
  Actor actor;
  core::Id session = 0;
};

// The actor a bearer token stands for; Unauthenticated when it is unknown, revoked, idle
// too long, past its absolute expiry, or its account is inactive. The token is compared by
// looking up its hash: the store's index compares hashes, not tokens, so its timing tells
// an attacker nothing usable about the token itself (a 256-bit hash preimage is needed to
// exploit it), which is what a constant-time comparison would protect.
core::Result<Authenticated> authenticate_token(const SessionContext& sc, std::string_view token);

// Ends the session the token belongs to. Ok for an unknown token (nothing to end).
core::Status logout(const SessionContext& sc, std::string_view token);

// Verifies the current password, stores the new one and revokes every other session of
// the account (the one given stays). InvalidArgument naming old_password when it is wrong.
core::Status change_password(const SessionContext& sc, const Actor& actor, core::Id session,
                             std::string_view old_password, std::string_view new_password);

struct InvitationLink {
  core::Id invitation = 0;
  std::string token;  // for the link; the store keeps only its hash
  core::Timestamp expires_at = 0;
};

// A therapist invites a client assigned to them (an admin, any client of the
// organisation): PermissionDenied otherwise; NotFound for another organisation's client.
core::Result<InvitationLink> create_invitation(const SessionContext& sc, const Actor& actor,
                                               core::Id client);

// The account a staff invitation will make.
struct StaffInvitation {
  core::Role role = core::Role::kTherapist;  // therapist, supervisor or admin
  std::string display_name;
  bool trainee = false;  // therapists only
};

// An admin invites a member of staff of their own organisation: PermissionDenied for anyone
// else; InvalidArgument for role client (a client is invited to their record), an empty
// name or a trainee who is not a therapist.
core::Result<InvitationLink> create_staff_invitation(const SessionContext& sc, const Actor& actor,
                                                     const StaffInvitation& staff);

// The invitations an admin's organisation has made, or those a therapist made; by id, with
// keyset paging. PermissionDenied for clients and supervisors (who invite no one).
core::Result<std::vector<core::Invitation>> list_invitations(const SessionContext& sc,
                                                             const Actor& actor,
                                                             const core::Page& page);

// Creates the invited account and uses up the invitation, in one transaction: a client's
// account (role client, their client record, its name) or a member of staff's (the role,
// name and trainee flag the admin gave). NotFound for an unknown token; FailedPrecondition
// when it has been used ("this invitation has already been used") or has expired;
// AlreadyExists when the e-mail is taken. Returns the new user's id.
core::Result<core::Id> accept_invitation(const SessionContext& sc, std::string_view token,
                                         std::string_view email, std::string_view password);

}  // namespace tandem::service
