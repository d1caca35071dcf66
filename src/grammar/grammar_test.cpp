// Byte-level tests: per keyword, documents the grammar must accept and
// reject, and the exact offset ByteMatcher reports.
#include <gtest/gtest.h>

#include <string>

#include "grammar/grammar.h"

namespace sluice::grammar {
namespace {

std::shared_ptr<const CompiledGrammar> MustCompile(std::string_view schema, CompileOptions options = {},
                                                   CompileReport* report = nullptr) {
  auto g = CompileJsonSchema(schema, options, report);
  EXPECT_TRUE(g.ok()) << schema << ": " << g.status().message();
  return g.ok() ? *g : nullptr;
}

// Whole-document verdict.
bool Accepts(const std::shared_ptr<const CompiledGrammar>& g, std::string_view doc) {
  ByteMatcher m(g);
  return m.Feed(doc) == doc.size() && m.IsAccepting();
}

struct Case {
  const char* schema;
  std::vector<const char*> accept;
  std::vector<const char*> reject;
};

class KeywordTest : public ::testing::TestWithParam<Case> {};

TEST_P(KeywordTest, AcceptsAndRejects) {
  const Case& c = GetParam();
  auto g = MustCompile(c.schema);
  ASSERT_NE(g, nullptr);
  for (const char* doc : c.accept) EXPECT_TRUE(Accepts(g, doc)) << c.schema << " should accept " << doc;
  for (const char* doc : c.reject) EXPECT_FALSE(Accepts(g, doc)) << c.schema << " should reject " << doc;
}

INSTANTIATE_TEST_SUITE_P(
    Keywords, KeywordTest,
    ::testing::Values(
        Case{R"({"type":"null"})", {"null", " null \n"}, {"nul", "nulll", "0", "\"null\""}},
        Case{R"({"type":"boolean"})", {"true", "false"}, {"tru", "1", "null"}},
        Case{R"({"type":["string","null"]})", {"null", "\"a\""}, {"1", "[]"}},
        Case{R"({"type":"integer"})", {"0", "-1", "1234567890123"}, {"01", "-0", "1.5", "1e3", "+1", "--1"}},
        Case{R"({"type":"integer","minimum":-15,"maximum":230})",
             {"-15", "-9", "0", "9", "10", "99", "100", "199", "229", "230"},
             {"-16", "-100", "231", "300", "1000", "2300"}},
        Case{R"({"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":10})", {"1", "9"}, {"0", "10", "-1"}},
        Case{R"({"type":"integer","minimum":100})", {"100", "999", "1000", "123456789"}, {"99", "0", "-100"}},
        Case{R"({"type":"integer","maximum":-5})", {"-5", "-10", "-123456"}, {"-4", "0", "5"}},
        Case{R"({"type":"integer","multipleOf":3})", {"0", "3", "-9", "123"}, {"1", "10", "-4"}},
        Case{R"({"type":"number"})", {"0", "-1.5", "1e10", "2.5E-3", "0.0"}, {"01", ".5", "1.", "1e", "-"}},
        Case{R"({"type":"number","minimum":0})", {"0", "1.5"}, {"-1"}},
        Case{R"({"type":"string"})", {"\"\"", "\"héllo\"", "\"a\\\"b\"", "\"\\u0001\"", "\"tab\\t\""},
             {"\"a", "\"\x01\"", "\"\\x\"", "'a'"}},
        Case{R"({"type":"string","minLength":2,"maxLength":3})", {"\"ab\"", "\"abc\"", "\"éé\"", "\"\\n\\n\""},
             {"\"a\"", "\"abcd\""}},
        Case{R"({"type":"string","pattern":"^[a-z]+\\d{2}$"})", {"\"ab12\"", "\"z00\""}, {"\"12\"", "\"ab1\"", "\"Ab12\""}},
        Case{R"({"type":"string","pattern":"b+"})", {"\"b\"", "\"abc\"", "\"xxbbxx\""}, {"\"\"", "\"acd\""}},
        Case{R"({"type":"string","pattern":"^a|c$"})", {"\"ab\"", "\"xc\""}, {"\"ba\"", "\"cx\""}},
        Case{R"({"type":"string","format":"uuid"})", {"\"123e4567-e89b-12d3-a456-426614174000\""}, {"\"123e4567\""}},
        Case{R"({"type":"string","format":"ipv4"})", {"\"192.168.0.1\""}, {"\"256.1.1.1\"", "\"1.2.3\""}},
        Case{R"({"type":"string","format":"date"})", {"\"2024-02-29\""}, {"\"2024-13-01\"", "\"24-01-01\""}},
        Case{R"({"enum":["red","green",3,null,{"a":[1,2]}]})",
             {"\"red\"", "\"green\"", "3", "null", "{\"a\": [1, 2]}", "{\"a\":[1,2]}"},
             {"\"blue\"", "4", "{\"a\": [1]}", "\"Red\""}},
        Case{R"({"const":"x"})", {"\"x\""}, {"\"y\""}},
        Case{R"({"type":"array","items":{"type":"integer"},"minItems":1,"maxItems":3})",
             {"[1]", "[1, 2]", "[1,2,3]", "[ 1 ]"}, {"[]", "[1,2,3,4]", "[1,]", "[\"a\"]"}},
        Case{R"({"type":"array","items":{"type":"integer"}})", {"[]", "[1,2,3,4,5,6]"}, {"[1", "[,]"}},
        Case{R"({"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":false})",
             {"[]", "[\"a\"]", "[\"a\", 1]"}, {"[1]", "[\"a\", 1, 2]"}},
        Case{R"({"$schema":"http://json-schema.org/draft-07/schema#","items":[{"type":"string"}],"additionalItems":{"type":"boolean"}})",
             {"[\"a\", true, false]", "[]"}, {"[\"a\", 1]"}},
        Case{R"({"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"string"}},"required":["b"]})",
             {"{\"b\": \"x\"}", "{\"a\": 1, \"b\": \"x\"}", "{ \"a\":1,\"b\":\"\" }"},
             {"{}", "{\"a\": 1}", "{\"b\": \"x\", \"a\": 1}", "{\"b\": 1}", "{\"c\": 1, \"b\": \"x\"}"}},
        Case{R"({"type":"object","properties":{"a":{"type":"integer"}},"additionalProperties":{"type":"boolean"}})",
             {"{}", "{\"a\": 1, \"x\": true}", "{\"x\": true, \"a\": 1}", "{\"ab\": false}"},
             {"{\"x\": 1}", "{\"a\": true}"}},
        Case{R"({"type":"object","additionalProperties":true})", {"{\"x\": [1, {\"y\": null}]}"}, {"{\"x\"}"}},
        Case{R"({"type":"object","patternProperties":{"^x-":{"type":"integer"}},"additionalProperties":false})",
             {"{\"x-a\": 1}", "{}"}, {"{\"y\": 1}", "{\"x-a\": \"s\"}"}},
        Case{R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]})", {"1", "\"a\""}, {"\"ab\"", "null"}},
        Case{R"({"allOf":[{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]},
                          {"properties":{"a":{"minimum":5}}}]})",
             {"{\"a\": 5}", "{\"a\": 100}"}, {"{\"a\": 4}", "{}"}},
        Case{R"({"definitions":{"node":{"type":"object","properties":{"v":{"type":"integer"},
                 "next":{"anyOf":[{"type":"null"},{"$ref":"#/definitions/node"}]}},"required":["v","next"]}},
                 "$ref":"#/definitions/node"})",
             {"{\"v\": 1, \"next\": null}", "{\"v\": 1, \"next\": {\"v\": 2, \"next\": {\"v\": 3, \"next\": null}}}"},
             {"{\"v\": 1, \"next\": {\"v\": 2}}", "{\"v\": 1, \"next\": {\"v\": \"x\", \"next\": null}}"}},
        Case{R"({"type":"array","items":{"$ref":"#"}})", {"[]", "[[]]", "[[], [[]]]"}, {"[1]", "[[1]]"}},
        Case{R"(true)", {"1", "\"x\"", "[1, {\"a\": [null]}]", "{}"}, {"", "[1,]"}},
        Case{R"(false)", {}, {"1", "null", "{}"}}));

