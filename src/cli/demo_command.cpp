// `tandem demo --db PATH`: seeds the fictional demo practice (Riverside Practice (demo))
// into a new store and shows each therapist's caseload at a glance, most pressing first.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/keys.hpp"
#include "crypto/keyring.hpp"
#include "crypto/password_hasher.hpp"
#include "crypto/system_clock.hpp"
#include "service/demo.hpp"
#include "service/insight.hpp"
#include "storage/open_store.hpp"

namespace tandem::cli {
namespace {

struct DemoArgs {
  std::string db = "sqlite:tandem-demo.db";
  std::optional<std::string> key_file;
  std::string instrument_dir = TANDEM_INSTRUMENT_DIR;
  bool quiet = false;
};

std::string sqlite_path(const std::string& url) {
  if (url.rfind("sqlite:", 0) == 0) return url.substr(7);
  return {};
}

std::string signal_words(const core::Signal& signal) {
  return fmt::format("{} (session {})", core::to_string(signal.type), signal.session);
}

int run(DemoArgs args) {
  if (args.db.find(':') == std::string::npos) args.db = "sqlite:" + args.db;
  // A demo needs a key like any practice; when none is configured, one is written beside
  // the demo database (fine for fictional data, never for a real practice).
  std::optional<std::string> key_file = args.key_file;
  const char* env_key = std::getenv("TANDEM_KEY");
  const char* env_key_file = std::getenv("TANDEM_KEY_FILE");
  if (!key_file && (env_key == nullptr || *env_key == '\0') &&
      (env_key_file == nullptr || *env_key_file == '\0')) {
    const std::string path = sqlite_path(args.db);
    if (path.empty()) {
      return report(core::Status::invalid_argument(
          "give --key-file (or TANDEM_KEY_FILE) for a demo outside SQLite", "key-file"));
    }
    key_file = path + ".key";
    if (!std::filesystem::exists(*key_file)) {
      auto created = crypto::create_key_file(*key_file);
      if (!created) return report(created.error());
    }
  }
  auto cipher = load_cipher(key_file);
  if (!cipher) return report(cipher.error());
  auto store = store::open_store(args.db, *cipher);
  if (!store) return report(store.error());
  auto shipped = shipped_catalogue(args.instrument_dir);
  if (!shipped) return report(shipped.error());
  const service::InstrumentCatalogue& catalogue = *shipped;
  const crypto::SystemClock clock;
  const crypto::Argon2idHasher hasher;
  auto practice = service::seed_demo_practice(**store, clock, hasher, catalogue);
  if (!practice) return report(practice.error());

  std::printf("Seeded %s into %s: %zu clients, %d sessions (all fictional).\n",
              std::string(service::kDemoOrganisation).c_str(), store::describe_url(args.db).c_str(),
              practice->clients.size(), practice->sessions);
  std::printf(
      "Logins (password %s): admin@example.org, supervisor@example.org,\n"
      "  therapist1@example.org .. therapist3@example.org (therapist3 is a trainee),\n"
      "  client1@example.org .. client%d@example.org\n",
      std::string(service::kDemoPassword).c_str(), service::kDemoClients);
  if (args.quiet) return kExitOk;

  const service::Context context{**store, clock, hasher, catalogue};
  for (std::size_t t = 0; t < practice->therapists.size(); ++t) {
    const service::Actor therapist{practice->therapists[t], practice->org, core::Role::kTherapist,
                                   t == 2, std::nullopt};
    auto caseload = service::caseload(context, therapist, practice->therapists[t]);
    if (!caseload) return report(caseload.error());
    std::printf("\nCaseload of %s, most pressing first:\n", caseload->therapist_name.c_str());
    for (const auto& entry : caseload->clients) {
      std::string patterns;
      for (auto pattern : entry.patterns) {
        patterns += (patterns.empty() ? "" : ", ") + std::string(core::to_string(pattern));
      }
      std::string signals;
      for (const auto& signal : entry.signals) {
        signals += (signals.empty() ? "" : ", ") + signal_words(signal);
      }
      std::printf("  %-28s %2d sessions  %-40s %s\n", entry.display_name.c_str(), entry.sessions,
                  patterns.empty() ? "-" : patterns.c_str(), signals.c_str());
    }
  }
  return kExitOk;
}

}  // namespace

void add_demo_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<DemoArgs>();
  CLI::App* command = app.add_subcommand(
      "demo", "seed the fictional demo practice into a new store and show its caseloads");
  command->add_option("--db", args->db, "store URL or SQLite file (default tandem-demo.db)");
  command->add_option("--key-file", args->key_file,
                      "encryption key file (default: DB.key beside a SQLite demo database)");
  command->add_option("--instrument-dir", args->instrument_dir, "shipped instruments")
      ->envname("TANDEM_INSTRUMENT_DIR");
  command->add_flag("--quiet", args->quiet, "do not print the caseloads");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
