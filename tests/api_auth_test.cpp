// The account routes (api/routes_auth.hpp) against a real server on 127.0.0.1 with a
// temporary SQLite store: login (token and cookie), the Authenticator (bearer, cookie with
// CSRF), me, logout, password change, throttling (429 with Retry-After), invitations.
#include "api/routes_auth.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "api/server.hpp"
#include "crypto/tokens.hpp"
#include "service/accounts.hpp"
#include "service/instrument_catalogue.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/fake_cipher.hpp"

namespace tandem::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class SettableClock final : public core::Clock {
 public:
  core::Timestamp now() const override { return now_.load(); }
  core::Date today() const override { return static_cast<core::Date>(now_.load() / 86400000); }
  void advance(core::Timestamp ms) { now_ += ms; }

 private:
  std::atomic<core::Timestamp> now_{1767225600000};
};

class FakeHasher final : public core::PasswordHasher {
 public:
  core::Result<std::string> hash(std::string_view password) const override {
    return "hash:" + std::string(password);
  }
  bool verify(std::string_view encoded, std::string_view password) const override {
    return encoded == "hash:" + std::string(password);
  }
};

class ApiAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("tandem-api-auth-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto store = store::SqliteStore::open((dir_ / "tandem.db").string(),
                                          std::make_shared<testing_support::FakeCipher>());
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
    ctx_ =
        std::make_unique<service::Context>(service::Context{*store_, clock_, hasher_, catalogue_});
    sessions_ = std::make_unique<service::SessionContext>(service::SessionContext{*ctx_, tokens_});

    auto org = service::bootstrap_organisation(
        *ctx_, {"Practice", "Call 111", "admin@example.org", "Admin", "admin-password"});
    ASSERT_TRUE(org);
    org_ = org->org;
    const service::Actor admin{org->admin, org->org, core::Role::kAdmin, false, std::nullopt};
    therapist_ = *service::create_user(*ctx_, admin,
                                       {"therapist@example.org", "T", core::Role::kTherapist, false,
                                        "therapist-password", std::nullopt});
    auto tx = *store_->begin();
    client_ = *tx->create_client({0, org->org, "Ada", std::nullopt, {}, clock_.now()});
    ASSERT_TRUE(tx->assign({org->org, client_, therapist_, clock_.now()}).is_ok());
    ASSERT_TRUE(tx->commit().is_ok());

    std::vector<Route> table = auth_routes(sessions_.get());
    table.push_back({"GET", "/healthz", Auth::kPublic, [](const Request&) {
                       return Response::json({{"status", "ok"}});
                     }});
    auto router = Router::create(std::move(table));
    ASSERT_TRUE(router) << router.error().message();
    ServerSettings settings;
    settings.port = 0;
    settings.threads = 2;
    settings.keep_alive_timeout = std::chrono::seconds(1);
    settings.log_sink = [](std::string_view) {};
    // The test client connects from 127.0.0.1: a trusted proxy, so X-Forwarded-For counts.
    settings.trusted_proxies = *TrustedProxies::parse("127.0.0.1");
    server_ = std::make_unique<Server>(std::move(settings), std::move(*router), metrics_, clock_);
    server_->set_authenticator(
        [this](const Request& request) { return authenticate_request(*sessions_, request); });
    ASSERT_TRUE(server_->start().is_ok());
    ASSERT_TRUE(wait_until_ready("127.0.0.1", server_->port()));
  }

  void TearDown() override {
    server_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  httplib::Client client() const { return httplib::Client("127.0.0.1", server_->port()); }

  httplib::Result post(const std::string& path, const json& body, httplib::Headers headers = {}) {
    return client().Post(path.c_str(), headers, body.dump(), "application/json");
  }

  json login_ok(const std::string& email = "therapist@example.org",
                const std::string& password = "therapist-password") {
    auto res = post("/api/v1/auth/login", {{"email", email}, {"password", password}});
    EXPECT_TRUE(res);
    if (!res) return {};
    EXPECT_EQ(res->status, 200) << res->body;
    return json::parse(res->body);
  }

  static httplib::Headers bearer(const json& login) {
    return {{"Authorization", "Bearer " + login.at("token").get<std::string>()}};
  }

  fs::path dir_;
  SettableClock clock_;
  FakeHasher hasher_;
  service::InstrumentCatalogue catalogue_{{}};
  crypto::SodiumTokenIssuer tokens_;
  std::unique_ptr<core::Store> store_;
  std::unique_ptr<service::Context> ctx_;
  std::unique_ptr<service::SessionContext> sessions_;
  Metrics metrics_;
  std::unique_ptr<Server> server_;
  core::Id org_ = 0;
  core::Id therapist_ = 0;
  core::Id client_ = 0;
};

