// Tandem's HTTP server: the route table served over cpp-httplib (kept out of this
// header), with the cross-cutting parts in one place: body and JSON limits, timeouts,
// a worker pool, security headers, X-Request-Id, problem+json for every error, JSON
// access logs and request metrics, the web front end's static files, and a clean stop
// (no new connections; requests in flight finish; run() returns). start(), stop() and
// port() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/client_address.hpp"
#include "api/http.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "core/ports.hpp"
#include "core/status.hpp"

namespace tandem::api {

struct ServerSettings {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: an ephemeral port (tests); port() says which
  std::size_t max_body_bytes = kDefaultMaxBodyBytes;
  int threads = 8;  // worker pool: requests served at once
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
  // An idle keep-alive connection is closed after this; stop() may wait this long.
  std::chrono::seconds keep_alive_timeout{2};
  std::optional<std::filesystem::path> web_dir;  // web/dist; none: API only
  // HTTPS in the process (PEM files); none: plain HTTP, for 127.0.0.1 behind a reverse proxy
  // that terminates TLS.
  struct Tls {
    std::filesystem::path certificate;
    std::filesystem::path private_key;
  };
  std::optional<Tls> tls;
  // Reverse proxies whose X-Forwarded-For is believed (Request::remote_address); none by
  // default, so the address is the TCP peer's.
  TrustedProxies trusted_proxies;
  // Receives each access-log line (one JSON object, no newline). Default: stderr.
  std::function<void(std::string_view line)> log_sink;
};

// Turns the session a request carries (cookie or bearer token) into its actor, or
// fails (Unauthenticated, or PermissionDenied for a missing CSRF header). Runs before
// every Auth::kSession route; without one, every session route answers 401.
using Authenticator = std::function<core::Result<service::Actor>(const Request&)>;

class Server {
 public:
  // `metrics` and `clock` must outlive the server.
  Server(ServerSettings settings, Router router, Metrics& metrics, const core::Clock& clock);
  ~Server();  // stops and joins a server started with start()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Call before start() or run().
  void set_authenticator(Authenticator authenticator);

  // Binds the listening socket (once); Unavailable when the address is taken.
  core::Result<int> bind();
  // Binds if needed and serves until stop(). Blocks.
  core::Status run();
  // run() on a background thread; returns once connections are accepted.
  core::Status start();
  // Stops accepting, lets requests in flight finish, and makes run() return.
  // Idempotent; safe from any thread (a signal-watching thread, a test).
  void stop();
  // The bound port (useful with port 0), or 0 before bind().
  [[nodiscard]] int port() const;
  [[nodiscard]] const Router& router() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Polls GET /healthz on host:port until it answers 200 or `timeout` passes
// (cpp-httplib 0.11 has no wait_until_ready of its own).
bool wait_until_ready(const std::string& host, int port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The security headers every response carries.
const std::vector<std::pair<std::string, std::string>>& security_headers();

}  // namespace tandem::api
