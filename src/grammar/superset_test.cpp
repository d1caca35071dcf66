// CompileOptions::superset (stream guards): the grammar must never reject a
// document the schema validator accepts. Every schema of the official
// JSON-Schema-Test-Suite (draft 7 and 2020-12, required tests) is compiled in
// superset mode and every instance the validator accepts is fed to a
// ByteMatcher in several spellings: compact, pretty-printed, keys reversed,
// and ASCII-only with every non-ASCII character (and '/') escaped.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "grammar/grammar.h"
#include "schema/schema.h"

namespace sluice::grammar {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

struct Spelling {
  int indent = -1;        // < 0: compact
  bool reverse_keys = false;
  bool ascii = false;     // \uXXXX for every non-ASCII code point, "\/" for '/'
};

void AppendString(std::string_view s, bool ascii, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    char buf[16];
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
      ++i;
    } else if (c == '/' && ascii) {
      out->append("\\/");
      ++i;
    } else if (c < 0x20) {
      std::snprintf(buf, sizeof buf, "\\u%04X", c);
      out->append(buf);
      ++i;
    } else if (c < 0x80 || !ascii) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else {
      int n = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      uint32_t cp = n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
      for (int k = 1; k < n && i + static_cast<size_t>(k) < s.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<size_t>(k)]) & 0x3Fu);
      }
      if (cp >= 0x10000) {
        uint32_t v = cp - 0x10000;
        std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
      } else {
        std::snprintf(buf, sizeof buf, "\\u%04x", cp);
      }
      out->append(buf);
      i += static_cast<size_t>(n);
    }
  }
  out->push_back('"');
}

void Serialize(const json::value& v, const Spelling& sp, int depth, std::string* out) {
  auto newline = [&](int d) {
    if (sp.indent < 0) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(d * sp.indent), ' ');
  };
  if (v.is_object()) {
    const auto& o = v.get_object();
    std::vector<const json::key_value_pair*> members;
    for (const auto& kv : o) members.push_back(&kv);
    if (sp.reverse_keys) std::reverse(members.begin(), members.end());
    out->push_back('{');
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out->push_back(',');
      newline(depth + 1);
      AppendString(members[i]->key(), sp.ascii, out);
      out->append(sp.indent < 0 ? ":" : ": ");
      Serialize(members[i]->value(), sp, depth + 1, out);
    }
    if (!members.empty()) newline(depth);
    out->push_back('}');
  } else if (v.is_array()) {
    const auto& a = v.get_array();
    out->push_back('[');
    for (size_t i = 0; i < a.size(); ++i) {
      if (i > 0) out->push_back(',');
      newline(depth + 1);
      Serialize(a[i], sp, depth + 1, out);
    }
    if (!a.empty()) newline(depth);
    out->push_back(']');
  } else if (v.is_string()) {
    AppendString(v.get_string(), sp.ascii, out);
  } else {
    out->append(json::serialize(v));  // numbers in Boost's spelling ("1E0"), literals
  }
}

std::string Source() {
  const char* root = std::getenv("SLUICE_SOURCE_DIR");
  return root ? root : ".";
}

std::optional<json::value> ReadJson(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(ss.str(), ec);
  if (ec) return std::nullopt;
  return v;
}

struct SuiteResult {
  int schemas = 0, refused = 0, instances = 0, documents = 0;
  std::vector<std::string> failures;
};

