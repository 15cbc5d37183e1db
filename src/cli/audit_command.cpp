// `tandem audit`: an organisation's admin searches its audit log from the command line
// (who did what to which record, when, and how it ended; never health data). The
// search runs through the same use case as the API, so it is itself audited.
#include <fmt/format.h>

#include <optional>
#include <vector>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/keys.hpp"
#include "crypto/password_hasher.hpp"
#include "crypto/system_clock.hpp"
#include "service/audit_log.hpp"
#include "storage/open_store.hpp"

namespace tandem::cli {
namespace {

struct AuditArgs {
  std::string db = "sqlite:tandem.db";
  std::optional<std::string> key_file;
  std::string as;  // the admin's e-mail
  std::optional<core::Id> actor;
  std::optional<std::string> action;
  std::optional<std::string> record_type;
  std::optional<core::Id> record_id;
  std::optional<std::string> from;
  std::optional<std::string> to;
  core::Id after = 0;
  int limit = 100;
  OutputOptions output;
};

const std::vector<std::string> kColumns = {"id",          "at",        "actor",  "action",
                                           "record_type", "record_id", "outcome"};

core::Result<std::optional<core::Timestamp>> day_start(const std::optional<std::string>& text,
                                                       const char* field) {
  if (!text) return std::optional<core::Timestamp>();
  const auto day = core::parse_date(*text);
  if (!day) {
    return core::fail(core::Status::invalid_argument(
        fmt::format("--{}: '{}' is not a date (YYYY-MM-DD)", field, *text), field));
  }
  return std::optional<core::Timestamp>(static_cast<core::Timestamp>(*day) * 86400000);
}

int run(const AuditArgs& args) {
  auto format = io::parse_format(args.output.format);
  if (!format) return report(format.error());
  auto from = day_start(args.from, "from");
  if (!from) return report(from.error());
  auto to = day_start(args.to, "to");
  if (!to) return report(to.error());
  auto cipher = load_cipher(args.key_file);
  if (!cipher) return report(cipher.error());
  auto store = store::open_store(args.db, *cipher);
  if (!store) return report(store.error());
  // The operator holds the database and its key; --as names the admin whose organisation
  // is searched and in whose name the search is audited.
  core::User admin;
  {
    auto tx = (*store)->begin();
    if (!tx) return report(tx.error());
    auto user = (*tx)->find_user_by_email(args.as);
    if (!user) {
      return report(core::Status::invalid_argument(fmt::format("--as: no user {}", args.as), "as"));
    }
    admin = *user;
  }
  if (admin.role != core::Role::kAdmin) {
    return report(core::Status::invalid_argument(
        fmt::format("--as: {} is not an admin; only admins read the audit log", args.as), "as"));
  }
  const crypto::SystemClock clock;
  const crypto::Argon2idHasher hasher;
  const service::InstrumentCatalogue instruments({});
  const service::Context context{**store, clock, hasher, instruments};
  const service::Actor actor{admin.id, admin.org, admin.role, false, std::nullopt};
  core::AuditQuery query;
  query.actor = args.actor;
  query.action = args.action;
  query.record_type = args.record_type;
  query.record_id = args.record_id;
  query.from = *from;
  if (*to) query.to = **to + 86400000;  // the whole of the --to day
  query.page.after = args.after;
  query.page.limit = args.limit;
  auto entries = service::search_audit(context, actor, query);
  if (!entries) return report(entries.error());
  io::OutputFile out;
  if (auto status = open_output(out, args.output, *format, kColumns); !status.is_ok()) {
    return report(status);
  }
  io::RowBuffer rows(out.format(), out.columns(), out.selected());
  for (const auto& entry : *entries) {
    rows.begin_row();
    rows.integer(entry.id);
    rows.text(core::format_timestamp(entry.at));
    if (entry.actor)
      rows.integer(*entry.actor);
    else
      rows.missing();
    rows.text(entry.action);
    rows.text(entry.record_type);
    if (entry.record_id)
      rows.integer(*entry.record_id);
    else
      rows.missing();
    rows.text(core::to_string(entry.outcome));
    rows.end_row();
  }
  if (auto status = out.write(rows); !status.is_ok()) return report(status);
  if (auto committed = out.commit(); !committed.is_ok()) return report(committed);
  return kExitOk;
}

}  // namespace

void add_audit_command(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<AuditArgs>();
  CLI::App* command = app.add_subcommand("audit", "search the organisation's audit log (admins)");
  command->add_option("--db", args->db, "store URL (default sqlite:tandem.db)")
      ->envname("TANDEM_DB");
  command->add_option("--key-file", args->key_file, "field-encryption key file")
      ->envname("TANDEM_KEY_FILE");
  command->add_option("--as", args->as, "the admin's e-mail (their organisation is searched)")
      ->required();
  command->add_option("--actor", args->actor, "only what this user id did");
  command->add_option("--action", args->action, "an action, or a prefix ending in '.' (episode.)");
  command->add_option("--record-type", args->record_type, "e.g. client, episode");
  command->add_option("--record-id", args->record_id, "one record");
  command->add_option("--from", args->from, "from this date (YYYY-MM-DD)");
  command->add_option("--to", args->to, "to this date, inclusive (YYYY-MM-DD)");
  command->add_option("--after", args->after, "entries after this id (paging)");
  command->add_option("--limit", args->limit, "at most this many entries (default 100)");
  add_output_options(*command, args->output);
  command->callback([args, &exit_code] { exit_code = run(*args); });
}

}  // namespace tandem::cli
