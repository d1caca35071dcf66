// `sluice grammar check`: the grammar benchmark and conformance run over
// files in the JSON-Schema-Test-Suite shape (see issue 5 / docs/grammar.md).
// For each schema: compile (timed); for each test: serialize `data` as
// Python's json.dumps, tokenize, feed token by token (each FillMask timed),
// require acceptance, then the final validator's verdict. Single-threaded.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace sluice::grammar {

struct CheckCommandOptions {
  std::string tokenizer_path;           // tokenizer.json or .gguf
  std::vector<std::string> test_paths;  // files or directories of *.json
  bool json = false;                    // one JSON line per schema, then a summary line
};

// Returns the exit code (0 when every file loaded; 1 with a message on `err`).
int RunCheckCommand(const CheckCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sluice::grammar
