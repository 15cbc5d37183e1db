// `tandem serve`: the HTTP API and the web front end over a store. Each setting comes
// from, in order of precedence, a command-line flag, an environment variable, the TOML
// config file (--config / TANDEM_CONFIG), or its default. SIGTERM or SIGINT stops the
// server cleanly: no new connections, requests in flight finish, the store closes.
#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#ifdef TANDEM_HAVE_TOML
#include <toml++/toml.h>
#endif

#include "api/router.hpp"
#include "api/routes.hpp"
#include "api/routes_auth.hpp"
#include "api/server.hpp"
#include "api/signals.hpp"
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/keys.hpp"
#include "cli/reference.hpp"
#include "crypto/password_hasher.hpp"
#include "crypto/system_clock.hpp"
#include "crypto/tokens.hpp"
#include "io/profile_output.hpp"
#include "service/sessions.hpp"
#include "storage/open_store.hpp"

namespace tandem::cli {
namespace {

// What the command line said; unset options fall through to the environment, the
// config file, then the defaults.
struct ServeFlags {
  std::optional<std::string> db;
  std::optional<std::string> listen;
  std::optional<std::string> config;
  std::optional<std::string> key_file;
  std::optional<std::string> web_dir;
  std::optional<int> threads;
  std::optional<std::string> trusted_proxies;
  std::optional<std::string> expected;
  std::optional<std::string> tls_cert;
  std::optional<std::string> tls_key;
};

struct ServeSettings {
  std::string db = "sqlite:tandem.db";
  std::string listen = "127.0.0.1:8080";
  std::optional<std::string> key_file;
  std::optional<std::string> web_dir;  // default: web/dist when it exists
  int threads = 8;
  std::size_t max_body_bytes = api::kDefaultMaxBodyBytes;
  std::string trusted_proxies;  // comma-separated IPs whose X-Forwarded-For is believed
  std::string expected;         // "phq9=bands.csv,...": expected trajectories (not-on-track, bands)
  std::optional<std::string> tls_cert;  // PEM; with tls_key: HTTPS in the process
  std::optional<std::string> tls_key;
};

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

#ifdef TANDEM_HAVE_TOML
core::Status mistyped(const std::string& path, std::string_view name) {
  return core::Status::invalid_argument(
      fmt::format("{}: unknown or mistyped setting '{}' (known: db, listen, key_file, "
                  "web_dir, threads, max_body_bytes, trusted_proxies, expected, tls_cert, tls_key)",
                  path, name),
      std::string(name));
}

// trusted_proxies = ["10.0.0.1", "10.0.0.2"] as "10.0.0.1,10.0.0.2"; none if an entry is
// not a string.
std::optional<std::string> comma_list(const toml::array& array) {
  std::string out;
  for (const auto& item : array) {
    auto text = item.value<std::string>();
    if (!text) return std::nullopt;
    if (!out.empty()) out += ',';
    out += *text;
  }
  return out;
}
#endif

core::Status apply_config_file(const std::string& path, ServeSettings& settings) {
#ifdef TANDEM_HAVE_TOML
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return core::Status::invalid_argument(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                                      e.source().begin.column, e.description()),
                                          "config");
  }
  for (const auto& [key, node] : table) {
    const std::string_view name = key.str();
    auto text = node.value<std::string>();
    auto number = node.value<std::int64_t>();
    if (name == "db" && text) {
      settings.db = *text;
    } else if (name == "listen" && text) {
      settings.listen = *text;
    } else if (name == "key_file" && text) {
      settings.key_file = *text;
    } else if (name == "web_dir" && text) {
      settings.web_dir = *text;
    } else if (name == "tls_cert" && text) {
      settings.tls_cert = *text;
    } else if (name == "tls_key" && text) {
      settings.tls_key = *text;
    } else if (name == "threads" && number && *number > 0 && *number <= 1024) {
      settings.threads = static_cast<int>(*number);
    } else if (name == "max_body_bytes" && number && *number > 0) {
      settings.max_body_bytes = static_cast<std::size_t>(*number);
    } else if (name == "trusted_proxies" && (text || node.is_array())) {
      auto list = text ? std::optional<std::string>(*text) : comma_list(*node.as_array());
      if (!list) return mistyped(path, name);
      settings.trusted_proxies = *list;
    } else if (name == "expected" && (text || node.is_array())) {
      auto list = text ? std::optional<std::string>(*text) : comma_list(*node.as_array());
      if (!list) return mistyped(path, name);
      settings.expected = *list;
    } else {
      return mistyped(path, name);
    }
  }
  return core::Status::ok();
#else
  return core::Status::invalid_argument(
      fmt::format("cannot read {}: this tandem was built without TOML support (use flags or "
                  "TANDEM_* environment variables)",
                  path),
      "config");
#endif
}

