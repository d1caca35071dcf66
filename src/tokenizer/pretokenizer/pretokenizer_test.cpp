#include "tokenizer/pretokenizer/pretokenizer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sluice::tokenizer {
namespace {

using Pieces = std::vector<std::string>;
using K = PreTokenizerKind;

Pieces Split(K kind, std::string_view text) {
  std::vector<std::string_view> views;
  PreTokenize(kind, text, &views);
  Pieces out(views.begin(), views.end());
  if (kind != K::kBert) {  // contiguous, covering, non-empty
    std::string joined;
    for (const auto& p : out) {
      EXPECT_FALSE(p.empty());
      joined += p;
    }
    EXPECT_EQ(joined, text);
  }
  return out;
}

TEST(Gpt2, WordsNumbersPunctuation) {
  EXPECT_EQ(Split(K::kGpt2, "Hello world"), (Pieces{"Hello", " world"}));
  EXPECT_EQ(Split(K::kGpt2, " 123 !!x"), (Pieces{" 123", " !!", "x"}));
  EXPECT_EQ(Split(K::kGpt2, "abc123"), (Pieces{"abc", "123"}));
}

TEST(Gpt2, ContractionsAreCaseSensitive) {
  EXPECT_EQ(Split(K::kGpt2, "I'm we'll"), (Pieces{"I", "'m", " we", "'ll"}));
  EXPECT_EQ(Split(K::kGpt2, "I'M"), (Pieces{"I", "'", "M"}));
  EXPECT_EQ(Split(K::kGpt2, "it'\u017f"), (Pieces{"it", "'", "\u017f"}));
  EXPECT_EQ(Split(K::kGpt2, "'''s"), (Pieces{"'''", "s"}));
}

TEST(Gpt2, WhitespaceLeavesLastCharForNextWord) {
  EXPECT_EQ(Split(K::kGpt2, "  hi"), (Pieces{" ", " hi"}));
  EXPECT_EQ(Split(K::kGpt2, "a\n\nb"), (Pieces{"a", "\n", "\n", "b"}));
  EXPECT_EQ(Split(K::kGpt2, "a\n\n  b"), (Pieces{"a", "\n\n ", " b"}));
  EXPECT_EQ(Split(K::kGpt2, "x   "), (Pieces{"x", "   "}));
}

TEST(Gpt2, UnicodeWhiteSpace) {
  // U+0085 is White_Space (\s), U+FEFF is not.
  EXPECT_EQ(Split(K::kGpt2, "a\u0085\u0085b"), (Pieces{"a", "\u0085", "\u0085", "b"}));
  EXPECT_EQ(Split(K::kGpt2, "a\ufeffb"), (Pieces{"a", "\ufeff", "b"}));
  EXPECT_EQ(Split(K::kGpt2, "x\u3000y"), (Pieces{"x", "\u3000", "y"}));
}

TEST(Llama3, ContractionsAnyCase) {
  EXPECT_EQ(Split(K::kLlama3, "he'S we'lL YOU'RE"), (Pieces{"he", "'S", " we", "'lL", " YOU", "'RE"}));
  // Unicode case folding: U+017F LONG S matches s.
  EXPECT_EQ(Split(K::kLlama3, "it'\u017f"), (Pieces{"it", "'\u017f"}));
  // A curly apostrophe is punctuation, taken as the optional prefix of a word.
  EXPECT_EQ(Split(K::kLlama3, "it\u2019s"), (Pieces{"it", "\u2019s"}));
  EXPECT_EQ(Split(K::kLlama3, " 's"), (Pieces{" '", "s"}));
}

TEST(Llama3, PrefixBeforeLetters) {
  EXPECT_EQ(Split(K::kLlama3, "x\u3000y\tz"), (Pieces{"x", "\u3000y", "\tz"}));
  EXPECT_EQ(Split(K::kLlama3, ".hello ..x"), (Pieces{".hello", " ..", "x"}));
  EXPECT_EQ(Split(K::kLlama3, "a\nb"), (Pieces{"a", "\n", "b"}));
}

TEST(Llama3, DigitsInGroupsOfThree) {
  EXPECT_EQ(Split(K::kLlama3, "1234567"), (Pieces{"123", "456", "7"}));
  EXPECT_EQ(Split(K::kLlama3, "x 12"), (Pieces{"x", " ", "12"}));
  // Arabic-Indic and fullwidth digits are \p{N} too.
  EXPECT_EQ(Split(K::kLlama3, "\u0661\u0662\u0663\u0664\uff11"),
            (Pieces{"\u0661\u0662\u0663", "\u0664\uff11"}));
}

TEST(Llama3, Newlines) {
  EXPECT_EQ(Split(K::kLlama3, "hello\n\n  world"), (Pieces{"hello", "\n\n", " ", " world"}));
  EXPECT_EQ(Split(K::kLlama3, "!!!\r\n\r\nabc"), (Pieces{"!!!\r\n\r\n", "abc"}));
  EXPECT_EQ(Split(K::kLlama3, "  \nword"), (Pieces{"  \n", "word"}));
  EXPECT_EQ(Split(K::kLlama3, "a \n \n b"), (Pieces{"a", " \n \n", " b"}));
}

TEST(Qwen2, OneDigitPerPiece) {
  EXPECT_EQ(Split(K::kQwen2, "x1234"), (Pieces{"x", "1", "2", "3", "4"}));
  EXPECT_EQ(Split(K::kQwen2, "I'M ok"), (Pieces{"I", "'M", " ok"}));
}

TEST(O200k, CaseRuns) {
  EXPECT_EQ(Split(K::kO200k, "HelloWorld JSONParser"), (Pieces{"Hello", "World", " JSONParser"}));
  EXPECT_EQ(Split(K::kO200k, "ABC def"), (Pieces{"ABC", " def"}));
  EXPECT_EQ(Split(K::kO200k, "iPhone"), (Pieces{"i", "Phone"}));
}

TEST(O200k, TrailingContractions) {
  EXPECT_EQ(Split(K::kO200k, "don't DON'T we'Ll"), (Pieces{"don't", " DON'T", " we'Ll"}));
  EXPECT_EQ(Split(K::kO200k, " 's"), (Pieces{" '", "s"}));
  EXPECT_EQ(Split(K::kO200k, "'s"), (Pieces{"'s"}));
}

TEST(O200k, PunctuationAbsorbsNewlinesAndSlashes) {
  EXPECT_EQ(Split(K::kO200k, "\n/ab"), (Pieces{"\n", "/ab"}));
  EXPECT_EQ(Split(K::kO200k, "x !!\n/\n/y"), (Pieces{"x", " !!\n/\n/", "y"}));
  EXPECT_EQ(Split(K::kO200k, "12345"), (Pieces{"123", "45"}));
}

TEST(O200k, MarksBelongToBothCaseSets) {
  // A lone mark before capitals is matched alone by the first alternative
  // (UP* gives everything back, the mark is LO+).
  EXPECT_EQ(Split(K::kO200k, "\u0301AB "), (Pieces{"\u0301", "AB", " "}));
  EXPECT_EQ(Split(K::kO200k, "e\u0301t\u00e9"), (Pieces{"e\u0301t\u00e9"}));
  EXPECT_EQ(Split(K::kO200k, "!\u0301x"), (Pieces{"!\u0301x"}));
}

TEST(Bert, WhitespaceAndPunctuation) {
  EXPECT_EQ(Split(K::kBert, "Hello, world!  (x)"), (Pieces{"Hello", ",", "world", "!", "(", "x", ")"}));
  EXPECT_EQ(Split(K::kBert, "a$b a\u2014b a\u20acb"), (Pieces{"a", "$", "b", "a", "\u2014", "b", "a\u20acb"}));
  EXPECT_EQ(Split(K::kBert, " \t\u3000 "), Pieces{});
}

TEST(None, WholeText) {
  EXPECT_EQ(Split(K::kNone, "a b"), (Pieces{"a b"}));
  EXPECT_EQ(Split(K::kNone, ""), Pieces{});
}

TEST(InvalidUtf8, EachBadByteActsLikeReplacementChar) {
  EXPECT_EQ(Split(K::kGpt2, "ab\xff" "cd"), (Pieces{"ab", "\xff", "cd"}));
  EXPECT_EQ(Split(K::kGpt2, " \x80\x80x"), (Pieces{" \x80\x80", "x"}));
  EXPECT_EQ(Split(K::kLlama3, "\xc0\xafword"), (Pieces{"\xc0\xaf", "word"}));
  EXPECT_EQ(Split(K::kLlama3, "\xe2\x82word"), (Pieces{"\xe2\x82", "word"}));
  EXPECT_EQ(Split(K::kO200k, "a\xed\xa0\x80"), (Pieces{"a", "\xed\xa0\x80"}));
  EXPECT_EQ(Split(K::kBert, "a\xff,b"), (Pieces{"a\xff", ",", "b"}));
}

TEST(InvalidUtf8, TruncatedSequenceAtEndOfBuffer) {
  // Exactly sized heap buffers: ASan reports any read past the end.
  for (const std::string s : {"\xf0\x9f\x98", "a\xe2\x82", "\xc3", "1\xf4\x8f\xbf"}) {
    auto buf = std::make_unique<char[]>(s.size());
    std::copy(s.begin(), s.end(), buf.get());
    for (const K kind : {K::kGpt2, K::kLlama3, K::kQwen2, K::kO200k, K::kBert}) {
      std::vector<std::string_view> pieces;
      PreTokenize(kind, std::string_view(buf.get(), s.size()), &pieces);
      EXPECT_FALSE(pieces.empty());
    }
  }
}

// 1 MB runs of one character split in linear time (no backtracking blow-up,
// no recursion); the piece counts follow from the patterns.
TEST(LongRuns, OneMegabyteOfOneCharacter) {
  const size_t n = 1 << 20;
  struct Case {
    K kind;
    std::string unit;
    size_t expected;
  };
  const Case cases[] = {
      {K::kGpt2, " ", 1},           {K::kGpt2, "a", 1},       {K::kGpt2, "1", 1},
      {K::kGpt2, "!", 1},           {K::kGpt2, "\n", 1},      {K::kLlama3, " ", 1},
      {K::kLlama3, "1", (n + 2) / 3}, {K::kLlama3, "\r\n", 1}, {K::kLlama3, "\u3000", 1},
      {K::kQwen2, "1", n},          {K::kO200k, "A", 1},      {K::kO200k, "a", 1},
      {K::kO200k, "\u0301", 1},     {K::kO200k, "'", 1},      {K::kO200k, "aA", n / 2 + 1}  /* "a", "Aa"…, "A" */,
      {K::kBert, "!", n},           {K::kBert, "a", 1},       {K::kBert, " ", 0},
  };
  for (const Case& c : cases) {
    std::string text;
    while (text.size() < n) text += c.unit;
    std::vector<std::string_view> pieces;
    PreTokenize(c.kind, text, &pieces);
    EXPECT_EQ(pieces.size(), c.expected) << PreTokenizerName(c.kind) << " " << c.unit;
  }
  // Spaces between two words: the run minus its last space, then " x".
  std::string text = "x" + std::string(n, ' ') + "x";
  EXPECT_EQ(Split(K::kGpt2, text).size(), 3u);
  EXPECT_EQ(Split(K::kO200k, text).size(), 3u);
}

TEST(GgufNames, KnownAndUnknown) {
  EXPECT_EQ(*PreTokenizerFromGgufName("llama-bpe"), K::kLlama3);
  EXPECT_EQ(*PreTokenizerFromGgufName("llama3"), K::kLlama3);
  EXPECT_EQ(*PreTokenizerFromGgufName("gpt2"), K::kGpt2);
  EXPECT_EQ(*PreTokenizerFromGgufName("qwen2"), K::kQwen2);
  EXPECT_EQ(*PreTokenizerFromGgufName("gpt-4o"), K::kO200k);
  EXPECT_EQ(*PreTokenizerFromGgufName("o200k"), K::kO200k);
  EXPECT_EQ(*PreTokenizerFromGgufName("default"), K::kNone);
  const auto bad = PreTokenizerFromGgufName("deepseek-coder");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("deepseek-coder"), std::string::npos);
  for (const K kind : {K::kGpt2, K::kLlama3, K::kQwen2, K::kO200k, K::kBert, K::kNone}) {
    EXPECT_EQ(*PreTokenizerFromGgufName(PreTokenizerName(kind)), kind);
  }
}

}  // namespace
}  // namespace sluice::tokenizer
