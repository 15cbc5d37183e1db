// Login sessions and invitations (service/sessions.hpp) on the memory store with a fake
// clock, a fake hasher and predictable tokens.
#include "service/sessions.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "service/accounts.hpp"
#include "service/instrument_catalogue.hpp"
#include "storage/memory/memory_store.hpp"

namespace tandem::service {
namespace {

using core::Id;
using core::StatusCode;

constexpr core::Timestamp kStart = 1767225600000;  // 2026-01-01T00:00:00Z

class FakeClock final : public core::Clock {
 public:
  core::Timestamp now() const override { return now_; }
  core::Date today() const override { return static_cast<core::Date>(now_ / 86400000); }
  void advance(core::Timestamp ms) { now_ += ms; }

 private:
  core::Timestamp now_ = kStart;
};

// Not a hash: "hash:" + the password.
class FakeHasher final : public core::PasswordHasher {
 public:
  core::Result<std::string> hash(std::string_view password) const override {
    return "hash:" + std::string(password);
  }
  bool verify(std::string_view encoded, std::string_view password) const override {
    return encoded == "hash:" + std::string(password);
  }
};

// token-1, token-2, ...; the "hash" is visibly not the token.
class FakeTokens final : public core::TokenIssuer {
 public:
  std::string issue() const override { return "token-" + std::to_string(++issued_); }
  std::string hash(std::string_view token) const override { return "h:" + std::string(token); }

 private:
  mutable int issued_ = 0;
};

template <class T>
T must(core::Result<T> result) {
  if (!result) throw std::runtime_error(result.error().message());
  return std::move(*result);
}
void must(const core::Status& status) {
  if (!status.is_ok()) throw std::runtime_error(status.message());
}
template <class T>
StatusCode code(const core::Result<T>& result) {
  return result ? StatusCode::kOk : result.error().code();
}
StatusCode code(const core::Status& status) { return status.code(); }

class SessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto org = must(bootstrap_organisation(
        ctx_, {"Practice", "Call 111", "admin@example.org", "Admin", "admin-password"}));
    org_ = org.org;
    admin_ = must(authenticate(ctx_, "admin@example.org", "admin-password"));
    therapist_ = add_user("therapist@example.org", core::Role::kTherapist);
    other_therapist_ = add_user("other@example.org", core::Role::kTherapist);
    auto tx = must(store_.begin());
    client_ = must(tx->create_client({0, org_, "Ada", std::nullopt, {}, kStart}));
    must(tx->assign({org_, client_, therapist_, kStart}));
    must(tx->commit());
  }

  Id add_user(const std::string& email, core::Role role) {
    return must(create_user(ctx_, admin_, {email, "Name", role, false, "password-" + email, {}}));
  }
  Actor actor(Id user) {
    auto tx = must(store_.begin());
    const core::User u = must(tx->get_user(org_, user));
    return Actor{u.id, u.org, u.role, u.trainee, u.client_id};
  }
  core::Result<LoginResult> login_therapist(const std::string& password = "",
                                            const std::string& address = "192.0.2.1") {
    return login(sc_, "therapist@example.org",
                 password.empty() ? "password-therapist@example.org" : password, address);
  }
  std::vector<core::AuditEntry> audit(const std::string& action) {
    core::AuditQuery query;
    if (!action.empty()) query.action = action;  // empty: every entry
    query.page.limit = 1000;
    return must(must(store_.begin())->search_audit(org_, query));
  }

  store::MemoryStore store_;
  FakeClock clock_;
  FakeHasher hasher_;
  InstrumentCatalogue instruments_{{}};
  Context ctx_{store_, clock_, hasher_, instruments_};
  FakeTokens tokens_;
  SessionContext sc_{ctx_, tokens_};
  Id org_ = 0;
  Actor admin_;
  Id therapist_ = 0;
  Id other_therapist_ = 0;
  Id client_ = 0;
};

