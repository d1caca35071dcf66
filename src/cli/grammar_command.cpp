#include "cli/grammar_command.h"

#include <iostream>
#include <memory>

#include "grammar/check_command.h"

void AddGrammarCommand(CLI::App& app) {
  auto o = std::make_shared<sluice::grammar::CheckCommandOptions>();
  CLI::App* grammar = app.add_subcommand("grammar", "JSON Schema grammars for structured generation");
  grammar->require_subcommand(1);
  CLI::App* check = grammar->add_subcommand(
      "check", "Compile each schema of JSON-Schema-Test-Suite files and feed every test token by token");
  check->footer(
      "Prints schemas compiled/refused, tests passed, valid instances wrongly rejected, invalid\n"
      "instances wrongly accepted (grammar alone / with the final validator), mask time\n"
      "p50/p90/p99/p99.9/max and compile time p50/p99 in microseconds. Single-threaded.");
  check->add_option("--tokenizer", o->tokenizer_path, "tokenizer.json or GGUF file")
      ->required()
      ->check(CLI::ExistingFile);
  check->add_option("--tests", o->test_paths, "Test files or directories of *.json")->required();
  check->add_flag("--json", o->json, "One JSON line per schema, then a summary line");
  check->callback([o] {
    int rc = sluice::grammar::RunCheckCommand(*o, std::cout, std::cerr);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}
