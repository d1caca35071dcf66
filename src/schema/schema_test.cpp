#include "schema/schema.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace sluice::schema {
namespace {

std::shared_ptr<const Schema> MustCompile(std::string_view text, CompileOptions options = {}) {
  auto schema = Compile(boost::json::parse(text), options);
  EXPECT_TRUE(schema.ok()) << text << ": " << schema.status().message();
  return schema.ok() ? *schema : nullptr;
}

bool Valid(std::string_view schema, std::string_view instance, CompileOptions options = {}) {
  auto s = MustCompile(schema, options);
  if (s == nullptr) return false;
  const bool yes_no = IsValid(*s, boost::json::parse(instance));
  const bool collected = Validate(*s, boost::json::parse(instance)).empty();
  EXPECT_EQ(yes_no, collected) << schema << " / " << instance;
  return yes_no;
}

std::string CompileError(std::string_view schema) {
  auto s = Compile(boost::json::parse(schema));
  if (s.ok()) return "";
  EXPECT_EQ(s.status().code(), ErrorCode::kUnprocessable);
  return s.status().message();
}

TEST(SchemaTest, TypesAndIntegers) {
  EXPECT_TRUE(Valid(R"({"type":"integer"})", "1.0"));
  EXPECT_FALSE(Valid(R"({"type":"integer"})", "1.5"));
  EXPECT_TRUE(Valid(R"({"type":["string","null"]})", "null"));
  EXPECT_FALSE(Valid(R"({"type":"boolean"})", "\"true\""));
  EXPECT_TRUE(Valid(R"({"type":"number"})", "18446744073709551615"));
}

TEST(SchemaTest, ConstAndEnumUseJsonEquality) {
  EXPECT_TRUE(Valid(R"({"const":1})", "1.0"));
  EXPECT_TRUE(Valid(R"({"const":{"a":1,"b":[true]}})", R"({"b":[true],"a":1.0})"));
  EXPECT_FALSE(Valid(R"({"const":false})", "0"));
  EXPECT_TRUE(Valid(R"({"enum":["a",{"x":null}]})", R"({"x":null})"));
  EXPECT_FALSE(Valid(R"({"enum":["a"]})", "\"b\""));
}

TEST(SchemaTest, NumbersAndMultipleOf) {
  EXPECT_TRUE(Valid(R"({"multipleOf":0.0001})", "0.0075"));
  EXPECT_FALSE(Valid(R"({"multipleOf":0.0001})", "0.00751"));
  EXPECT_TRUE(Valid(R"({"multipleOf":3})", "-9"));
  EXPECT_FALSE(Valid(R"({"multipleOf":3})", "10"));
  EXPECT_TRUE(Valid(R"({"multipleOf":0.5})", "1e308"));
  EXPECT_TRUE(Valid(R"({"minimum":1,"exclusiveMaximum":2})", "1"));
  EXPECT_FALSE(Valid(R"({"minimum":1,"exclusiveMaximum":2})", "2"));
  EXPECT_FALSE(Valid(R"({"maximum":9007199254740992})", "9007199254740993"));
}

TEST(SchemaTest, StringLengthCountsCodePoints) {
  EXPECT_TRUE(Valid(R"({"maxLength":2})", "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\""));
  EXPECT_FALSE(Valid(R"({"minLength":3})", "\"\xc3\xa9\xc3\xa9\""));
}

TEST(SchemaTest, PatternIsASearch) {
  EXPECT_TRUE(Valid(R"({"pattern":"b+"})", "\"abbc\""));
  EXPECT_FALSE(Valid(R"({"pattern":"^b+$"})", "\"abbc\""));
  EXPECT_TRUE(Valid(R"({"pattern":"^b"})", "12"));  // ignores non-strings
}

TEST(SchemaTest, UnevaluatedPropertiesSeeThroughRefAndAllOf) {
  const char* schema = R"({
    "$defs": {"base": {"properties": {"a": true}}},
    "$ref": "#/$defs/base",
    "allOf": [{"properties": {"b": true}}],
    "anyOf": [{"properties": {"c": {"type": "integer"}}}, true],
    "unevaluatedProperties": false})";
  EXPECT_TRUE(Valid(schema, R"({"a":1,"b":2,"c":3})"));
  EXPECT_FALSE(Valid(schema, R"({"a":1,"d":2})"));
  EXPECT_FALSE(Valid(schema, R"({"c":"x"})"));  // the failing anyOf branch does not count
  EXPECT_TRUE(
      Valid(R"({"prefixItems":[true],"contains":{"type":"string"},"unevaluatedItems":false})",
            R"([1,"x"])"));
  EXPECT_FALSE(Valid(R"({"prefixItems":[true],"unevaluatedItems":false})", "[1,2]"));
}