void RunSuite(const fs::path& dir, bool draft7, SuiteResult* r) {
  fs::path remotes = dir.parent_path().parent_path() / "remotes";
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  const Spelling spellings[] = {{-1, false, false}, {2, false, false}, {-1, true, false}, {2, true, true}};
  for (const auto& file : files) {
    auto groups = ReadJson(file);
    ASSERT_TRUE(groups && groups->is_array()) << file;
    for (const auto& group : groups->get_array()) {
      const json::value& schema_doc = group.at("schema");
      schema::CompileOptions so;
      so.draft = draft7 ? schema::Draft::kDraft7 : schema::Draft::kDraft2020_12;
      so.load_remote = [&](std::string_view uri) -> std::optional<json::value> {
        constexpr std::string_view kBase = "http://localhost:1234/";
        if (uri.substr(0, kBase.size()) != kBase) return std::nullopt;
        return ReadJson(remotes / std::string(uri.substr(kBase.size())));
      };
      auto validator = schema::Compile(schema_doc, so);
      if (!validator.ok()) continue;  // the validator cannot judge these either
      ++r->schemas;
      CompileOptions options;
      options.superset = true;
      options.draft7 = draft7;
      auto grammar = CompileJsonSchema(json::serialize(schema_doc), options, nullptr);
      if (!grammar.ok()) {
        ++r->refused;
        continue;
      }
      for (const auto& test : group.at("tests").get_array()) {
        const json::value& data = test.at("data");
        if (!schema::IsValid(**validator, data)) continue;
        ++r->instances;
        for (const Spelling& sp : spellings) {
          std::string doc;
          Serialize(data, sp, 0, &doc);
          ++r->documents;
          ByteMatcher m(*grammar);
          size_t n = m.Feed(doc);
          if (n != doc.size() || !m.IsAccepting()) {
            r->failures.push_back(file.filename().string() + ": " + json::serialize(schema_doc) + "\n  rejected " +
                                  doc + "\n  at byte " + std::to_string(n) + ", expected " + m.Expected());
          }
        }
      }
    }
  }
}

void Check(const fs::path& dir, bool draft7) {
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " is absent";
  SuiteResult r;
  RunSuite(dir, draft7, &r);
  std::printf("%s: %d schemas, %d refused in superset mode, %d valid instances, %d documents, %zu rejected\n",
              dir.string().c_str(), r.schemas, r.refused, r.instances, r.documents, r.failures.size());
  EXPECT_GT(r.documents, 500);
  EXPECT_LT(r.refused * 10, r.schemas) << "superset mode should compile almost every schema";
  for (size_t i = 0; i < r.failures.size() && i < 40; ++i) ADD_FAILURE() << r.failures[i];
  EXPECT_TRUE(r.failures.empty()) << r.failures.size() << " valid documents rejected";
}

TEST(SupersetTest, Draft7SuiteHasNoFalseRejections) {
  Check("/usr/share/json-schema-test-suite/tests/draft7", true);  // Debian json-schema-test-suite
}

TEST(SupersetTest, Draft7SharedSuiteHasNoFalseRejections) {
  Check(fs::path(Source()) / "../shared/data/json-schema-test-suite/tests/draft7", true);
}

TEST(SupersetTest, Draft2020SuiteHasNoFalseRejections) {
  Check(fs::path(Source()) / "../shared/data/json-schema-test-suite/tests/draft2020-12", false);
}

bool Accepts(const std::shared_ptr<const CompiledGrammar>& g, std::string_view doc) {
  ByteMatcher m(g);
  return m.Feed(doc) == doc.size() && m.IsAccepting();
}

std::shared_ptr<const CompiledGrammar> Superset(std::string_view schema) {
  CompileOptions options;
  options.superset = true;
  auto g = CompileJsonSchema(schema, options, nullptr);
  EXPECT_TRUE(g.ok()) << schema << ": " << g.status().message();
  return g.ok() ? *g : nullptr;
}

