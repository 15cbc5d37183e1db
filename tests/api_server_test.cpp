// The HTTP foundation against a real server on 127.0.0.1 (an ephemeral port) with a
// temporary SQLite store, talked to with a real client: health, readiness, metrics,
// security headers, problem+json errors, limits, static files, request ids, access
// logs, clean shutdown, and the route table against docs/openapi.yaml.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http.hpp"
#include "api/metrics.hpp"
#include "api/openapi.hpp"
#include "api/problem.hpp"
#include "api/router.hpp"
#include "api/routes.hpp"
#include "api/server.hpp"
#include "api/signals.hpp"
#include "storage/sqlite/sqlite_store.hpp"
#include "support/fake_cipher.hpp"

namespace tandem::api {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

class FixedClock final : public core::Clock {
 public:
  core::Timestamp now() const override { return 1'780'000'000'000; }
  core::Date today() const override { return 20'600; }
};

// A store whose only working part is ping(), for readiness.
class PingStore final : public core::Store {
 public:
  explicit PingStore(core::Status ping) : ping_(std::move(ping)) {}
  core::Result<std::unique_ptr<core::Transaction>> begin() override {
    return core::fail(core::Status::unavailable("no transactions here"));
  }
  core::Result<int> schema_version() override { return 1; }
  int latest_schema_version() const override { return 1; }
  core::Status ping() override { return ping_; }
  core::Result<std::int64_t> reseal_all() override { return 0; }

 private:
  core::Status ping_;
};

class LogLines {
 public:
  void add(std::string_view line) {
    std::lock_guard lock(mutex_);
    lines_.emplace_back(line);
  }
  std::vector<std::string> all() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() /
                 (name + "-" + std::to_string(::getpid()) + "-" +
                  std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
  fs::create_directories(dir);
  return dir;
}

void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// A server with the real route table plus a few routes that exercise the plumbing.
class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start_with(nullptr); }

  void start_with(core::Store* store_override) {
    dir_ = temp_dir("tandem-api-test");
    web_ = dir_ / "web";
    write_file(web_ / "index.html", "<!doctype html><title>Tandem</title>");
    write_file(web_ / "assets" / "app.js", "console.log('tandem');");
    write_file(web_ / "styles" / "main.css", "body{}");
    write_file(dir_ / "secret.txt", "outside the web root");
    fs::create_symlink(dir_ / "secret.txt", web_ / "leak.txt");
    if (store_override == nullptr) {
      auto store = store::SqliteStore::open((dir_ / "tandem.db").string(),
                                            std::make_shared<testing_support::FakeCipher>());
      ASSERT_TRUE(store) << store.error().message();
      store_ = std::move(*store);
    }
    core::Store& store = store_override != nullptr ? *store_override : *store_;
    std::vector<Route> table = routes(Dependencies{store, metrics_, clock_});
    add_test_routes(table);
    auto router = Router::create(std::move(table));
    ASSERT_TRUE(router) << router.error().message();
    ServerSettings settings;
    settings.port = 0;
    settings.max_body_bytes = 4096;
    settings.threads = 4;
    settings.keep_alive_timeout = std::chrono::seconds(1);
    settings.web_dir = web_;
    settings.log_sink = [this](std::string_view line) { logs_.add(line); };
    server_ = std::make_unique<Server>(std::move(settings), std::move(*router), metrics_, clock_);
    server_->set_authenticator([](const Request& request) -> core::Result<service::Actor> {
      if (request.header("Authorization") != "Bearer good-token") {
        return core::fail(core::Status::unauthenticated("no valid session"));
      }
      service::Actor actor;
      actor.user = 7;
      actor.org = 1;
      actor.role = core::Role::kTherapist;
      return actor;
    });
    ASSERT_TRUE(server_->start().is_ok());
    ASSERT_TRUE(wait_until_ready("127.0.0.1", server_->port()));
  }

