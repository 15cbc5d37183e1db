#include "api/server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

#include "api/problem.hpp"
#include "api/static_files.hpp"

namespace tandem::api {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr std::string_view kUnmatchedRoute = "unmatched";
constexpr std::string_view kStaticRoute = "static";

// What the access log and the metrics need to know about the request a worker thread
// is serving. cpp-httplib serves a request on one thread from routing to logging and
// has no per-request slot of its own, so this lives in a thread_local; the pre-routing
// hook resets it, the logger clears it.
struct InFlight {
  bool active = false;
  SteadyClock::time_point start;
  std::string route;
  std::string request_id;
};
thread_local InFlight t_in_flight;  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)

std::string new_request_id() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return fmt::format("{:016x}", generator());
}

// A caller's (e.g. a reverse proxy's) id is kept when it is short and plain.
bool acceptable_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '_' || c == '.';
    if (!plain) return false;
  }
  return true;
}

// Metric labels take a known method or OTHER, so a client cannot grow the label set.
std::string_view method_label(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "OTHER";
}

bool is_api_path(std::string_view path) { return path == "/api" || path.rfind("/api/", 0) == 0; }

nlohmann::json problem_for_http_status(int status) {
  switch (status) {
    case 400:
      return problem_body(400, "bad-request", "Bad request", "The request could not be read.");
    case 404:
      return problem_body(404, "not-found", "Not found", "No such resource.");
    case 405:
      return problem_body(405, "method-not-allowed", "Method not allowed", "");
    case 413:
      return problem_body(413, "content-too-large", "Content too large",
                          "The request body is larger than this server accepts.");
    case 414:
      return problem_body(414, "uri-too-long", "URI too long", "");
    case 416:
      return problem_body(416, "range-not-satisfiable", "Range not satisfiable", "");
    default:
      if (status >= 500) {
        return problem_body(status, "internal", "Internal error",
                            "Something went wrong on our side.");
      }
      return problem_body(status, "http-" + std::to_string(status), "Request not served", "");
  }
}

std::string dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& security_headers() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Security-Policy",
       "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
       "object-src 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
  };
  return headers;
}

class Server::Impl {
 public:
  Impl(ServerSettings settings, Router router, Metrics& metrics, const core::Clock& clock)
      : settings_(std::move(settings)),
        router_(std::move(router)),
        metrics_(metrics),
        clock_(clock),
        http_(make_server(settings_)) {
    if (settings_.web_dir) {
      auto files = StaticFiles::open(*settings_.web_dir);
      if (files) static_files_.emplace(std::move(*files));
    }
    if (http_) configure();
  }

  ~Impl() { stop(); }

  // Plain HTTP, or HTTPS when a certificate and key are given; nullptr when they cannot be
  // read (tls_error() says so before anything binds).
  static std::unique_ptr<httplib::Server> make_server(const ServerSettings& settings) {
    if (!settings.tls) return std::make_unique<httplib::Server>();
    auto server = std::make_unique<httplib::SSLServer>(settings.tls->certificate.c_str(),
                                                       settings.tls->private_key.c_str());
    if (!server->is_valid()) return nullptr;
    return server;
  }

  core::Result<int> bind() {
    std::lock_guard lock(mutex_);
    if (port_ > 0) return port_;
    if (!http_) {
      return core::fail(core::Status::invalid_argument(
          fmt::format("cannot use the TLS certificate {} with the key {} (unreadable, not PEM, "
                      "or they do not match)",
                      settings_.tls->certificate.string(), settings_.tls->private_key.string()),
          "tls"));
    }
    int port = -1;
    if (settings_.port == 0) {
      port = http_->bind_to_any_port(settings_.host);
    } else if (http_->bind_to_port(settings_.host, settings_.port)) {
      port = settings_.port;
    }
    if (port <= 0) {
      return core::fail(core::Status::unavailable(
          fmt::format("cannot listen on {}:{} (address in use, or not allowed)", settings_.host,
                      settings_.port)));
    }
    port_ = port;
    return port_;
  }

  core::Status run() {
    if (auto bound = bind(); !bound) return bound.error();
    {
      std::lock_guard lock(mutex_);
      if (stop_requested_) return core::Status::ok();
      running_ = true;
    }
    const bool clean = http_->listen_after_bind();
    {
      std::lock_guard lock(mutex_);
      running_ = false;
    }
    if (!clean && !stop_requested_) {
      return core::Status::unavailable("the HTTP server stopped accepting connections");
    }
    return core::Status::ok();
  }