TEST_F(SessionsTest, LoginReturnsATokenStoredOnlyAsItsHash) {
  const LoginResult in = must(login_therapist());
  EXPECT_EQ(in.actor.user, therapist_);
  EXPECT_EQ(in.expires_at, kStart + sc_.limits.absolute);
  auto tx = must(store_.begin());
  EXPECT_EQ(code(tx->find_login_session_by_hash(in.token)), StatusCode::kNotFound);
  EXPECT_EQ(must(tx->find_login_session_by_hash(tokens_.hash(in.token))).id, in.session);
  const Authenticated who = must(authenticate_token(sc_, in.token));
  EXPECT_EQ(who.actor.user, therapist_);
  EXPECT_EQ(who.actor.role, core::Role::kTherapist);
  EXPECT_EQ(who.session, in.session);
  EXPECT_FALSE(audit("auth.session.create").empty());
}

TEST_F(SessionsTest, WrongPasswordAndUnknownEmailAreRefusedAlike) {
  const auto wrong = login_therapist("not-the-password");
  const auto unknown = login(sc_, "nobody@example.org", "whatever-it-is", "192.0.2.1");
  ASSERT_EQ(code(wrong), StatusCode::kUnauthenticated);
  ASSERT_EQ(code(unknown), StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message(), unknown.error().message());
}

TEST_F(SessionsTest, FiveFailuresForAnAccountBlockEvenTheRightPassword) {
  for (int i = 0; i < 5; ++i) {
    // From different addresses: the account's own count is what trips.
    EXPECT_EQ(code(login_therapist("wrong-password", "192.0.2." + std::to_string(i))),
              StatusCode::kUnauthenticated);
  }
  const auto blocked = login_therapist("", "198.51.100.1");
  ASSERT_EQ(code(blocked), StatusCode::kResourceExhausted);
  EXPECT_EQ(blocked.error().message(), "too many attempts; wait a few minutes");
  // Other accounts are not affected.
  EXPECT_EQ(code(login(sc_, "other@example.org", "password-other@example.org", "198.51.100.1")),
            StatusCode::kOk);
  clock_.advance(sc_.limits.throttle_window + 1);
  EXPECT_EQ(code(login_therapist("", "198.51.100.1")), StatusCode::kOk);
}

TEST_F(SessionsTest, TwentyFailuresFromAnAddressBlockIt) {
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(code(login(sc_, "guess" + std::to_string(i) + "@example.org", "wrong-password",
                         "203.0.113.9")),
              StatusCode::kUnauthenticated);
  }
  EXPECT_EQ(code(login_therapist("", "203.0.113.9")), StatusCode::kResourceExhausted);
  EXPECT_EQ(code(login_therapist("", "203.0.113.10")), StatusCode::kOk);
}

TEST_F(SessionsTest, IdleSessionsExpireAndUseKeepsThemAlive) {
  const LoginResult in = must(login_therapist());
  clock_.advance(sc_.limits.idle - kMinuteMs);
  EXPECT_EQ(code(authenticate_token(sc_, in.token)), StatusCode::kOk);  // refreshes
  clock_.advance(sc_.limits.idle - kMinuteMs);
  EXPECT_EQ(code(authenticate_token(sc_, in.token)), StatusCode::kOk);
  clock_.advance(sc_.limits.idle);
  EXPECT_EQ(code(authenticate_token(sc_, in.token)), StatusCode::kUnauthenticated);
}

TEST_F(SessionsTest, SessionsEndAtTheirAbsoluteExpiryHoweverUsed) {
  const LoginResult in = must(login_therapist());
  const auto steps = sc_.limits.absolute / (10 * kMinuteMs);
  for (core::Timestamp i = 1; i < steps; ++i) {
    clock_.advance(10 * kMinuteMs);
    ASSERT_EQ(code(authenticate_token(sc_, in.token)), StatusCode::kOk) << i;
  }
  clock_.advance(10 * kMinuteMs);
  EXPECT_EQ(code(authenticate_token(sc_, in.token)), StatusCode::kUnauthenticated);
}

