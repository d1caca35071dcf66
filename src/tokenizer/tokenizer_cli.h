// The tokenizer's CLI subcommands as plain functions; src/cli parses the
// flags and calls these. Each returns the process exit code (0 success, 1
// failure with a message on `err`).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::tokenizer {

struct TokenizeCommandOptions {
  std::string tokenizer_path;  // tokenizer.json or .gguf
  bool add_special = false;    // --add-special: BOS/EOS as the post-processor says
  bool parse_special = true;   // --no-parse-special: "<|eot_id|>" stays text
  bool show_pieces = false;    // --pieces: one "id<TAB>piece" line per token
};

// sluice tokenize --tokenizer FILE [--add-special] [--no-parse-special] [--pieces] TEXT
// Prints the ids as a JSON array on one line; with show_pieces, then one line
// per token: the id, a tab, and the token's text as a JSON string (lossy UTF-8).
int RunTokenizeCommand(const TokenizeCommandOptions& options, std::string_view text, std::ostream& out,
                       std::ostream& err);

struct TrainCommandOptions {
  std::vector<std::string> corpus_paths;
  int32_t vocab_size = 8192;
  std::string out_path;                     // tokenizer.json to write
  std::vector<std::string> special_tokens;  // --special TOKEN (repeatable)
  std::string pre_tokenizer = "llama3";     // --pre: gpt2, llama3, qwen2, o200k
  int n_threads = 2;
};

// sluice tokenizer train --vocab-size N --out tok.json [--special T]... [--pre llama3] corpus...
// Trains a byte-level BPE, writes the tokenizer.json, checks it loads back to
// the same tokenizer, and prints a one-line summary.
int RunTrainCommand(const TrainCommandOptions& options, std::ostream& out, std::ostream& err);

}  // namespace sluice::tokenizer