TEST_F(ApiAuthTest, LoginReturnsATokenAndSetsAStrictHttpOnlyCookie) {
  auto res = post("/api/v1/auth/login",
                  {{"email", "therapist@example.org"}, {"password", "therapist-password"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const json body = json::parse(res->body);
  EXPECT_EQ(body.at("token").get<std::string>().size(), crypto::kTokenChars);
  EXPECT_EQ(body.at("role"), "therapist");
  const std::string cookie = res->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("tandem_session=" + body.at("token").get<std::string>()),
            std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);

  auto tls = post("/api/v1/auth/login",
                  {{"email", "therapist@example.org"}, {"password", "therapist-password"}},
                  {{"X-Forwarded-Proto", "https"}});
  ASSERT_TRUE(tls);
  EXPECT_NE(tls->get_header_value("Set-Cookie").find("; Secure"), std::string::npos);
}

TEST_F(ApiAuthTest, MeAnswersForABearerTokenAnd401Otherwise) {
  const json in = login_ok();
  auto me = client().Get("/api/v1/me", bearer(in));
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(json::parse(me->body).at("id"), therapist_);
  EXPECT_EQ(json::parse(me->body).at("email"), "therapist@example.org");

  auto none = client().Get("/api/v1/me");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  auto forged = client().Get("/api/v1/me", {{"Authorization", "Bearer not-a-real-token"}});
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->status, 401);
  EXPECT_EQ(forged->get_header_value("Content-Type"), "application/problem+json");
}

TEST_F(ApiAuthTest, ExpiredTokensAre401) {
  const json in = login_ok();
  clock_.advance(31 * service::kMinuteMs);
  auto me = client().Get("/api/v1/me", bearer(in));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
}

TEST_F(ApiAuthTest, CookieSessionsNeedTheCsrfHeaderForUnsafeMethods) {
  const json in = login_ok();
  const std::string cookie = "tandem_session=" + in.at("token").get<std::string>();
  auto me = client().Get("/api/v1/me", {{"Cookie", cookie}});
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200);  // safe method: no header needed

  const json invite = {{"client", client_}};
  auto without = post("/api/v1/invitations", invite, {{"Cookie", cookie}});
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 403);
  auto wrong = post("/api/v1/invitations", invite, {{"Cookie", cookie}, {"X-Tandem-CSRF", "x"}});
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  auto with = post("/api/v1/invitations", invite,
                   {{"Cookie", cookie}, {"X-Tandem-CSRF", in.at("csrf_token").get<std::string>()}});
  ASSERT_TRUE(with);
  EXPECT_EQ(with->status, 201) << with->body;
}

TEST_F(ApiAuthTest, LogoutEndsTheSessionAndClearsTheCookie) {
  const json in = login_ok();
  auto out = post("/api/v1/auth/logout", json::object(), bearer(in));
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 204);
  EXPECT_NE(out->get_header_value("Set-Cookie").find("Max-Age=0"), std::string::npos);
  auto me = client().Get("/api/v1/me", bearer(in));
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 401);
}

