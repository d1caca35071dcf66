// Fuzz target: the tokenizer.json loader. tokenizer::LoadTokenizerJson must
// accept the input or refuse it with a Status; a tokenizer it accepts must
// then encode and decode anything without failing (tokenizer.h: "Encode and
// Decode never fail"), and only ever produce ids inside the vocabulary.
// The text encoded is a fixed set of strings plus the first 256 bytes of the
// input itself (arbitrary, often invalid, UTF-8).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tokenizer/tokenizer.h"
#include "tokenizer/tokenizer_json.h"

namespace {

namespace tok = sluice::tokenizer;

void RoundTrip(const tok::Tokenizer& tokenizer, std::string_view text) {
  for (const tok::EncodeOptions& options :
       {tok::EncodeOptions{}, tok::EncodeOptions{.add_special = true, .parse_special = false}}) {
    const std::vector<int32_t> ids = tokenizer.Encode(text, options);
    for (int32_t id : ids) {
      if (id < 0 || id >= tokenizer.vocab_size()) {
        std::fprintf(stderr, "tokenizer_json_fuzz: id %d outside vocab of %d\n", id,
                     tokenizer.vocab_size());
        std::abort();
      }
    }
    (void)tokenizer.Decode(ids);
    (void)tokenizer.Decode(ids, /*skip_special=*/true);
    tok::StreamDecoder stream(tokenizer);
    for (int32_t id : ids) (void)stream.Feed(id);
    (void)stream.Finish();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto loaded = tok::LoadTokenizerJson(json);
  if (!loaded.ok()) return 0;
  const tok::Tokenizer& tokenizer = **loaded;

  for (std::string_view text : {"", "Hello, world!", "  leading spaces\tand\ttabs\n\n",
                                "<|endoftext|><s>[CLS] special?", "naïve café 日本語 😀",
                                "\xFF\xFE\xC3 broken utf-8", "1234567890 don't I'll"}) {
    RoundTrip(tokenizer, text);
  }
  RoundTrip(tokenizer, json.substr(0, 256));

  // Every accessor is defined for every id, including out-of-range ones.
  const int32_t n = tokenizer.vocab_size();
  for (int32_t id : {-1, 0, 1, n / 2, n - 1, n}) {
    (void)tokenizer.TokenPiece(id);
    (void)tokenizer.TokenId(tokenizer.TokenText(id));
    (void)tokenizer.token_type(id);
  }
  (void)tokenizer.end_of_generation_ids();
  (void)tok::CountTokens(tokenizer, json.substr(0, 256));
  return 0;
}