// The lab's DatabaseSchema (src/api/lab_codec.cpp) as an upstream might write it.
TEST(SupersetTest, LabSchemaInAnyOrderAndLayout) {
  auto g = Superset(
      R"({"title":"DatabaseSchema","type":"object","properties":{"table_name":{"type":"string","pattern":"^[a-z][a-z0-9_]*$"},
        "columns":{"type":"array","items":{"title":"Column","type":"object","properties":{
        "name":{"type":"string","pattern":"^[a-z][a-z0-9_]*$"},"data_type":{"type":"string","maxLength":24},
        "is_nullable":{"type":"boolean","default":true}},"required":["name","data_type"]}}},
        "required":["table_name","columns"]})");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Accepts(g, R"({"table_name": "users", "columns": [{"name": "id", "data_type": "INTEGER"}]})"));
  EXPECT_TRUE(Accepts(g, R"({"columns":[{"is_nullable":false,"data_type":"TEXT","name":"email"}],"table_name":"users"})"));
  EXPECT_TRUE(Accepts(g, "{\n  \"columns\": [\n    {\n      \"data_type\": \"VARCHAR(255)\",\n      \"name\": \"e\\u006dail\"\n"
                         "    }\n  ],\n  \"table_name\": \"us\\u0065rs\",\n  \"extra\": {\"any\": [1, 2.5e300]}\n}\n"));
  // Still a grammar: broken JSON and wrong types stop at the offending byte.
  ByteMatcher m(g);
  std::string bad = R"({"columns": [{"name": 1)";
  EXPECT_EQ(m.Feed(bad), bad.size() - 1);
  EXPECT_FALSE(Accepts(g, R"({"table_name": "users",})"));
  EXPECT_FALSE(Accepts(g, R"({"table_name": "Users"})"));
  EXPECT_FALSE(Accepts(g, R"([])"));
}

TEST(SupersetTest, WidensWhatGenerationNarrows) {
  auto g = Superset(R"({"type":"integer","minimum":0,"maximum":10,"multipleOf":5})");
  ASSERT_NE(g, nullptr);
  for (const char* doc : {"5", "5.0", "1e1", "-0", "1234567890123456789012345", "0.5e-999"}) {
    EXPECT_TRUE(Accepts(g, doc)) << doc;
  }
  EXPECT_FALSE(Accepts(g, "01"));
  EXPECT_FALSE(Accepts(g, "\"5\""));
  g = Superset(R"({"enum":["a/b", 1, {"x": [true, null], "y": "é"}]})");
  ASSERT_NE(g, nullptr);
  for (const char* doc : {R"("a\/b")", R"("\u0061/b")", "1.0", "10e-1", R"({ "y" : "\u00e9", "x":[true,null]})"}) {
    EXPECT_TRUE(Accepts(g, doc)) << doc;
  }
  EXPECT_FALSE(Accepts(g, R"("a/c")"));
  EXPECT_FALSE(Accepts(g, R"({"x": [false, null]})"));
  g = Superset(R"({"type":"string","maxLength":1,"format":"date"})");
  ASSERT_NE(g, nullptr);
  for (const char* doc : {R"("x")", R"("\ud83d\ude00")", R"("😀")", R"("\"")"}) EXPECT_TRUE(Accepts(g, doc)) << doc;
  EXPECT_FALSE(Accepts(g, R"("xy")"));
  // Unsupported regexes and remote references widen instead of refusing.
  g = Superset(R"({"properties":{"a":{"pattern":"(?=x)\\bx"},"b":{"$ref":"http://example.com/s.json"}}})");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Accepts(g, R"({"b": [1], "a": "x", "c": null})"));
  // allOf of properties against patternProperties cannot be merged exactly: widened.
  g = Superset(R"({"allOf":[{"properties":{"a":{"type":"integer"}},"additionalProperties":false},
                             {"patternProperties":{"^a":{"minimum":0}},"properties":{"b":true}}]})");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Accepts(g, R"({"a": 1})"));
  // Equal numbers in different spellings are equal consts.
  g = Superset(R"({"allOf":[{"const":1},{"const":1.0}]})");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Accepts(g, "1"));
  // Pretty-printed output needs unbounded whitespace.
  g = Superset(R"({"type":"array","items":{"type":"boolean"}})");
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(Accepts(g, "[\n\n\n        true,\r\n\t\t\t\tfalse\n]"));
}

}  // namespace
}  // namespace sluice::grammar