  void TearDown() override {
    if (server_) server_->stop();
    server_.reset();
    store_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void add_test_routes(std::vector<Route>& table) {
    table.push_back({"POST", "/api/v1/test/echo", Auth::kPublic, [](const Request& request) {
                       auto body = request.json();
                       if (!body) return Response::problem(body.error());
                       return Response::json(*body);
                     }});
    table.push_back({"GET", "/api/v1/test/items/{id}", Auth::kPublic, [](const Request& request) {
                       return Response::json({{"id", request.id("id")}});
                     }});
    table.push_back({"GET", "/api/v1/test/items/latest", Auth::kPublic, [](const Request&) {
                       return Response::json({{"latest", true}});
                     }});
    table.push_back({"DELETE", "/api/v1/test/items/{id}", Auth::kPublic,
                     [](const Request&) { return Response::no_content(); }});
    table.push_back({"GET", "/api/v1/test/private", Auth::kSession, [](const Request& request) {
                       return Response::json({{"user", request.actor->user}});
                     }});
    table.push_back({"GET", "/api/v1/test/boom", Auth::kPublic,
                     [](const Request&) -> Response { throw std::runtime_error("db at /x"); }});
    table.push_back({"GET", "/api/v1/test/internal", Auth::kPublic, [](const Request&) {
                       return Response::problem(core::Status::internal("table users is gone"));
                     }});
    table.push_back({"GET", "/api/v1/test/conflict", Auth::kPublic, [](const Request&) {
                       return Response::problem(
                           core::Status::already_exists("email taken", "email"));
                     }});
    table.push_back({"GET", "/api/v1/test/slow", Auth::kPublic, [this](const Request&) {
                       slow_entered_ = true;
                       std::this_thread::sleep_for(std::chrono::milliseconds(600));
                       return Response::json({{"slow", "done"}});
                     }});
  }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", server_->port());
    c.set_read_timeout(std::chrono::seconds(5));
    return c;
  }

  static json body_of(const httplib::Result& res) { return json::parse(res->body); }