core::Result<ServeSettings> resolve(const ServeFlags& flags) {
  ServeSettings settings;
  if (auto config = flags.config ? flags.config : env("TANDEM_CONFIG")) {
    if (core::Status status = apply_config_file(*config, settings); !status.is_ok()) {
      return core::fail(status);
    }
  }
  auto pick = [](const std::optional<std::string>& flag, const char* variable, auto& target) {
    if (flag) {
      target = *flag;
    } else if (auto value = env(variable)) {
      target = *value;
    }
  };
  pick(flags.db, "TANDEM_DB", settings.db);
  pick(flags.listen, "TANDEM_LISTEN", settings.listen);
  pick(flags.key_file, "TANDEM_KEY_FILE", settings.key_file);
  pick(flags.web_dir, "TANDEM_WEB_DIR", settings.web_dir);
  pick(flags.trusted_proxies, "TANDEM_TRUSTED_PROXIES", settings.trusted_proxies);
  pick(flags.expected, "TANDEM_EXPECTED", settings.expected);
  pick(flags.tls_cert, "TANDEM_TLS_CERT", settings.tls_cert);
  pick(flags.tls_key, "TANDEM_TLS_KEY", settings.tls_key);
  if (settings.tls_cert.has_value() != settings.tls_key.has_value()) {
    return core::fail(core::Status::invalid_argument(
        "tls: give both the certificate (--tls-cert) and its private key (--tls-key), or neither",
        settings.tls_cert ? "tls_key" : "tls_cert"));
  }
  if (flags.threads) settings.threads = *flags.threads;
  if (!settings.web_dir && std::filesystem::is_directory("web/dist")) settings.web_dir = "web/dist";
  return settings;
}

