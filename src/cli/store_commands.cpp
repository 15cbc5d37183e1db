// `tandem migrate`, `tandem keygen`, `tandem rotate-key`: looking after the store and
// the encryption key of a practice's record of care.
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/keys.hpp"
#include "crypto/keyring.hpp"
#include "storage/open_store.hpp"

namespace tandem::cli {
namespace {

struct StoreArgs {
  std::string db = "sqlite:tandem.db";
  std::optional<std::string> key_file;
  bool drop_old = false;
};

int run_migrate(const StoreArgs& args) {
  store::StoreSettings settings;
  settings.migrate = true;
  auto store = store::open_store(args.db, no_key_cipher(), settings);
  if (!store) return report(store.error());
  auto version = (*store)->schema_version();
  if (!version) return report(version.error());
  std::printf("%s: schema version %d (this binary knows %d)\n",
              store::describe_url(args.db).c_str(), *version, (*store)->latest_schema_version());
  return kExitOk;
}

int run_keygen(const StoreArgs& args) {
  if (!args.key_file) {
    return report(core::Status::invalid_argument("--key-file FILE is required", "key-file"));
  }
  auto id = crypto::create_key_file(*args.key_file);
  if (!id) return report(id.error());
  std::printf("wrote a new key (id %s) to %s; keep it apart from the database and back it up\n",
              id->c_str(), args.key_file->c_str());
  return kExitOk;
}

int run_rotate(const StoreArgs& args) {
  if (!args.key_file) {
    return report(core::Status::invalid_argument(
        "--key-file FILE is required: the new key is added to it", "key-file"));
  }
  // 1. a new current key in the file (older keys stay, to open what they sealed);
  // 2. every encrypted field re-sealed under it, in one transaction;
  // 3. optionally, the old keys dropped from the file.
  auto id = crypto::rotate_key_file(*args.key_file);
  if (!id) return report(id.error());
  auto cipher = load_cipher(args.key_file);
  if (!cipher) return report(cipher.error());
  auto store = store::open_store(args.db, *cipher);
  if (!store) return report(store.error());
  auto count = (*store)->reseal_all();
  if (!count) {
    return report(count.error());
  }
  std::printf("new key %s; re-encrypted %lld fields\n", id->c_str(),
              static_cast<long long>(*count));
  if (args.drop_old) {
    auto dropped = crypto::drop_old_keys(*args.key_file);
    if (!dropped) return report(dropped.error());
    std::printf("dropped %zu old key(s) from %s\n", dropped->size(), args.key_file->c_str());
  } else {
    std::printf("the old key(s) stay in %s until you run this again with --drop-old\n",
                args.key_file->c_str());
  }
  return kExitOk;
}

void add_db_options(CLI::App& command, StoreArgs& args) {
  command
      .add_option("--db", args.db,
                  "store URL: sqlite:PATH (default sqlite:tandem.db) or postgresql://...")
      ->envname("TANDEM_DB");
  command.add_option("--key-file", args.key_file, "field-encryption key file")
      ->envname("TANDEM_KEY_FILE");
}

}  // namespace

void add_store_commands(CLI::App& app, int& exit_code) {
  auto migrate = std::make_shared<StoreArgs>();
  CLI::App* m = app.add_subcommand("migrate", "apply the store's pending schema migrations");
  add_db_options(*m, *migrate);
  m->callback([migrate, &exit_code] { exit_code = run_migrate(*migrate); });

  auto keygen = std::make_shared<StoreArgs>();
  CLI::App* k = app.add_subcommand("keygen", "create a new field-encryption key file");
  k->add_option("--key-file", keygen->key_file, "where to write it (must not exist)")->required();
  k->callback([keygen, &exit_code] { exit_code = run_keygen(*keygen); });

  auto rotate = std::make_shared<StoreArgs>();
  CLI::App* r = app.add_subcommand(
      "rotate-key", "add a new encryption key and re-encrypt every free-text field under it");
  add_db_options(*r, *rotate);
  r->add_flag("--drop-old", rotate->drop_old, "then remove the old keys from the key file");
  r->callback([rotate, &exit_code] { exit_code = run_rotate(*rotate); });
}

}  // namespace tandem::cli