TEST(SchemaTest, Draft7Compatibility) {
  CompileOptions draft7;
  draft7.draft = Draft::kDraft7;
  EXPECT_FALSE(Valid(R"({"items":[{"type":"integer"}],"additionalItems":false})", "[1,2]", draft7));
  EXPECT_TRUE(Valid(R"({"items":[{"type":"integer"}],"additionalItems":false})", "[1]", draft7));
  EXPECT_FALSE(Valid(R"({"dependencies":{"a":["b"]}})", R"({"a":1})", draft7));
  // $ref siblings are ignored in draft 7.
  EXPECT_TRUE(
      Valid(R"({"definitions":{"s":{}},"$ref":"#/definitions/s","type":"string"})", "1", draft7));
  EXPECT_FALSE(Valid(R"({"$schema":"http://json-schema.org/draft-07/schema#",
                         "items":[true],"additionalItems":false})",
                     "[1,2]"));
}

TEST(SchemaTest, RecursiveSchemaTerminates) {
  const char* tree = R"({"type":"object","properties":{
      "value":{"type":"integer"},"children":{"type":"array","items":{"$ref":"#"}}}})";
  EXPECT_TRUE(Valid(tree, R"({"value":1,"children":[{"value":2,"children":[]}]})"));
  EXPECT_FALSE(Valid(tree, R"({"value":1,"children":[{"value":"x"}]})"));
  EXPECT_FALSE(Valid(R"({"$ref":"#"})", "1"));  // a cycle that makes no progress is refused
  EXPECT_TRUE(Valid(R"({"$defs":{"a":{"$ref":"#/$defs/b"},"b":{"$ref":"#/$defs/a"}}})", "1"));
}

TEST(SchemaTest, RefsWithIdAnchorAndPointerEscapes) {
  EXPECT_FALSE(Valid(R"({"$id":"http://x.test/root.json","$ref":"item.json",
      "$defs":{"i":{"$id":"item.json","type":"string"}}})",
                     "1"));
  EXPECT_FALSE(
      Valid(R"({"$ref":"#num","$defs":{"n":{"$anchor":"num","type":"number"}}})", "\"x\""));
  EXPECT_FALSE(Valid(R"({"$ref":"#/$defs/a~1b%25c~0","$defs":{"a/b%c~":{"type":"null"}}})", "1"));
}

TEST(SchemaTest, ErrorsCarryPathsAndMessages) {
  auto s = MustCompile(R"({"type":"object","required":["name"],
    "properties":{"columns":{"type":"array","items":{"type":"object","properties":{
      "name":{"type":"string","pattern":"^[a-z][a-z0-9_]*$"},"nullable":{"type":"boolean"}}}}}})");
  ASSERT_NE(s, nullptr);
  auto errors = Validate(*s, boost::json::parse(R"({"columns":[{"name":"Bad","nullable":"no"}]})"));
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].instance_path, "");
  EXPECT_EQ(errors[0].schema_path, "/required");
  EXPECT_EQ(errors[0].message, "missing required property \"name\"");
  EXPECT_EQ(errors[1].instance_path, "/columns/0/name");
  EXPECT_EQ(errors[1].schema_path, "/properties/columns/items/properties/name/pattern");
  EXPECT_EQ(errors[1].message, "does not match pattern ^[a-z][a-z0-9_]*$");
  EXPECT_EQ(errors[2].instance_path, "/columns/0/nullable");
  EXPECT_EQ(errors[2].message, "expected boolean, got string");

  auto closed = MustCompile(R"({"properties":{"a/b":true},"additionalProperties":false})");
  errors = Validate(*closed, boost::json::parse(R"({"a/b":1,"x~":2})"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_path, "/x~0");
  EXPECT_EQ(errors[0].schema_path, "/additionalProperties");
  EXPECT_EQ(errors[0].message, "property \"x~\" is not allowed");
  EXPECT_EQ(Validate(*closed, boost::json::parse(R"({"q":1,"r":2})"), 1).size(), 1u);
}

TEST(SchemaTest, CompileErrorsNameTheKeyword) {
  EXPECT_EQ(CompileError(R"({"properties":{"a":{"minimum":"x"}}})"),
            "/properties/a/minimum: expected a number");
  EXPECT_EQ(CompileError(R"({"type":"text"})"), "/type: unknown type \"text\"");
  EXPECT_EQ(CompileError(R"js({"pattern":"(?=a)"})js"),
            "/pattern: pattern \"(?=a)\": lookahead is not supported");
  EXPECT_EQ(CompileError(R"({"$ref":"#/$defs/missing"})"),
            "/$ref: cannot resolve reference \"#/$defs/missing\"");
  EXPECT_EQ(CompileError(R"({"items":5})"), "/items: expected a schema (object or boolean)");
  EXPECT_EQ(CompileError(R"({"minLength":-1})"), "/minLength: expected a non-negative integer");
  EXPECT_EQ(CompileError(R"({"multipleOf":0})"), "/multipleOf: expected a number greater than 0");
  EXPECT_NE(CompileError(R"({"$ref":"http://example.com/remote.json"})"), "");
}

TEST(SchemaTest, HostileDocumentsAreRefused) {
  std::string deep;
  for (int i = 0; i < 200; ++i) deep += R"({"not":)";
  deep += "true";
  for (int i = 0; i < 200; ++i) deep += "}";
  boost::json::parse_options po;
  po.max_depth = 1000;
  auto s = Compile(boost::json::parse(deep, {}, po));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("nested deeper than 128"), std::string::npos);

  // Instance recursion is bounded: a 5000-deep instance is refused, not a crash.
  auto nested = MustCompile(R"({"items":{"$ref":"#"}})");
  const std::string instance = std::string(5000, '[') + std::string(5000, ']');
  po.max_depth = 10000;
  EXPECT_FALSE(IsValid(*nested, boost::json::parse(instance, {}, po)));
  const std::string ok_instance = std::string(200, '[') + std::string(200, ']');
  EXPECT_TRUE(IsValid(*nested, boost::json::parse(ok_instance, {}, po)));
}

TEST(SchemaTest, RemoteRefsUseTheLoader) {
  CompileOptions options;
  options.load_remote = [](std::string_view uri) -> std::optional<boost::json::value> {
    if (uri == "http://x.test/int.json") return boost::json::parse(R"({"type":"integer"})");
    return std::nullopt;
  };
  EXPECT_TRUE(Valid(R"({"$ref":"http://x.test/int.json"})", "3", options));
  EXPECT_FALSE(Valid(R"({"$ref":"http://x.test/int.json"})", "3.5", options));
}

TEST(SchemaTest, FormatsAssertUnlessDisabled) {
  EXPECT_FALSE(Valid(R"({"format":"date"})", "\"2024-02-30\""));
  EXPECT_TRUE(Valid(R"({"format":"date"})", "\"2024-02-29\""));
  EXPECT_TRUE(Valid(R"({"format":"color"})", "\"anything\""));  // annotation only
  CompileOptions annotate;
  annotate.assert_formats = false;
  EXPECT_TRUE(Valid(R"({"format":"date"})", "\"nope\"", annotate));
}

TEST(SchemaTest, UniqueItemsOnLargeArrays) {
  std::string arr = "[";
  for (int i = 0; i < 20000; ++i) arr += std::to_string(i) + ",";
  EXPECT_TRUE(Valid(R"({"uniqueItems":true})", arr + "20000]"));
  EXPECT_FALSE(Valid(R"({"uniqueItems":true})", arr + "5.0]"));
}

}  // namespace
}  // namespace sluice::schema