  // Metrics are recorded after the response is written: wait for the count.
  bool wait_for_count(std::string_view route, std::string_view method, int status,
                      std::uint64_t count) {
    for (int i = 0; i < 200; ++i) {
      if (metrics_.requests(route, method, status) >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
  }

  fs::path dir_;
  fs::path web_;
  FixedClock clock_;
  Metrics metrics_;
  LogLines logs_;
  std::unique_ptr<core::Store> store_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> slow_entered_{false};
};

void expect_problem(const httplib::Result& res, int status, const std::string& slug) {
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, status);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  const json body = json::parse(res->body);
  EXPECT_EQ(body.at("type"), "https://tandem.example.org/problems/" + slug);
  EXPECT_EQ(body.at("status"), status);
  EXPECT_TRUE(body.at("title").is_string());
}

TEST_F(ApiServerTest, HealthzAnswersOk) {
  auto res = client().Get("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(body_of(res), json({{"status", "ok"}}));
}

TEST_F(ApiServerTest, ReadyzAnswersOkWhenTheStoreIsReachable) {
  auto res = client().Get("/readyz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(body_of(res).at("status"), "ready");
}

TEST_F(ApiServerTest, ReadyzIs503ProblemWhenTheStorePingFails) {
  server_->stop();
  PingStore failing(core::Status::unavailable("connection to db.internal:5432 refused"));
  start_with(&failing);
  auto res = client().Get("/readyz");
  expect_problem(res, 503, "unavailable");
  EXPECT_EQ(res->body.find("db.internal"), std::string::npos) << "no infrastructure in replies";
  server_->stop();
}

TEST_F(ApiServerTest, MetricsCountRequestsByRoutePatternMethodAndStatus) {
  auto c = client();
  ASSERT_TRUE(c.Get("/api/v1/test/items/7"));
  ASSERT_TRUE(c.Get("/api/v1/test/items/8"));
  ASSERT_TRUE(c.Get("/api/v1/nothing/here"));
  ASSERT_TRUE(wait_for_count("/api/v1/test/items/{id}", "GET", 200, 2));
  ASSERT_TRUE(wait_for_count("unmatched", "GET", 404, 1));
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_NE(res->get_header_value("Content-Type").find("text/plain; version=0.0.4"),
            std::string::npos);
  const std::string& text = res->body;
  EXPECT_NE(text.find("# TYPE tandem_http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("tandem_http_requests_total{route=\"/api/v1/test/items/{id}\","
                      "method=\"GET\",status=\"200\"} 2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE tandem_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("tandem_http_request_duration_seconds_bucket{route=\"/api/v1/test/items/"
                      "{id}\",method=\"GET\",le=\"+Inf\"} 2"),
            std::string::npos);
  EXPECT_NE(text.find("tandem_http_request_duration_seconds_count{route=\"/api/v1/test/items/"
                      "{id}\",method=\"GET\"} 2"),
            std::string::npos);
  EXPECT_EQ(text.find("items/7"), std::string::npos) << "raw paths never become labels";
}

TEST_F(ApiServerTest, MetricsShowTheDatabasePoolGauges) {
  auto res = client().Get("/metrics");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string& text = res->body;
  EXPECT_NE(text.find("# TYPE tandem_db_pool_size gauge\ntandem_db_pool_size 4\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE tandem_db_pool_connections gauge"), std::string::npos);
  EXPECT_NE(text.find("tandem_db_pool_connections{state=\"idle\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tandem_db_pool_connections{state=\"in_use\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE tandem_db_pool_waits_total counter"), std::string::npos);

  auto tx = store_->begin();  // a transaction holds a connection while it lives
  ASSERT_TRUE(tx);
  const std::string busy = client().Get("/metrics")->body;
  EXPECT_NE(busy.find("tandem_db_pool_connections{state=\"in_use\"} 1\n"), std::string::npos)
      << busy;
}

TEST(ApiMetrics, AStoreWithoutAPoolAddsNoGauges) {
  EXPECT_EQ(render_pool(std::nullopt), "");
  const std::string text = render_pool(core::PoolStats{8, 3, 2, 5});
  EXPECT_NE(text.find("tandem_db_pool_size 8\n"), std::string::npos);
  EXPECT_NE(text.find("tandem_db_pool_connections{state=\"idle\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("tandem_db_pool_connections{state=\"in_use\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("tandem_db_pool_waits_total 5\n"), std::string::npos);
}

TEST_F(ApiServerTest, EveryResponseCarriesTheSecurityHeaders) {
  auto c = client();
  std::vector<httplib::Result> results;
  results.push_back(c.Get("/healthz"));
  results.push_back(c.Get("/api/v1/nothing"));
  results.push_back(c.Get("/index.html"));
  results.push_back(c.Post("/api/v1/test/echo", std::string(8000, ' '), "application/json"));
  for (const auto& res : results) {
    ASSERT_TRUE(res);
    const std::string csp = res->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << res->status;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer");
  }
}

TEST_F(ApiServerTest, ApiResponsesAreNotCached) {
  auto res = client().Get("/api/v1/test/items/3");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
}

TEST_F(ApiServerTest, UnknownApiRouteIsA404Problem) {
  expect_problem(client().Get("/api/v1/no/such/route"), 404, "not-found");
  expect_problem(client().Post("/api/v1/no/such/route", "{}", "application/json"), 404,
                 "not-found");
}

TEST_F(ApiServerTest, WrongMethodIs405WithAllow) {
  auto res = client().Put("/api/v1/test/items/4", "{}", "application/json");
  expect_problem(res, 405, "method-not-allowed");
  EXPECT_EQ(res->get_header_value("Allow"), "DELETE, GET");
}

TEST_F(ApiServerTest, MalformedJsonIs400NamingThePosition) {
  auto res = client().Post("/api/v1/test/echo", "{\n  \"a\": tru }", "application/json");
  expect_problem(res, 400, "invalid-argument");
  const json body = body_of(res);
  EXPECT_NE(body.at("detail").get<std::string>().find("line 2, column"), std::string::npos)
      << body.dump();
  EXPECT_EQ(body.at("field"), "body");
}

TEST_F(ApiServerTest, WellFormedJsonReachesTheHandler) {
  auto res =
      client().Post("/api/v1/test/echo", R"({"goal":"sleep","rating":4})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(body_of(res), json({{"goal", "sleep"}, {"rating", 4}}));
}

TEST_F(ApiServerTest, JsonDeeperThanTheLimitIs400) {
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  auto res = client().Post("/api/v1/test/echo", deep, "application/json");
  expect_problem(res, 400, "invalid-argument");
  EXPECT_NE(body_of(res).at("detail").get<std::string>().find("deeper than 32"), std::string::npos);
  const std::string fine = std::string(20, '[') + std::string(20, ']');
  auto ok = client().Post("/api/v1/test/echo", fine, "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(ApiServerTest, BodyThatIsNotJsonTypedIs400) {
  auto res = client().Post("/api/v1/test/echo", "{}", "text/plain");
  expect_problem(res, 400, "invalid-argument");
  EXPECT_EQ(body_of(res).at("field"), "Content-Type");
}

TEST_F(ApiServerTest, BodyOverTheLimitIs413Problem) {
  auto res = client().Post("/api/v1/test/echo", std::string(5000, ' '), "application/json");
  expect_problem(res, 413, "content-too-large");
  EXPECT_FALSE(res->get_header_value("X-Request-Id").empty());
}

TEST_F(ApiServerTest, NonNumericIdIs400NamingTheParameter) {
  for (const char* path : {"/api/v1/test/items/abc", "/api/v1/test/items/-1",
                           "/api/v1/test/items/0", "/api/v1/test/items/99999999999999999999"}) {
    auto res = client().Get(path);
    expect_problem(res, 400, "invalid-argument");
    EXPECT_EQ(body_of(res).at("field"), "id") << path;
  }
  auto res = client().Get("/api/v1/test/items/42");
  ASSERT_TRUE(res);
  EXPECT_EQ(body_of(res).at("id"), 42);
}

TEST_F(ApiServerTest, LiteralSegmentWinsOverAParameter) {
  auto res = client().Get("/api/v1/test/items/latest");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(body_of(res).at("latest"), true);
}

TEST_F(ApiServerTest, SessionRouteWithoutASessionIs401) {
  expect_problem(client().Get("/api/v1/test/private"), 401, "unauthenticated");
  expect_problem(client().Get("/api/v1/test/private", {{"Authorization", "Bearer forged"}}), 401,
                 "unauthenticated");
}

TEST_F(ApiServerTest, SessionRouteHandlerSeesTheAuthenticatedActor) {
  auto res = client().Get("/api/v1/test/private", {{"Authorization", "Bearer good-token"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(body_of(res).at("user"), 7);
}

TEST_F(ApiServerTest, PublicRoutesNeedNoSession) {
  auto res = client().Get("/api/v1/openapi.json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(body_of(res).at("openapi"), "3.1.0");
}

TEST_F(ApiServerTest, StatusCodesBecomeTheirHttpStatusWithField) {
  auto res = client().Get("/api/v1/test/conflict");
  expect_problem(res, 409, "already-exists");
  EXPECT_EQ(body_of(res).at("field"), "email");
  EXPECT_EQ(body_of(res).at("detail"), "email taken");
}

TEST_F(ApiServerTest, InternalErrorsHideTheirDetail) {
  auto internal = client().Get("/api/v1/test/internal");
  expect_problem(internal, 500, "internal");
  EXPECT_EQ(internal->body.find("users"), std::string::npos);
  auto thrown = client().Get("/api/v1/test/boom");
  expect_problem(thrown, 500, "internal");
  EXPECT_EQ(thrown->body.find("/x"), std::string::npos);
}

TEST_F(ApiServerTest, StaticFilesAreServedWithTheirType) {
  auto js = client().Get("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log('tandem');");
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js->get_header_value("Cache-Control").find("immutable"), std::string::npos);
  auto css = client().Get("/styles/main.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
  auto root = client().Get("/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->status, 200);
  EXPECT_EQ(root->get_header_value("Content-Type"), "text/html; charset=utf-8");
}

TEST_F(ApiServerTest, UnknownAppPathsGetIndexHtmlButMissingAssetsAre404) {
  auto app = client().Get("/clients/12/journey");
  ASSERT_TRUE(app);
  EXPECT_EQ(app->status, 200);
  EXPECT_NE(app->body.find("<title>Tandem</title>"), std::string::npos);
  auto missing = client().Get("/assets/missing.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ApiServerTest, FilesOutsideTheWebRootAreNeverServed) {
  for (const char* path : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt",
                           "/leak.txt", "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt"}) {
    auto res = client().Get(path);
    if (!res) continue;  // a client that refuses to send it is fine too
    EXPECT_EQ(res->body.find("outside the web root"), std::string::npos) << path;
  }
}

TEST_F(ApiServerTest, AFaviconIsAlwaysThere) {
  auto res = client().Get("/favicon.ico");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "image/x-icon");
  EXPECT_GT(res->body.size(), 1000U);
}

TEST_F(ApiServerTest, RequestIdIsGeneratedOrKept) {
  auto generated = client().Get("/healthz");
  ASSERT_TRUE(generated);
  EXPECT_EQ(generated->get_header_value("X-Request-Id").size(), 16U);
  auto kept = client().Get("/healthz", {{"X-Request-Id", "proxy-abc.123"}});
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->get_header_value("X-Request-Id"), "proxy-abc.123");
  auto replaced = client().Get("/healthz", {{"X-Request-Id", "evil\"id{}"}});
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->get_header_value("X-Request-Id").size(), 16U);
}

TEST_F(ApiServerTest, AccessLogsNamePatternsNotPathsQueriesOrBodies) {
  auto res = client().Get("/api/v1/test/items/9876?token=s3cr3t",
                          {{"Authorization", "Bearer tok-abcdef"}, {"Cookie", "sid=c00k1e"}});
  ASSERT_TRUE(res);
  ASSERT_TRUE(
      client().Post("/api/v1/test/echo", R"({"note":"felt hopeless"})", "application/json"));
  ASSERT_TRUE(wait_for_count("/api/v1/test/echo", "POST", 200, 1));
  // A worker writes its access line after the response has gone out, so the GET's line
  // may land after the POST was counted: wait for it.
  const auto has_get_line = [this] {
    for (const std::string& line : logs_.all()) {
      if (line.find("/api/v1/test/items/{id}") != std::string::npos) return true;
    }
    return false;
  };
  for (int i = 0; i < 200 && !has_get_line(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  bool found = false;
  for (const std::string& line : logs_.all()) {
    for (const char* secret : {"9876", "s3cr3t", "tok-abcdef", "c00k1e", "hopeless"}) {
      EXPECT_EQ(line.find(secret), std::string::npos) << line;
    }
    const json entry = json::parse(line);
    if (entry.value("route", "") == "/api/v1/test/items/{id}") {
      found = true;
      EXPECT_EQ(entry.at("method"), "GET");
      EXPECT_EQ(entry.at("status"), 200);
      EXPECT_EQ(entry.at("request_id"), res->get_header_value("X-Request-Id"));
      EXPECT_TRUE(entry.at("duration_ms").is_number());
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(ApiServerTest, StopLetsARequestInFlightFinish) {
  const int port = server_->port();
  int slow_status = 0;
  std::string slow_body;
  std::thread caller([&] {
    auto res = client().Get("/api/v1/test/slow");
    slow_status = res ? res->status : -1;
    if (res) slow_body = res->body;
  });
  while (!slow_entered_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  server_->stop();
  caller.join();
  EXPECT_EQ(slow_status, 200);
  EXPECT_EQ(slow_body, R"({"slow":"done"})");
  httplib::Client after("127.0.0.1", port);
  after.set_connection_timeout(std::chrono::milliseconds(300));
  EXPECT_FALSE(after.Get("/healthz")) << "no new connections after stop()";
}

TEST(ApiShutdown, SigtermMakesRunReturnAfterTheRequestInFlight) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        Metrics metrics;
        FixedClock clock;
        PingStore store(core::Status::ok());
        std::atomic<bool> entered{false};
        std::vector<Route> table = routes(Dependencies{store, metrics, clock});
        table.push_back({"GET", "/api/v1/test/slow", Auth::kPublic, [&](const Request&) {
                           entered = true;
                           std::this_thread::sleep_for(std::chrono::milliseconds(300));
                           return Response::json({{"slow", "done"}});
                         }});
        ServerSettings settings;
        settings.port = 0;
        settings.log_sink = [](std::string_view) {};
        Server server(settings, std::move(*Router::create(std::move(table))), metrics, clock);
        StopOnSignals on_signal([&server](int) { server.stop(); });
        const int port = *server.bind();
        int slow_status = 0;
        std::thread caller([&] {
          if (!wait_until_ready("127.0.0.1", port)) std::_Exit(3);
          httplib::Client c("127.0.0.1", port);
          std::thread signaller([&] {
            while (!entered) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            ::kill(::getpid(), SIGTERM);
          });
          auto res = c.Get("/api/v1/test/slow");
          slow_status = res ? res->status : -1;
          signaller.join();
        });
        const core::Status ran = server.run();
        caller.join();
        std::_Exit(ran.is_ok() && slow_status == 200 && on_signal.received() == SIGTERM ? 0 : 4);
      },
      ::testing::ExitedWithCode(0), "");
}

// HTTPS in the process: a self-signed certificate made with the openssl command for the test.
TEST(ApiTls, ServesHttpsWithHstsAndTellsHandlersTheConnectionIsSecure) {
  const fs::path dir = fs::temp_directory_path() / ("tandem_tls_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path cert = dir / "cert.pem";
  const fs::path key = dir / "key.pem";
  const std::string make_cert =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout " +
      key.string() + " -out " + cert.string() + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(make_cert.c_str()), 0) << "the openssl command is needed for this test";
  Metrics metrics;
  FixedClock clock;
  PingStore store(core::Status::ok());
  std::vector<Route> table = routes(Dependencies{store, metrics, clock});
  table.push_back({"GET", "/api/v1/test/secure", Auth::kPublic, [](const Request& request) {
                     return Response::json({{"secure", request.secure}});
                   }});
  ServerSettings settings;
  settings.port = 0;
  settings.log_sink = [](std::string_view) {};
  settings.tls = ServerSettings::Tls{cert, key};
  Server server(settings, std::move(*Router::create(std::move(table))), metrics, clock);
  ASSERT_TRUE(server.start().is_ok());
  httplib::SSLClient https("127.0.0.1", server.port());
  https.enable_server_certificate_verification(false);
  auto res = https.Get("/api/v1/test/secure");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(json::parse(res->body).at("secure"), true);
  EXPECT_EQ(res->get_header_value("Strict-Transport-Security"),
            "max-age=31536000; includeSubDomains");
  httplib::Client plain("127.0.0.1", server.port());
  plain.set_read_timeout(std::chrono::seconds(2));
  auto refused = plain.Get("/healthz");
  EXPECT_TRUE(!refused || refused->status != 200) << "plain HTTP is not served on the TLS port";
  server.stop();

  ServerSettings bad;
  bad.port = 0;
  bad.log_sink = [](std::string_view) {};
  bad.tls = ServerSettings::Tls{dir / "missing.pem", key};
  Server broken(bad, std::move(*Router::create(routes(Dependencies{store, metrics, clock}))),
                metrics, clock);
  auto bound = broken.bind();
  ASSERT_FALSE(bound);
  EXPECT_EQ(bound.error().field(), "tls");
  EXPECT_NE(bound.error().message().find("missing.pem"), std::string::npos);
  fs::remove_all(dir);
}

TEST(ApiProblem, EveryStatusCodeHasOneHttpStatus) {
  using core::StatusCode;
  EXPECT_EQ(http_status(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(http_status(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(http_status(StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(http_status(StatusCode::kNotFound), 404);
  EXPECT_EQ(http_status(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(http_status(StatusCode::kFailedPrecondition), 409);
  EXPECT_EQ(http_status(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(http_status(StatusCode::kUnavailable), 503);
  EXPECT_EQ(http_status(StatusCode::kInternal), 500);
}

TEST(ApiProblem, ProblemNamesItsTypeAndField) {
  const json body = problem_body(core::Status::invalid_argument("rating must be 0..10", "rating"));
  EXPECT_EQ(body.at("type"), "https://tandem.example.org/problems/invalid-argument");
  EXPECT_EQ(body.at("status"), 400);
  EXPECT_EQ(body.at("detail"), "rating must be 0..10");
  EXPECT_EQ(body.at("field"), "rating");
  EXPECT_FALSE(problem_body(core::Status::not_found("no client")).contains("field"));
}

TEST(ApiRequest, PageComesFromAfterAndLimit) {
  Request request;
  auto fallback = request.page();
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->after, 0);
  EXPECT_EQ(fallback->limit, 50);
  request.query = {{"after", "120"}, {"limit", "25"}};
  auto page = request.page();
  ASSERT_TRUE(page);
  EXPECT_EQ(page->after, 120);
  EXPECT_EQ(page->limit, 25);
  for (const char* bad : {"0", "201", "x", "-3"}) {
    request.query = {{"limit", bad}};
    auto rejected = request.page();
    ASSERT_FALSE(rejected) << bad;
    EXPECT_EQ(rejected.error().field(), "limit");
  }
  request.query = {{"after", "abc"}};
  ASSERT_FALSE(request.page());
  EXPECT_EQ(request.page().error().field(), "after");
}

TEST(ApiRouter, RejectsADuplicateRoute) {
  auto handler = [](const Request&) { return Response::no_content(); };
  auto router = Router::create({{"GET", "/api/v1/a/{id}", Auth::kPublic, handler},
                                {"GET", "/api/v1/a/{other}", Auth::kPublic, handler}});
  EXPECT_FALSE(router);
}

TEST(ApiRouter, StringParametersAreNotCheckedAsIds) {
  auto handler = [](const Request&) { return Response::no_content(); };
  auto router =
      Router::create({{"GET", "/api/v1/invitations/{token:string}", Auth::kPublic, handler}});
  ASSERT_TRUE(router);
  const RouteMatch match = router->match("GET", "/api/v1/invitations/abc-DEF");
  EXPECT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.params.at("token"), "abc-DEF");
  EXPECT_EQ(openapi_path("/api/v1/invitations/{token:string}"), "/api/v1/invitations/{token}");
}

// Every route the server has is documented, and every documented operation exists.
TEST(ApiOpenApi, DocumentAndRouteTableAgree) {
  const auto& document = openapi_json();
  ASSERT_TRUE(document) << document.error().message();
  EXPECT_EQ(document->at("openapi").get<std::string>().substr(0, 3), "3.1");
  Metrics metrics;
  FixedClock clock;
  PingStore store(core::Status::ok());
  std::set<std::string> served;
  for (const Route& route : routes(Dependencies{store, metrics, clock})) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    served.insert(method + " " + openapi_path(route.pattern));
  }
  std::set<std::string> documented;
  for (const auto& [path, item] : document->at("paths").items()) {
    for (const auto& [method, operation] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      documented.insert(method + " " + path);
    }
  }
  EXPECT_EQ(served, documented);
  ASSERT_TRUE(document->at("components").contains("securitySchemes"));
  EXPECT_TRUE(document->at("components").at("schemas").contains("Problem"));
}

TEST(ApiOpenApi, SessionRoutesDeclareSecurityAndPublicOnesDoNot) {
  const auto& document = openapi_json();
  ASSERT_TRUE(document);
  Metrics metrics;
  FixedClock clock;
  PingStore store(core::Status::ok());
  for (const Route& route : routes(Dependencies{store, metrics, clock})) {
    std::string method = route.method;
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const json& operation = document->at("paths").at(openapi_path(route.pattern)).at(method);
    const bool open = operation.contains("security") && operation.at("security").empty();
    EXPECT_EQ(open, route.auth == Auth::kPublic) << route.method << " " << route.pattern;
  }
}

}  // namespace
}  // namespace tandem::api