TEST_F(ApiAuthTest, ThrottledLoginsAre429WithRetryAfter) {
  for (int i = 0; i < 5; ++i) {
    auto res = post("/api/v1/auth/login",
                    {{"email", "therapist@example.org"}, {"password", "wrong-password"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401);
  }
  auto res = post("/api/v1/auth/login",
                  {{"email", "therapist@example.org"}, {"password", "therapist-password"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "900");
  EXPECT_EQ(json::parse(res->body).at("detail"), "too many attempts; wait a few minutes");
}

TEST_F(ApiAuthTest, BehindATrustedProxyEachForwardedAddressIsThrottledOnItsOwn) {
  auto attempt = [&](const std::string& forwarded_for, const std::string& password) {
    return post("/api/v1/auth/login", {{"email", "therapist@example.org"}, {"password", password}},
                {{"X-Forwarded-For", forwarded_for}})
        ->status;
  };
  // 20 failures spread over e-mails (so no account limit trips) from one forwarded client;
  // a forged left-most entry does not move them to another counter.
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(post("/api/v1/auth/login",
                   {{"email", "nobody" + std::to_string(i) + "@example.org"},
                    {"password", "wrong-password"}},
                   {{"X-Forwarded-For", "192.0.2." + std::to_string(i) + ", 203.0.113.5"}})
                  ->status,
              401);
  }
  EXPECT_EQ(attempt("203.0.113.5", "therapist-password"), 429);
  EXPECT_EQ(attempt("203.0.113.6", "therapist-password"), 200);
  EXPECT_EQ(*(*store_->begin())->count_login_failures("address:203.0.113.5", 0), 20);
  EXPECT_EQ(*(*store_->begin())->count_login_failures("address:127.0.0.1", 0), 0);
}

TEST_F(ApiAuthTest, FailedLoginsOlderThanTheWindowAreDeletedAsNewOnesArrive) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(post("/api/v1/auth/login",
                   {{"email", "therapist@example.org"}, {"password", "wrong-password"}})
                  ->status,
              401);
  }
  auto count = [&](const std::string& key) {
    return *(*store_->begin())->count_login_failures(key, 0);
  };
  EXPECT_EQ(count("account:therapist@example.org"), 3);
  clock_.advance(15 * service::kMinuteMs + 1);
  ASSERT_EQ(
      post("/api/v1/auth/login", {{"email", "nobody@example.org"}, {"password", "x-password"}})
          ->status,
      401);
  EXPECT_EQ(count("account:therapist@example.org"), 0);
  EXPECT_EQ(count("address:127.0.0.1"), 1);
  EXPECT_EQ(count("account:nobody@example.org"), 1);
}

TEST_F(ApiAuthTest, BadLoginBodiesAre400NamingTheField) {
  auto res = post("/api/v1/auth/login", {{"email", "therapist@example.org"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_EQ(json::parse(res->body).at("field"), "password");
}

TEST_F(ApiAuthTest, PasswordChangeRevokesOtherSessions) {
  const json laptop = login_ok();
  const json phone = login_ok();
  auto res = post("/api/v1/auth/password",
                  {{"old_password", "therapist-password"}, {"new_password", "a-new-password"}},
                  bearer(laptop));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 204) << res->body;
  EXPECT_EQ(client().Get("/api/v1/me", bearer(laptop))->status, 200);
  EXPECT_EQ(client().Get("/api/v1/me", bearer(phone))->status, 401);
  login_ok("therapist@example.org", "a-new-password");
}

TEST_F(ApiAuthTest, InvitationIsAcceptedOnceAndItsReplayIsRefused) {
  const json in = login_ok();
  auto created = post("/api/v1/invitations", {{"client", client_}}, bearer(in));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string token = json::parse(created->body).at("token");
  const json accept = {
      {"token", token}, {"email", "ada@example.org"}, {"password", "ada-password"}};
  auto first = post("/api/v1/invitations/accept", accept);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201) << first->body;
  auto replay =
      post("/api/v1/invitations/accept",
           {{"token", token}, {"email", "eve@example.org"}, {"password", "eve-password"}});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 409);
  EXPECT_EQ(json::parse(replay->body).at("detail"), "this invitation has already been used");
  const json ada = login_ok("ada@example.org", "ada-password");
  EXPECT_EQ(ada.at("role"), "client");
  // The web app finds a client's own record through /me.
  auto me = client().Get("/api/v1/me", bearer(ada));
  ASSERT_TRUE(me);
  ASSERT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(json::parse(me->body).at("client_id"), client_);
}

json staff_invitation(const std::string& role = "therapist", bool trainee = false) {
  return {{"role", role}, {"display_name", "Ada Reed (demo)"}, {"trainee", trainee}};
}

TEST_F(ApiAuthTest, AnAdminInvitesATherapistWhoseAccountCarriesTheRoleAndName) {
  const json admin = login_ok("admin@example.org", "admin-password");
  auto created = post("/api/v1/invitations", staff_invitation("therapist", true), bearer(admin));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const json link = json::parse(created->body);
  EXPECT_EQ(link.at("token").get<std::string>().size(), crypto::kTokenChars);
  auto accepted = post(
      "/api/v1/invitations/accept",
      {{"token", link.at("token")}, {"email", "Ada@Example.org"}, {"password", "ada-password"}});
  ASSERT_TRUE(accepted);
  ASSERT_EQ(accepted->status, 201) << accepted->body;

  const json ada = login_ok("ada@example.org", "ada-password");
  EXPECT_EQ(ada.at("role"), "therapist");
  const json me = json::parse(client().Get("/api/v1/me", bearer(ada))->body);
  EXPECT_EQ(me.at("display_name"), "Ada Reed (demo)");
  EXPECT_EQ(me.at("trainee"), true);
  EXPECT_FALSE(me.contains("client_id"));

  auto replay = post(
      "/api/v1/invitations/accept",
      {{"token", link.at("token")}, {"email", "eve@example.org"}, {"password", "eve-password"}});
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->status, 409);
  EXPECT_EQ(post("/api/v1/auth/login", {{"email", "eve@example.org"}, {"password", "eve-password"}})
                ->status,
            401);
}

