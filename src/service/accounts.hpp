// Use cases for organisations and accounts: bootstrapping an organisation with its first
// admin, the admin creating users, reading them back (never with their password hash), the
// organisation's crisis text, and checking a password (the API wraps authenticate() with
// tokens). Each runs in one transaction with an audit entry. Thread-safe as the ports are.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ports.hpp"
#include "core/record.hpp"
#include "core/status.hpp"
#include "service/context.hpp"

namespace tandem::service {

// Shorter passwords are refused.
inline constexpr std::size_t kMinPasswordLength = 8;

// A user as the service shows it: everything but the password hash.
struct UserView {
  core::Id id = 0;
  core::Id org = 0;
  std::string email;
  std::string display_name;
  core::Role role = core::Role::kClient;
  bool trainee = false;
  std::optional<core::Id> client_id;
  bool active = true;
  core::Timestamp created_at = 0;
};

UserView view_of(const core::User& user);

struct NewOrganisation {
  std::string name;
  std::string crisis_text;  // shown at once when a client's answers raise a crisis flag
  std::string admin_email;
  std::string admin_name;
  std::string admin_password;
};

struct Bootstrapped {
  core::Id org = 0;
  core::Id admin = 0;
};

// Creates an organisation and its first admin (the CLI's `tandem user` / first start; there
// is no actor yet, so the audit entry names none). AlreadyExists when the e-mail is taken.
core::Result<Bootstrapped> bootstrap_organisation(const Context& ctx, const NewOrganisation& input);

struct NewUser {
  std::string email;  // trimmed and lower-cased before it is stored
  std::string display_name;
  core::Role role = core::Role::kTherapist;
  bool trainee = false;
  std::string password;
  std::optional<core::Id> client_id;  // role client: their client record (same organisation)
};

// Admin only. AlreadyExists when the e-mail is taken (in any organisation).
core::Result<core::Id> create_user(const Context& ctx, const Actor& actor, const NewUser& input);
// One's own account, or (admin) anyone's in the organisation.
core::Result<UserView> get_user(const Context& ctx, const Actor& actor, core::Id user);
// Admin only; keyset pagination by id.
core::Result<std::vector<UserView>> list_users(const Context& ctx, const Actor& actor,
                                               const core::Page& page);

core::Result<core::Organisation> get_organisation(const Context& ctx, const Actor& actor);
// Admin only.
core::Status set_crisis_text(const Context& ctx, const Actor& actor, std::string text);

// Checks an e-mail and password (PasswordHasher::verify, constant time) and returns the
// actor. Unauthenticated, with the same message, for an unknown e-mail, a wrong password or
// an inactive account; an unknown e-mail costs as much time as a known one. Attempts on a
// known account are audited (auth.login, ok or denied).
core::Result<Actor> authenticate(const Context& ctx, std::string_view email,
                                 std::string_view password);

// Trimmed and lower-cased, as e-mails are stored.
std::string normalise_email(std::string_view email);

}  // namespace tandem::service
