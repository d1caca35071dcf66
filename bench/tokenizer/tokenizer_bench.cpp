// tokenizer_bench --tokenizer FILE [--min-seconds S] INPUT...
//
// Single-thread encode throughput: for each INPUT file, encodes its whole
// contents repeatedly for at least S seconds (default 1) and prints one JSON
// line {"input", "bytes", "tokens", "mb_per_s", "seconds_per_encode"}.
// Build it in the release preset; numbers from debug (ASan) builds mean nothing.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/tokenizer_gguf.h"

int main(int argc, char** argv) {
  std::string path;
  double min_seconds = 1.0;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--tokenizer") && i + 1 < argc) {
      path = argv[++i];
    } else if (!std::strcmp(argv[i], "--min-seconds") && i + 1 < argc) {
      min_seconds = std::atof(argv[++i]);
    } else {
      inputs.emplace_back(argv[i]);
    }
  }
  auto loaded = sluice::tokenizer::LoadTokenizerFile(path);
  if (!loaded.ok()) {
    std::cerr << "tokenizer_bench: " << loaded.status().ToString() << "\n";
    return 1;
  }
  const sluice::tokenizer::Tokenizer& tok = **loaded;
  for (const std::string& input : inputs) {
    std::ifstream in(input, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    std::vector<int32_t> ids;
    tok.Encode(text, {}, &ids);  // warm-up
    const size_t n_tokens = ids.size();
    int runs = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      ids.clear();
      tok.Encode(text, {}, &ids);
      ++runs;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < min_seconds);
    const double per = elapsed / runs;
    std::printf("{\"input\":\"%s\",\"bytes\":%zu,\"tokens\":%zu,\"mb_per_s\":%.2f,\"seconds_per_encode\":%.6f}\n",
                input.c_str(), text.size(), n_tokens, static_cast<double>(text.size()) / per / 1e6, per);
  }
  return 0;
}
