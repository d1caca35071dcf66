// tokenize_batch --tokenizer FILE [--add-special] [--no-parse-special]
//                [--decode] [--roundtrip]
//
// Reads JSON Lines from stdin, one object per line: {"text": "..."} or, for
// bytes that are not valid UTF-8, {"hex": "e282"}. Writes one JSON line per
// input: {"ids": [...]} — plus "text" (the decoded text, lossy UTF-8) with
// --decode, and "roundtrip": true/false (decode(encode(x)) == x, byte exact)
// with --roundtrip. FILE is a tokenizer.json or a .gguf. Errors in a line are
// reported as {"error": "..."} and do not stop the run.
#include <boost/json.hpp>
#include <cstring>
#include <iostream>
#include <string>

#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_gguf.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/utf8_lossy.h"

namespace json = boost::json;
using namespace sluice::tokenizer;

namespace {

bool FromHex(std::string_view hex, std::string* out) {
  if (hex.size() % 2) return false;
  for (size_t i = 0; i < hex.size(); i += 2) {
    auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    const int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  EncodeOptions options;
  bool decode = false, roundtrip = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--tokenizer") && i + 1 < argc) {
      path = argv[++i];
    } else if (!std::strcmp(argv[i], "--add-special")) {
      options.add_special = true;
    } else if (!std::strcmp(argv[i], "--no-parse-special")) {
      options.parse_special = false;
    } else if (!std::strcmp(argv[i], "--decode")) {
      decode = true;
    } else if (!std::strcmp(argv[i], "--roundtrip")) {
      roundtrip = true;
    } else {
      std::cerr << "usage: tokenize_batch --tokenizer FILE [--add-special] [--no-parse-special] [--decode] [--roundtrip]\n";
      return 2;
    }
  }
  auto loaded = LoadTokenizerFile(path);
  if (!loaded.ok()) {
    std::cerr << "tokenize_batch: " << loaded.status().ToString() << "\n";
    return 1;
  }
  const Tokenizer& tok = **loaded;
  std::ios::sync_with_stdio(false);
  std::string line;
  std::vector<int32_t> ids;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    json::object result;
    std::string text;
    const json::object* o = v.if_object();
    if (ec || !o) {
      result["error"] = "bad input line";
    } else if (const json::value* t = o->if_contains("text"); t && t->is_string()) {
      text = std::string(t->as_string());
    } else if (const json::value* h = o->if_contains("hex"); !(h && h->is_string() && FromHex(h->as_string(), &text))) {
      result["error"] = "line has neither text nor valid hex";
    }
    if (result.empty()) {
      ids.clear();
      tok.Encode(text, options, &ids);
      result["ids"] = json::value_from(ids);
      if (decode || roundtrip) {
        const std::string back = tok.Decode(ids);
        if (decode) result["text"] = Utf8Lossy(back);
        if (roundtrip) result["roundtrip"] = back == text;
      }
    }
    std::cout << json::serialize(result) << '\n';
  }
  return 0;
}