TEST_F(ApiAuthTest, OnlyAnAdminMayInviteStaff) {
  const json therapist = login_ok();
  auto refused = post("/api/v1/invitations", staff_invitation("admin"), bearer(therapist));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 403) << refused->body;
  EXPECT_EQ(refused->get_header_value("Content-Type"), "application/problem+json");
}

TEST_F(ApiAuthTest, BadStaffInvitationsAre400NamingTheField) {
  const json admin = login_ok("admin@example.org", "admin-password");
  const std::vector<std::pair<json, std::string>> cases = {
      {{{"role", "client"}, {"display_name", "X"}}, "role"},
      {{{"role", "janitor"}, {"display_name", "X"}}, "role"},
      {{{"role", "therapist"}}, "display_name"},
      {{{"role", "therapist"}, {"display_name", "  "}}, "display_name"},
      {{{"role", "supervisor"}, {"display_name", "X"}, {"trainee", true}}, "trainee"},
      {{{"role", "therapist"}, {"display_name", "X"}, {"trainee", "yes"}}, "trainee"},
      {{{"role", "therapist"}, {"display_name", "X"}, {"client", client_}}, "client"},
      {json::object(), "client"},
  };
  for (const auto& [body, field] : cases) {
    auto res = post("/api/v1/invitations", body, bearer(admin));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << body.dump() << " " << res->body;
    EXPECT_EQ(json::parse(res->body).value("field", ""), field) << body.dump();
  }
}

TEST_F(ApiAuthTest, AnExpiredInvitationIsRefusedAndMakesNoAccount) {
  const json admin = login_ok("admin@example.org", "admin-password");
  const json link =
      json::parse(post("/api/v1/invitations", staff_invitation(), bearer(admin))->body);
  clock_.advance(7 * service::kDayMs);
  auto late = post(
      "/api/v1/invitations/accept",
      {{"token", link.at("token")}, {"email", "ada@example.org"}, {"password", "ada-password"}});
  ASSERT_TRUE(late);
  EXPECT_EQ(late->status, 409);
  EXPECT_EQ(json::parse(late->body).at("detail"), "this invitation has expired; ask for a new one");
  EXPECT_EQ(post("/api/v1/auth/login", {{"email", "ada@example.org"}, {"password", "ada-password"}})
                ->status,
            401);
}

