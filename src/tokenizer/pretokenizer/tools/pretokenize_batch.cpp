// pretokenize_batch: the C++ side of the pre-tokenizer differential test.
//
// Reads JSON Lines on stdin, writes one JSON line per input line:
//   {"kind":"llama3","text":"…"}  → ["piece", …]
//   {"kind":"gpt2","hex":"e282"}   → ["e2", "82"]   (bytes in hex: invalid UTF-8)
//   {"kind":"nfc","text":"…"}      → ["normalized"]
//   {"kind":"bert-normalize","text":"…","lowercase":true,"strip_accents":true,
//    "handle_chinese_chars":true,"clean_text":true} → ["normalized"]
//   {"kind":"classes","from":0,"to":1114111} → [CodePointClass bits | 256 if Mn, …]
// A malformed line gives {"error":"…"}.
//
//   pretokenize_batch --bench FILE [REPEAT]  prints the splitters' throughput.
#include <boost/json.hpp>
#include <utf8proc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/pretokenizer/normalizer.h"
#include "tokenizer/pretokenizer/pretokenizer.h"
#include "tokenizer/pretokenizer/unicode.h"

namespace json = boost::json;
using namespace sluice::tokenizer;

namespace {

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

bool Unhex(std::string_view hex, std::string* out) {
  auto val = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return false;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = val(hex[i]);
    const int lo = val(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

bool Flag(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->get_bool();
}

json::value Handle(const json::object& o) {
  const json::value* kind_v = o.if_contains("kind");
  if (kind_v == nullptr || !kind_v->is_string()) return json::object{{"error", "missing kind"}};
  const std::string_view kind = kind_v->get_string();
  if (kind == "classes") {
    const auto from = static_cast<char32_t>(o.at("from").to_number<int64_t>());
    const auto to = static_cast<char32_t>(o.at("to").to_number<int64_t>());
    json::array classes;
    for (char32_t cp = from; cp <= to; ++cp) {
      // Mn matters to BertNormalize's accent stripping, and is not a class bit.
      const bool mn = utf8proc_category(static_cast<utf8proc_int32_t>(cp)) == UTF8PROC_CATEGORY_MN;
      classes.push_back(ClassOf(cp) | (mn ? 256 : 0));
    }
    return classes;
  }
  std::string text;
  bool hex = false;
  if (const json::value* t = o.if_contains("text"); t != nullptr && t->is_string()) {
    text = t->get_string();
  } else if (const json::value* h = o.if_contains("hex"); h != nullptr && h->is_string()) {
    hex = true;
    if (!Unhex(h->get_string(), &text)) return json::object{{"error", "bad hex"}};
  } else {
    return json::object{{"error", "missing text"}};
  }
  auto emit = [&](std::string_view s) -> json::value {
    if (hex) return json::string(Hex(s));
    return json::string(s);
  };
  if (kind == "nfc") return json::array{emit(NfcNormalize(text))};
  if (kind == "bert-normalize") {
    return json::array{emit(BertNormalize(text, Flag(o, "lowercase"), Flag(o, "strip_accents"),
                                          Flag(o, "handle_chinese_chars"), Flag(o, "clean_text")))};
  }
  const auto k = PreTokenizerFromGgufName(kind);
  if (!k.ok()) return json::object{{"error", k.status().message()}};
  std::vector<std::string_view> pieces;
  PreTokenize(*k, text, &pieces);
  json::array out;
  for (const std::string_view p : pieces) out.push_back(emit(p));
  return out;
}

int Bench(const char* path, int repeat) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path);
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::string_view> pieces;
  pieces.reserve(text.size() / 2);
  for (const auto kind : {PreTokenizerKind::kGpt2, PreTokenizerKind::kLlama3, PreTokenizerKind::kQwen2,
                          PreTokenizerKind::kO200k, PreTokenizerKind::kBert}) {
    // Best pass of `repeat`: the machine is shared, the best is the least disturbed.
    double best = 1e30;
    for (int i = 0; i < repeat; ++i) {
      pieces.clear();
      const auto start = std::chrono::steady_clock::now();
      PreTokenize(kind, text, &pieces);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::printf("%-7s %8.1f MB/s  (%zu bytes, %zu pieces, best of %d)\n",
                std::string(PreTokenizerName(kind)).c_str(), static_cast<double>(text.size()) / best / 1e6,
                text.size(), pieces.size(), repeat);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::string_view(argv[1]) == "--bench") {
    return Bench(argv[2], argc >= 4 ? std::atoi(argv[3]) : 20);
  }
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    json::value out;
    boost::system::error_code ec;
    json::value in = json::parse(line, ec);
    if (ec || !in.is_object()) {
      out = json::object{{"error", "bad json line"}};
    } else {
      try {
        out = Handle(in.get_object());
      } catch (const std::exception& ex) {  // at()/to_number on a malformed request
        out = json::object{{"error", ex.what()}};
      }
    }
    std::cout << json::serialize(out) << '\n';
  }
  std::cout.flush();
  return 0;
}