TEST(GrammarTest, LabSchemaCompilesAndMatches) {
  const char* schema =
      R"({"type":"object","properties":{"table_name":{"type":"string"},"columns":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"data_type":{"type":"string"},"is_nullable":{"type":"boolean"}},"required":["name","data_type","is_nullable"]}}},"required":["table_name","columns"]})";
  CompileReport report;
  auto g = MustCompile(schema, {}, &report);
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(report.post_validated.empty());
  EXPECT_TRUE(Accepts(g, R"({"table_name": "users", "columns": [{"name": "id", "data_type": "INTEGER", "is_nullable": false}]})"));
  EXPECT_TRUE(Accepts(g, R"({"table_name":"t","columns":[]})"));
  EXPECT_FALSE(Accepts(g, R"({"table_name":"t","columns":[{"name":"id","data_type":"INTEGER"}]})"));
}

TEST(ByteMatcherTest, ReportsTheFailingOffset) {
  auto g = MustCompile(R"({"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]})");
  ByteMatcher m(g);
  EXPECT_EQ(m.Feed("{\"a\": 1"), 7u);
  EXPECT_FALSE(m.IsAccepting());
  EXPECT_EQ(m.Feed("2x"), 1u);  // '2' ok, 'x' is not
  EXPECT_EQ(m.offset(), 8u);
  EXPECT_NE(m.Expected().find("'}'"), std::string::npos) << m.Expected();
  EXPECT_EQ(m.Feed("}"), 1u);
  EXPECT_TRUE(m.IsAccepting());
  EXPECT_EQ(m.Feed(" \n"), 2u);
  EXPECT_TRUE(m.IsAccepting());
  EXPECT_EQ(m.Feed("x"), 0u);
  EXPECT_EQ(m.offset(), 11u);
}

