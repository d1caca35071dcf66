#include "tokenizer/tokenizer_cli.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <chrono>
#include <fstream>

#include "tokenizer/internal/spec.h"
#include "tokenizer/tokenizer_gguf.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/trainer.h"
#include "tokenizer/utf8_lossy.h"

namespace sluice::tokenizer {

int RunTokenizeCommand(const TokenizeCommandOptions& options, std::string_view text, std::ostream& out,
                       std::ostream& err) {
  auto tok = LoadTokenizerFile(options.tokenizer_path);
  if (!tok.ok()) {
    err << "sluice tokenize: " << tok.status().ToString() << "\n";
    return 1;
  }
  const std::vector<int32_t> ids =
      (*tok)->Encode(text, EncodeOptions{.add_special = options.add_special, .parse_special = options.parse_special});
  out << '[';
  for (size_t i = 0; i < ids.size(); ++i) out << (i ? ", " : "") << ids[i];
  out << "]\n";
  if (options.show_pieces) {
    for (int32_t id : ids) {
      out << id << '\t' << boost::json::serialize(boost::json::string(Utf8Lossy((*tok)->TokenPiece(id)))) << '\n';
    }
  }
  return 0;
}

int RunTrainCommand(const TrainCommandOptions& options, std::ostream& out, std::ostream& err) {
  if (options.out_path.empty() || options.corpus_paths.empty()) {
    err << "sluice tokenizer train: needs --out FILE and at least one corpus file\n";
    return 1;
  }
  StatusOr<PreTokenizerKind> kind = PreTokenizerFromGgufName(options.pre_tokenizer);
  if (!kind.ok()) {
    err << "sluice tokenizer train: --pre: " << kind.status().ToString() << "\n";
    return 1;
  }
  TrainOptions train{.vocab_size = options.vocab_size, .special_tokens = options.special_tokens,
                     .pre_tokenizer = *kind, .n_threads = options.n_threads};
  const auto start = std::chrono::steady_clock::now();
  auto tok = TrainByteLevelBpeFromFiles(options.corpus_paths, train);
  if (!tok.ok()) {
    err << "sluice tokenizer train: " << tok.status().ToString() << "\n";
    return 1;
  }
  StatusOr<std::string> json = ByteLevelTokenizerToJson(**tok);
  if (!json.ok()) {
    err << "sluice tokenizer train: " << json.status().ToString() << "\n";
    return 1;
  }
  {
    std::ofstream file(options.out_path, std::ios::binary | std::ios::trunc);
    file << *json;
    if (!file.flush()) {
      err << "sluice tokenizer train: cannot write " << options.out_path << "\n";
      return 1;
    }
  }
  auto back = LoadTokenizerJson(*json);
  if (!back.ok() || (*back)->vocab_size() != (*tok)->vocab_size()) {
    err << "sluice tokenizer train: the written tokenizer does not load back: "
        << (back.ok() ? "vocabulary size differs" : back.status().ToString()) << "\n";
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << "wrote " << options.out_path << ": " << (*tok)->vocab_size() << " tokens, " << (*tok)->spec().merges.size()
      << " merges, " << seconds << " s\n";
  return 0;
}

}  // namespace sluice::tokenizer