// "127.0.0.1:8080", "[::1]:8080" -> host and port (0 = any free port).
core::Status parse_listen(std::string_view listen, std::string& host, int& port) {
  const std::size_t colon = listen.rfind(':');
  auto bad = [&] {
    return core::Status::invalid_argument(
        fmt::format("listen address '{}' is not HOST:PORT (e.g. 127.0.0.1:8080)", listen),
        "listen");
  };
  if (colon == std::string_view::npos || colon == 0) return bad();
  std::string_view host_part = listen.substr(0, colon);
  if (host_part.size() >= 2 && host_part.front() == '[' && host_part.back() == ']') {
    host_part = host_part.substr(1, host_part.size() - 2);
  }
  const std::string_view port_part = listen.substr(colon + 1);
  int value = -1;
  auto [ptr, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
  if (ec != std::errc() || ptr != port_part.data() + port_part.size() || value < 0 ||
      value > 65535 || host_part.empty()) {
    return bad();
  }
  host = std::string(host_part);
  port = value;
  return core::Status::ok();
}

// Shipped instruments and texts: beside the sources in a build tree, or where
// TANDEM_INSTRUMENT_DIR / TANDEM_TEXTS point.
std::string instrument_dir() {
  const char* dir = std::getenv("TANDEM_INSTRUMENT_DIR");
  return dir != nullptr && *dir != '\0' ? std::string(dir) : std::string(TANDEM_INSTRUMENT_DIR);
}

std::string texts_path() {
  const char* path = std::getenv("TANDEM_TEXTS");
  if (path != nullptr && *path != '\0') return path;
  return (std::filesystem::path(TANDEM_INSTRUMENT_DIR).parent_path() / "texts" / "en.json")
      .string();
}

int run_serve(const ServeFlags& flags) {
  // First, before any thread starts, so that only the watcher receives the signals.
  std::mutex mutex;
  api::Server* target = nullptr;
  bool stop_early = false;
  api::StopOnSignals signals([&](int) {
    std::lock_guard lock(mutex);
    if (target != nullptr) {
      target->stop();
    } else {
      stop_early = true;
    }
  });

  auto settings = resolve(flags);
  if (!settings) return report(settings.error());
  api::ServerSettings server_settings;
  if (auto status = parse_listen(settings->listen, server_settings.host, server_settings.port);
      !status.is_ok()) {
    return report(status);
  }
  server_settings.threads = settings->threads;
  server_settings.max_body_bytes = settings->max_body_bytes;
  if (settings->web_dir) server_settings.web_dir = *settings->web_dir;
  if (settings->tls_cert) {
    server_settings.tls = api::ServerSettings::Tls{*settings->tls_cert, *settings->tls_key};
  }
  auto proxies = api::TrustedProxies::parse(settings->trusted_proxies);
  if (!proxies) return report(proxies.error());
  server_settings.trusted_proxies = std::move(*proxies);
  // Expected trajectories by instrument: the not-on-track signal and the expected band.
  auto expected = load_references(settings->expected, instrument_dir());
  if (!expected) return report(expected.error());
  service::InsightOptions insight;
  if (!expected->empty()) insight.expected = &*expected;

  auto cipher = load_cipher(settings->key_file);
  if (!cipher) return report(cipher.error());
  store::StoreSettings store_settings;
  store_settings.pool_size = settings->threads;
  auto store = store::open_store(settings->db, *cipher, store_settings);
  if (!store) return report(store.error());

  crypto::SystemClock clock;
  api::Metrics metrics;
  // The use cases: the shipped instruments (an organisation's own definitions are read
  // from the store) and the plain-language texts of profiles.
  auto catalogue = shipped_catalogue(instrument_dir());
  if (!catalogue) return report(catalogue.error());
  const service::InstrumentCatalogue& instruments = *catalogue;
  std::optional<io::Texts> texts;
  if (std::filesystem::exists(texts_path())) {
    auto loaded = io::Texts::load(texts_path());
    if (!loaded) return report(loaded.error());
    texts = std::move(*loaded);
  }
  const crypto::Argon2idHasher hasher;
  const service::Context context{**store, clock, hasher, instruments};
  const crypto::SodiumTokenIssuer tokens;
  const service::SessionContext sessions{context, tokens};
  api::Dependencies deps{**store, metrics, clock};
  deps.service = &context;
  deps.texts = texts ? &*texts : nullptr;
  deps.sessions = &sessions;
  deps.insight = &insight;
  auto router = api::Router::create(api::routes(deps));
  if (!router) return report(router.error());
  api::Server server(std::move(server_settings), std::move(*router), metrics, clock);
  server.set_authenticator([&sessions](const api::Request& request) {
    return api::authenticate_request(sessions, request);
  });
  {
    std::lock_guard lock(mutex);
    if (stop_early) return kExitOk;
    target = &server;
  }
  auto port = server.bind();
  if (!port) return report(port.error());
  std::fprintf(stderr, "tandem: serving %s://%s:%d (store %s, web %s); Ctrl-C stops\n",
               settings->tls_cert ? "https" : "http",
               settings->listen.substr(0, settings->listen.rfind(':')).c_str(), *port,
               store::describe_url(settings->db).c_str(),
               settings->web_dir ? settings->web_dir->c_str() : "none");
  const core::Status ran = server.run();
  {
    std::lock_guard lock(mutex);
    target = nullptr;
  }
  if (!ran.is_ok()) return report(ran);
  std::fprintf(stderr, "tandem: stopped\n");
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* serve =
      app.add_subcommand("serve", "run the HTTP API and the web app (stops on SIGTERM/SIGINT)");
  serve->add_option("--db", flags->db,
                    "store URL: sqlite:PATH (default sqlite:tandem.db) or postgresql://... "
                    "[env TANDEM_DB]");
  serve->add_option("--listen", flags->listen,
                    "HOST:PORT to listen on (default 127.0.0.1:8080) [env TANDEM_LISTEN]");
  serve->add_option("--config", flags->config, "TOML settings file [env TANDEM_CONFIG]");
  serve->add_option("--key-file", flags->key_file,
                    "field-encryption key file [env TANDEM_KEY_FILE]");
  serve->add_option("--web-dir", flags->web_dir,
                    "the built web app (default web/dist when present) [env TANDEM_WEB_DIR]");
  serve->add_option("--threads", flags->threads, "requests served at once (default 8)")
      ->check(CLI::Range(1, 1024));
  serve->add_option("--trusted-proxies", flags->trusted_proxies,
                    "comma-separated IPs of reverse proxies whose X-Forwarded-For names the "
                    "client (login throttling per address) [env TANDEM_TRUSTED_PROXIES]");
  serve->add_option("--tls-cert", flags->tls_cert,
                    "HTTPS: the certificate chain (PEM); with --tls-key. Without them, plain "
                    "HTTP for a reverse proxy that terminates TLS [env TANDEM_TLS_CERT]");
  serve->add_option("--tls-key", flags->tls_key,
                    "HTTPS: the certificate's private key (PEM) [env TANDEM_TLS_KEY]");
  serve->add_option("--expected", flags->expected,
                    "expected trajectories, INSTRUMENT=FILE[,...]: a band table from "
                    "`tandem evaluate-alerts --export-bands` or completed episodes' scores "
                    "(the not-on-track signal and the expected band) [env TANDEM_EXPECTED]");
  serve->callback([flags, &exit_code] { exit_code = run_serve(*flags); });
}

}  // namespace tandem::cli
