// `tandem init`: a practice's first start. Creates the organisation and its first admin in
// a new or migrated store; the admin then invites everyone else from the web app (or with
// POST /api/v1/invitations). The password comes from TANDEM_ADMIN_PASSWORD or standard
// input, never from the command line (where other users of the machine could read it).
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/keys.hpp"
#include "crypto/password_hasher.hpp"
#include "crypto/system_clock.hpp"
#include "service/accounts.hpp"
#include "service/instrument_catalogue.hpp"
#include "storage/open_store.hpp"

namespace tandem::cli {
namespace {

struct InitArgs {
  std::string db = "sqlite:tandem.db";
  std::optional<std::string> key_file;
  std::string organisation;
  std::string admin_email;
  std::string admin_name;
  std::string crisis_text;
};

// One line from standard input, without echo when it is a terminal.
std::optional<std::string> read_password() {
  if (const char* env = std::getenv("TANDEM_ADMIN_PASSWORD"); env != nullptr && *env != '\0') {
    return std::string(env);
  }
  const bool terminal = isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    std::fprintf(stderr, "Password for the first admin (at least 8 characters): ");
    std::fflush(stderr);
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fprintf(stderr, "\n");
  }
  if (!got) return std::nullopt;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int run(const InitArgs& args) {
  auto password = read_password();
  if (!password) {
    return report(core::Status::invalid_argument(
        "password: set TANDEM_ADMIN_PASSWORD or give it on standard input", "password"));
  }
  auto cipher = load_cipher(args.key_file);
  if (!cipher) return report(cipher.error());
  auto store = store::open_store(args.db, *cipher);
  if (!store) return report(store.error());
  const service::InstrumentCatalogue catalogue({});  // creating an organisation reads none
  const crypto::SystemClock clock;
  const crypto::Argon2idHasher hasher;
  const service::Context context{**store, clock, hasher, catalogue};
  service::NewOrganisation input;
  input.name = args.organisation;
  input.crisis_text = args.crisis_text;
  input.admin_email = args.admin_email;
  input.admin_name = args.admin_name;
  input.admin_password = *password;
  auto made = service::bootstrap_organisation(context, input);
  if (!made) return report(made.error());
  std::printf("Created %s (organisation %lld) in %s with its first admin, %s.\n",
              args.organisation.c_str(), static_cast<long long>(made->org),
              store::describe_url(args.db).c_str(), args.admin_email.c_str());
  std::printf("Start the server with `tandem serve`, sign in, and invite your team.\n");
  if (args.crisis_text.empty()) {
    std::printf(
        "No crisis text yet: set the words your clients see when an answer suggests risk\n"
        "(Service page, or PUT /api/v1/organisation/crisis-text) before the first check-in.\n");
  }
  return kExitOk;
}

}  // namespace

void add_init_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* command = app.add_subcommand(
      "init", "create the organisation and its first admin (a practice's first start)");
  command
      ->add_option("--db", args->db,
                   "store URL: sqlite:PATH (default sqlite:tandem.db) or postgresql://...")
      ->envname("TANDEM_DB");
  command->add_option("--key-file", args->key_file, "field-encryption key file")
      ->envname("TANDEM_KEY_FILE");
  command->add_option("--organisation", args->organisation, "the practice's or service's name")
      ->required();
  command->add_option("--admin-email", args->admin_email, "the first admin's e-mail")->required();
  command->add_option("--admin-name", args->admin_name, "the first admin's name")->required();
  command->add_option("--crisis-text", args->crisis_text,
                      "what clients see at once when an answer suggests risk (local help)");
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