  core::Status start() {
    if (auto bound = bind(); !bound) return bound.error();
    thread_ = std::thread([this] {
      core::Status status = run();
      if (!status.is_ok()) log_event("server_error", status.message());
    });
    const auto deadline = SteadyClock::now() + std::chrono::seconds(5);
    while (!http_->is_running()) {
      if (SteadyClock::now() > deadline) {
        return core::Status::unavailable("the HTTP server did not start within 5 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return core::Status::ok();
  }

  void stop() {
    {
      std::unique_lock lock(mutex_);
      stop_requested_ = true;
      // httplib's stop() does nothing until its accept loop has started.
      while (running_ && !http_->is_running()) {
        lock.unlock();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        lock.lock();
      }
    }
    if (http_) http_->stop();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
  }

  [[nodiscard]] int port() const {
    std::lock_guard lock(mutex_);
    return port_;
  }

  void set_authenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }
  [[nodiscard]] const Router& router() const { return router_; }

 private:
  void configure() {
    http_->new_task_queue = [threads = settings_.threads] {
      return new httplib::ThreadPool(static_cast<std::size_t>(threads > 0 ? threads : 1));
    };
    http_->set_payload_max_length(settings_.max_body_bytes);
    http_->set_read_timeout(settings_.read_timeout);
    http_->set_write_timeout(settings_.write_timeout);
    http_->set_keep_alive_timeout(settings_.keep_alive_timeout.count());
    // cpp-httplib writes a response's headers and body in separate send()s; with Nagle's
    // algorithm on, the body waits for the client's delayed ACK (40 ms on Linux) on every
    // keep-alive request (bench/load: 300 requests/s even for /healthz).
    http_->set_tcp_nodelay(true);
    httplib::Headers defaults;
    for (const auto& [name, value] : security_headers()) defaults.emplace(name, value);
    if (settings_.tls) {
      defaults.emplace("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
    http_->set_default_headers(std::move(defaults));

    http_->set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
      t_in_flight = InFlight{true, SteadyClock::now(), std::string(kUnmatchedRoute), {}};
      const std::string incoming = req.get_header_value("X-Request-Id");
      t_in_flight.request_id = acceptable_request_id(incoming) ? incoming : new_request_id();
      res.set_header("X-Request-Id", t_in_flight.request_id);
      return httplib::Server::HandlerResponse::Unhandled;
    });
    auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
      write(dispatch_request(req), res);
    };
    const std::string everything = ".*";
    http_->Get(everything, dispatch);
    http_->Post(everything, dispatch);
    http_->Put(everything, dispatch);
    http_->Patch(everything, dispatch);
    http_->Delete(everything, dispatch);
    http_->Options(everything, dispatch);

    // Errors raised by httplib itself (413, 400, 414) get a problem body too.
    http_->set_error_handler(
        httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          res.set_content(dump(problem_for_http_status(res.status)),
                          std::string(kProblemContentType).c_str());
          res.set_header("Cache-Control", "no-store");
          return httplib::Server::HandlerResponse::Handled;
        }));
    http_->set_exception_handler([](const httplib::Request&, httplib::Response& res,
                                    const std::exception_ptr&) {
      res.status = 500;
      res.set_content(dump(problem_for_http_status(500)), std::string(kProblemContentType).c_str());
    });
    http_->set_logger(
        [this](const httplib::Request& req, const httplib::Response& res) { finish(req, res); });
  }

  Response dispatch_request(const httplib::Request& req) {
    const RouteMatch match = router_.match(req.method, req.path);
    switch (match.kind) {
      case RouteMatch::Kind::kFound:
        t_in_flight.route = match.route->pattern;
        return call(*match.route, match, req);
      case RouteMatch::Kind::kBadParameter:
        t_in_flight.route = match.route->pattern;
        return Response::problem(match.error);
      case RouteMatch::Kind::kMethodNotAllowed: {
        Response response = Response::text(
            dump(problem_body(405, "method-not-allowed", "Method not allowed",
                              fmt::format("{} is not allowed here; allowed: {}", req.method,
                                          fmt::join(match.allowed, ", ")))),
            std::string(kProblemContentType), 405);
        response.headers.emplace_back("Allow", fmt::format("{}", fmt::join(match.allowed, ", ")));
        return response;
      }
      case RouteMatch::Kind::kNotFound:
        break;
    }
    const bool get = req.method == "GET" || req.method == "HEAD";
    if (get && !is_api_path(req.path)) {
      if (auto file = serve_static(req.path)) {
        t_in_flight.route = std::string(kStaticRoute);
        return *file;
      }
    }
    Response response = Response::problem(core::Status::not_found(
        is_api_path(req.path) ? "There is no such API route." : "No such page."));
    return response;
  }

  std::optional<Response> serve_static(std::string_view path) const {
    std::optional<Response> file;
    if (static_files_) file = static_files_->serve(path);
    if (!file && path == "/favicon.ico") file = builtin_favicon();
    return file;
  }

  // The peer, or behind a trusted proxy the client it forwarded for (every
  // X-Forwarded-For header, in order).
  std::string client_address(const Request& request, const std::string& peer) const {
    if (settings_.trusted_proxies.empty()) return peer;
    std::string forwarded;
    auto [first, last] = request.headers.equal_range("x-forwarded-for");
    for (auto it = first; it != last; ++it) {
      if (!forwarded.empty()) forwarded += ',';
      forwarded += it->second;
    }
    return settings_.trusted_proxies.client_address(peer, forwarded);
  }

  Response call(const Route& route, const RouteMatch& match, const httplib::Request& req) {
    Request request;
    request.method = req.method;
    request.path = req.path;
    request.pattern = route.pattern;
    request.request_id = t_in_flight.request_id;
    request.body = req.body;
    request.params = match.params;
    for (const auto& [name, value] : req.params) request.query.emplace(name, value);
    for (const auto& [name, value] : req.headers) {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace(std::move(lower), value);
    }
    request.remote_address = client_address(request, req.remote_addr);
    request.secure = settings_.tls.has_value();
    if (route.auth == Auth::kSession) {
      if (!authenticator_) {
        return Response::problem(
            core::Status::unauthenticated("This route needs a signed-in session."));
      }
      auto actor = authenticator_(request);
      if (!actor) return Response::problem(actor.error());
      request.actor = *actor;
    }
    try {
      return route.handler(request);
    } catch (const std::exception& e) {
      log_event("handler_exception", e.what());
    } catch (...) {
      log_event("handler_exception", "unknown exception");
    }
    return Response::problem(core::Status::internal("handler threw"));
  }

  static void write(const Response& response, httplib::Response& res) {
    res.status = response.status;
    for (const auto& [name, value] : response.headers) res.set_header(name, value);
    if (!res.has_header("Cache-Control")) res.set_header("Cache-Control", "no-store");
    if (!response.content_type.empty() || !response.body.empty()) {
      res.set_content(response.body, response.content_type.empty() ? "application/octet-stream"
                                                                   : response.content_type.c_str());
    }
  }

  void finish(const httplib::Request& req, const httplib::Response& res) {
    const InFlight in_flight = std::exchange(t_in_flight, InFlight{});
    const double seconds =
        in_flight.active
            ? std::chrono::duration<double>(SteadyClock::now() - in_flight.start).count()
            : 0.0;
    const std::string_view route = in_flight.active ? in_flight.route : kUnmatchedRoute;
    const std::string_view method = method_label(req.method);
    metrics_.record(route, method, res.status, seconds);
    // Never the raw path, query string, headers or bodies: they can carry ids, tokens
    // and health data.
    nlohmann::json line = {{"time", core::format_timestamp(clock_.now())},
                           {"event", "http_request"},
                           {"method", method},
                           {"route", route},
                           {"status", res.status},
                           {"duration_ms", seconds * 1000.0},
                           {"bytes", res.body.size()},
                           {"request_id", in_flight.request_id}};
    emit(dump(line));
  }

  void log_event(std::string_view event, std::string_view detail) {
    emit(dump({{"time", core::format_timestamp(clock_.now())},
               {"event", event},
               {"detail", detail},
               {"request_id", t_in_flight.request_id}}));
  }

  void emit(const std::string& line) {
    if (settings_.log_sink) {
      settings_.log_sink(line);
    } else {
      std::fprintf(stderr, "%s\n", line.c_str());
    }
  }

  ServerSettings settings_;
  Router router_;
  Metrics& metrics_;
  const core::Clock& clock_;
  std::optional<StaticFiles> static_files_;
  Authenticator authenticator_;
  std::unique_ptr<httplib::Server> http_;  // an httplib::SSLServer under TLS
  std::thread thread_;
  mutable std::mutex mutex_;
  int port_ = 0;
  bool running_ = false;
  std::atomic<bool> stop_requested_{false};
};

Server::Server(ServerSettings settings, Router router, Metrics& metrics, const core::Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(router), metrics, clock)) {}

Server::~Server() = default;

void Server::set_authenticator(Authenticator authenticator) {
  impl_->set_authenticator(std::move(authenticator));
}
core::Result<int> Server::bind() { return impl_->bind(); }
core::Status Server::run() { return impl_->run(); }
core::Status Server::start() { return impl_->start(); }
void Server::stop() { impl_->stop(); }
int Server::port() const { return impl_->port(); }
const Router& Server::router() const { return impl_->router(); }

bool wait_until_ready(const std::string& host, int port, std::chrono::milliseconds timeout) {
  const auto deadline = SteadyClock::now() + timeout;
  httplib::Client client(host, port);
  client.set_connection_timeout(std::chrono::milliseconds(200));
  client.set_read_timeout(std::chrono::seconds(1));
  while (SteadyClock::now() < deadline) {
    if (auto res = client.Get("/healthz"); res && res->status == 200) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace tandem::api