TEST_F(ApiAuthTest, InvitationListsShowStatusButNeverTheToken) {
  const json admin = login_ok("admin@example.org", "admin-password");
  const json therapist = login_ok();
  const json staff =
      json::parse(post("/api/v1/invitations", staff_invitation("supervisor"), bearer(admin))->body);
  const json used =
      json::parse(post("/api/v1/invitations", {{"client", client_}}, bearer(therapist))->body);
  ASSERT_EQ(
      post("/api/v1/invitations/accept",
           {{"token", used.at("token")}, {"email", "c@example.org"}, {"password", "c-password"}})
          ->status,
      201);
  clock_.advance(7 * service::kDayMs - service::kMinuteMs);
  const json fresh =
      json::parse(post("/api/v1/invitations", {{"client", client_}}, bearer(login_ok()))->body);
  clock_.advance(2 * service::kMinuteMs);  // the first two are now past their week

  auto all =
      client().Get("/api/v1/invitations", bearer(login_ok("admin@example.org", "admin-password")));
  ASSERT_TRUE(all);
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_EQ(all->body.find(staff.at("token").get<std::string>()), std::string::npos);
  EXPECT_EQ(all->body.find("token"), std::string::npos);
  const json items = json::parse(all->body).at("items");
  ASSERT_EQ(items.size(), 3U);
  EXPECT_EQ(items[0].at("id"), staff.at("id"));
  EXPECT_EQ(items[0].at("role"), "supervisor");
  EXPECT_TRUE(items[0].at("client").is_null());
  EXPECT_EQ(items[0].at("display_name"), "Ada Reed (demo)");
  EXPECT_EQ(items[0].at("status"), "expired");
  EXPECT_EQ(items[1].at("role"), "client");
  EXPECT_EQ(items[1].at("client"), client_);
  EXPECT_FALSE(items[1].contains("display_name"));
  EXPECT_EQ(items[1].at("created_by"), therapist_);
  EXPECT_EQ(items[1].at("status"), "used");
  EXPECT_EQ(items[2].at("id"), fresh.at("id"));
  EXPECT_EQ(items[2].at("status"), "pending");

  const json again = login_ok();
  const json own = json::parse(client().Get("/api/v1/invitations", bearer(again))->body);
  ASSERT_EQ(own.at("items").size(), 2U);  // the therapist's two, not the admin's
  EXPECT_EQ(own.at("items")[0].at("id"), used.at("id"));

  const json page = json::parse(client().Get("/api/v1/invitations?limit=1", bearer(again))->body);
  EXPECT_EQ(page.at("items").size(), 1U);
  EXPECT_EQ(page.at("next_after"), used.at("id"));

  const json client_login = login_ok("c@example.org", "c-password");
  EXPECT_EQ(client().Get("/api/v1/invitations", bearer(client_login))->status, 403);
}

TEST_F(ApiAuthTest, InvitationsAreAuditedWhenMadeAndAccepted) {
  const json admin = login_ok("admin@example.org", "admin-password");
  const json link =
      json::parse(post("/api/v1/invitations", staff_invitation(), bearer(admin))->body);
  ASSERT_EQ(post("/api/v1/invitations/accept", {{"token", link.at("token")},
                                                {"email", "ada@example.org"},
                                                {"password", "ada-password"}})
                ->status,
            201);
  const json refused = login_ok();
  ASSERT_EQ(post("/api/v1/invitations", staff_invitation(), bearer(refused))->status, 403);

  auto tx = *store_->begin();
  core::AuditQuery query;
  query.action = "invitation.";
  const auto entries = *tx->search_audit(org_, query);
  std::vector<std::string> seen;
  for (const auto& e : entries) {
    seen.push_back(e.action + " " + std::string(core::to_string(e.outcome)));
    if (e.outcome == core::AuditOutcome::kOk) {
      EXPECT_EQ(e.record_id, link.at("id").get<core::Id>());
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"invitation.create ok", "invitation.accept ok",
                                            "invitation.create denied"}));
}

}  // namespace
}  // namespace tandem::api
