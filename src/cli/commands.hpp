// Registration of the `tandem` subcommands. Each adds itself to the parent command
// and, when chosen, stores its exit code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>

namespace tandem::cli {

void add_sudden_gains_command(CLI::App& analyze, int& exit_code);
void add_reliable_change_command(CLI::App& analyze, int& exit_code);
void add_gas_command(CLI::App& analyze, int& exit_code);
void add_profile_command(CLI::App& analyze, int& exit_code);
void add_evaluate_alerts_command(CLI::App& app, int& exit_code);
void add_store_commands(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_demo_command(CLI::App& app, int& exit_code);
void add_audit_command(CLI::App& app, int& exit_code);
void add_init_command(CLI::App& app, int& exit_code);

}  // namespace tandem::cli
