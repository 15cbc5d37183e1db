// `tandem`: the command-line entry point. Parses the command line, runs the chosen
// subcommand and turns its outcome into an exit code (0 done, 1 failure, 2 bad input).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/common.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Tandem: progress in therapy, defined together and measured exactly.", "tandem"};
  app.set_version_flag("--version", std::string("tandem ") + TANDEM_VERSION);
  app.require_subcommand(1);

  int exit_code = tandem::cli::kExitOk;
  CLI::App* analyze =
      app.add_subcommand("analyze", "outcome analytics on CSV files (researchers, services)");
  analyze->require_subcommand(1);
  tandem::cli::add_sudden_gains_command(*analyze, exit_code);
  tandem::cli::add_reliable_change_command(*analyze, exit_code);
  tandem::cli::add_gas_command(*analyze, exit_code);
  tandem::cli::add_profile_command(*analyze, exit_code);
  tandem::cli::add_evaluate_alerts_command(app, exit_code);
  tandem::cli::add_init_command(app, exit_code);
  tandem::cli::add_store_commands(app, exit_code);
  tandem::cli::add_serve_command(app, exit_code);
  tandem::cli::add_demo_command(app, exit_code);
  tandem::cli::add_audit_command(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return tandem::cli::kExitBadInput;
  }
  return exit_code;
}
