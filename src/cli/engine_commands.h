// CLI subcommands that run the embedded engine:
//   sluice generate --model M --prompt TEXT [--chat] [--max-tokens N]
//                   [--temperature T] [--top-k K] [--top-p P] [--seed S] [--threads N]
//       streams the continuation of TEXT (or, with --chat, the answer to TEXT
//       as a user message in the model's chat template) to stdout;
//   sluice embed --model M TEXT TEXT...
//       prints cosine similarity, dot product and Euclidean distance between
//       the texts' embeddings (every pair when more than two).
// Each runs from its CLI11 callback; a failure ends the program with exit
// code 1 (through CLI::RuntimeError) after printing the error.
#pragma once

namespace CLI {
class App;
}

void AddEngineCommands(CLI::App& app);
