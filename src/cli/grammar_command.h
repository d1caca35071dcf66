// sluice grammar check: registers the subcommand (grammar/check_command.h does the work).
#pragma once

#include <CLI/CLI.hpp>

void AddGrammarCommand(CLI::App& app);