TEST(ByteMatcherTest, ByteByByteEqualsWhole) {
  auto g = MustCompile(R"({"type":"array","items":{"type":"string","pattern":"^[0-9]+$"}})");
  std::string doc = R"(["12", "345", "6x"])";
  ByteMatcher m(g);
  size_t fail = doc.size();
  for (size_t i = 0; i < doc.size(); ++i) {
    if (m.Feed(doc.substr(i, 1)) != 1) {
      fail = i;
      break;
    }
  }
  EXPECT_EQ(fail, doc.find('x'));
  ByteMatcher whole(g);
  EXPECT_EQ(whole.Feed(doc), doc.find('x'));
}

TEST(GrammarTest, WhitespaceCap) {
  auto g = MustCompile(R"({"type":"array","items":{"type":"integer"}})");
  EXPECT_TRUE(Accepts(g, "[1,  2]"));
  EXPECT_FALSE(Accepts(g, "[1,   2]"));
  CompileOptions compact;
  compact.compact = true;
  auto c = MustCompile(R"({"type":"array","items":{"type":"integer"}})", compact);
  EXPECT_TRUE(Accepts(c, "[1,2]"));
  EXPECT_FALSE(Accepts(c, "[1, 2]"));
  CompileOptions loose;
  loose.max_whitespace = -1;
  auto l = MustCompile(R"({"type":"array","items":{"type":"integer"}})", loose);
  EXPECT_TRUE(Accepts(l, "[\n        1,\n        2\n]"));
}

TEST(GrammarTest, ReportsPostValidatedKeywords) {
  CompileReport report;
  auto g = MustCompile(R"({"type":"array","uniqueItems":true,"items":{"not":{"type":"null"}}})", {}, &report);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(report.post_validated, (std::vector<std::string>{"/items/not", "/uniqueItems"}));
}

TEST(GrammarTest, RefusesWithReasons) {
  CompileReport report;
  auto lookahead = CompileJsonSchema(R"J({"type":"string","pattern":"(?=a)"})J", {}, &report);
  ASSERT_FALSE(lookahead.ok());
  EXPECT_NE(lookahead.status().message().find("lookahead"), std::string::npos) << lookahead.status().message();
  EXPECT_EQ(report.refused.size(), 1u);
  auto boundary = CompileJsonSchema(R"({"type":"string","pattern":"\\bx"})", {}, nullptr);
  ASSERT_FALSE(boundary.ok());
  EXPECT_NE(boundary.status().message().find("word boundaries"), std::string::npos);
  auto remote = CompileJsonSchema(R"({"$ref":"http://example.com/s.json"})", {}, nullptr);
  ASSERT_FALSE(remote.ok());
  auto left = CompileJsonSchema(R"({"anyOf":[{"$ref":"#"},{"type":"null"}]})", {}, nullptr);
  ASSERT_FALSE(left.ok());
  EXPECT_NE(left.status().message().find("left-recursive"), std::string::npos);
  auto bad = CompileJsonSchema(R"({"type":)", {}, nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::grammar