TEST_F(SessionsTest, LogoutEndsTheSession) {
  const LoginResult in = must(login_therapist());
  must(logout(sc_, in.token));
  EXPECT_EQ(code(authenticate_token(sc_, in.token)), StatusCode::kUnauthenticated);
  EXPECT_EQ(code(logout(sc_, "token-never-issued")), StatusCode::kOk);
  EXPECT_EQ(code(authenticate_token(sc_, "token-never-issued")), StatusCode::kUnauthenticated);
  EXPECT_FALSE(audit("auth.logout").empty());
}

TEST_F(SessionsTest, PasswordChangeRevokesOtherSessionsAndKeepsThisOne) {
  const LoginResult laptop = must(login_therapist());
  const LoginResult phone = must(login_therapist());
  EXPECT_EQ(code(change_password(sc_, laptop.actor, laptop.session, "wrong-old-password",
                                 "new-password-1")),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(code(change_password(sc_, laptop.actor, laptop.session,
                                 "password-therapist@example.org", "short")),
            StatusCode::kInvalidArgument);
  must(change_password(sc_, laptop.actor, laptop.session, "password-therapist@example.org",
                       "new-password-1"));
  EXPECT_EQ(code(authenticate_token(sc_, laptop.token)), StatusCode::kOk);
  EXPECT_EQ(code(authenticate_token(sc_, phone.token)), StatusCode::kUnauthenticated);
  EXPECT_EQ(code(login_therapist()), StatusCode::kUnauthenticated);
  EXPECT_EQ(code(login_therapist("new-password-1")), StatusCode::kOk);
}

TEST_F(SessionsTest, AnInvitedClientMakesTheirAccountOnce) {
  const InvitationLink link = must(create_invitation(sc_, actor(therapist_), client_));
  EXPECT_EQ(link.expires_at, kStart + sc_.limits.invitation);
  const Id user = must(accept_invitation(sc_, link.token, " Ada@Example.org ", "client-password"));
  const Actor ada = actor(user);
  EXPECT_EQ(ada.role, core::Role::kClient);
  EXPECT_EQ(ada.client_id, client_);
  EXPECT_EQ(must(login(sc_, "ada@example.org", "client-password", "192.0.2.7")).actor.user, user);

  const auto replay = accept_invitation(sc_, link.token, "eve@example.org", "eve-password");
  ASSERT_EQ(code(replay), StatusCode::kFailedPrecondition);
  EXPECT_EQ(replay.error().message(), "this invitation has already been used");
  EXPECT_EQ(code(must(store_.begin())->find_user_by_email("eve@example.org")),
            StatusCode::kNotFound);
  EXPECT_EQ(code(accept_invitation(sc_, "token-unknown", "x@example.org", "x-password")),
            StatusCode::kNotFound);
  EXPECT_FALSE(audit("invitation.accept").empty());
  EXPECT_FALSE(audit("invitation.create").empty());
}

TEST_F(SessionsTest, ExpiredInvitationsCannotBeAccepted) {
  const InvitationLink link = must(create_invitation(sc_, actor(therapist_), client_));
  clock_.advance(sc_.limits.invitation);
  EXPECT_EQ(code(accept_invitation(sc_, link.token, "ada@example.org", "client-password")),
            StatusCode::kFailedPrecondition);
}

TEST_F(SessionsTest, OnlyTheClientsOwnTherapistMayInviteThem) {
  EXPECT_EQ(code(create_invitation(sc_, actor(other_therapist_), client_)),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(code(create_invitation(sc_, actor(therapist_), client_ + 1000)), StatusCode::kNotFound);
  EXPECT_EQ(code(create_invitation(sc_, admin_, client_)), StatusCode::kOk);
}

TEST_F(SessionsTest, TheAuditNeverHoldsTokensOrPasswords) {
  const LoginResult in = must(login_therapist());
  const InvitationLink link = must(create_invitation(sc_, in.actor, client_));
  must(accept_invitation(sc_, link.token, "ada@example.org", "client-password"));
  must(logout(sc_, in.token));
  for (const auto& e : audit("")) {
    const std::string text = e.action + e.record_type;
    EXPECT_EQ(text.find("token"), std::string::npos);
    EXPECT_EQ(text.find("password-"), std::string::npos);
  }
}

}  // namespace
}  // namespace tandem::service
