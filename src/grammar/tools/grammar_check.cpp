// grammar_check --tokenizer FILE [--json] PATH...: the same run as
// `sluice grammar check`, as a small binary for benchmarking without
// building the whole gateway.
#include <cstring>
#include <iostream>

#include "grammar/check_command.h"

int main(int argc, char** argv) {
  sluice::grammar::CheckCommandOptions o;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--tokenizer") == 0 && i + 1 < argc) o.tokenizer_path = argv[++i];
    else if (std::strcmp(argv[i], "--json") == 0) o.json = true;
    else if (std::strcmp(argv[i], "--tests") == 0) continue;
    else o.test_paths.push_back(argv[i]);
  }
  if (o.tokenizer_path.empty() || o.test_paths.empty()) {
    std::cerr << "usage: grammar_check --tokenizer FILE [--json] --tests PATH...\n";
    return 2;
  }
  return sluice::grammar::RunCheckCommand(o, std::cout, std::cerr);
}
