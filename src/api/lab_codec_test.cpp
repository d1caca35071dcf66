#include "api/lab_codec.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "api/structured_output.h"

namespace sluice::api {
namespace {

namespace json = boost::json;

StatusOr<ChatRequest> Parse(std::string_view body) { return ParseStructuredRequest(json::parse(body)); }

TEST(LabCodecTest, AppliesTheLabDefaults) {
  auto req = Parse(R"({"prompt":"Generate a user_accounts schema"})");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(*req->sampling.temperature, 0.1);
  ASSERT_EQ(req->messages.size(), 2u);
  EXPECT_EQ(req->messages[0].role, "system");
  EXPECT_EQ(req->messages[0].content.rfind(std::string(kLabDefaultSystemPrompt), 0), 0u);
  EXPECT_NE(req->messages[0].content.find("\"table_name\""), std::string::npos);
  EXPECT_NE(req->messages[0].content.find("raw JSON object only"), std::string::npos);
  EXPECT_EQ(req->messages[1].content, "Generate a user_accounts schema");
  EXPECT_EQ(req->response_format.kind, ResponseKind::kJsonSchema);
  ASSERT_NE(req->response_format.schema, nullptr);
  EXPECT_TRUE(req->stream);
}

TEST(LabCodecTest, ReportsEveryOffendingFieldFastApiStyle) {
  auto req = Parse(R"({"prompt":"hey","temperature":3,"system_prompt":5,"top_k":0})");
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.status().code(), ErrorCode::kUnprocessable);
  const auto& d = req.status().details();
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].loc, (std::vector<std::string>{"body", "prompt"}));
  EXPECT_EQ(d[0].type, "string_too_short");
  EXPECT_EQ(d[1].loc[1], "system_prompt");
  EXPECT_EQ(d[1].type, "string_type");
  EXPECT_EQ(d[2].loc[1], "temperature");
  EXPECT_EQ(d[2].type, "less_than_equal");
  EXPECT_EQ(d[3].loc[1], "top_k");
}

TEST(LabCodecTest, MissingPromptAndWrongBodyType) {
  auto missing = Parse(R"({"temperature":0.5})");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().details()[0].type, "missing");
  auto array = Parse("[1,2]");
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.status().details()[0].loc, (std::vector<std::string>{"body"}));
}

TEST(LabCodecTest, PromptLengthCountsCharactersNotBytes) {
  EXPECT_FALSE(Parse(R"({"prompt":"\u00e9\u00e9\u00e9\u00e9"})").ok());  // 4 chars, 8 bytes
  EXPECT_TRUE(Parse(R"({"prompt":"\u00e9\u00e9\u00e9\u00e9\u00e9"})").ok());
}

TEST(LabCodecTest, TemperatureBoundsAreInclusive) {
  EXPECT_TRUE(Parse(R"({"prompt":"hello","temperature":0})").ok());
  EXPECT_TRUE(Parse(R"({"prompt":"hello","temperature":2.0})").ok());
  EXPECT_FALSE(Parse(R"({"prompt":"hello","temperature":-0.01})").ok());
  EXPECT_FALSE(Parse(R"({"prompt":"hello","temperature":true})").ok());
  auto null_temp = Parse(R"({"prompt":"hello","temperature":null})");
  ASSERT_FALSE(null_temp.ok());
  EXPECT_EQ(null_temp.status().details()[0].loc[1], "temperature");
}

TEST(LabCodecTest, CustomSchemaIsCompiledAndBadSchemaRejected) {
  auto ok = Parse(R"({"prompt":"hello","schema":{"type":"object","required":["x"]}})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->response_format.schema_json, R"({"type":"object","required":["x"]})");
  auto bad = Parse(R"({"prompt":"hello","schema":{"type":"strnig"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().details()[0].loc[1], "schema");
}

TEST(LabCodecTest, DefaultSchemaEnforcesSnakeCase) {
  auto req = Parse(R"({"prompt":"Generate a user_accounts schema"})");
  ASSERT_TRUE(req.ok());
  const schema::Schema* s = req->response_format.schema.get();
  auto good = ParseAndValidate(
      R"({"table_name":"user_accounts","columns":[{"name":"id","data_type":"INTEGER","is_nullable":false}]})",
      s);
  EXPECT_TRUE(good.ok);
  auto bad = ParseAndValidate(
      R"({"table_name":"UserAccounts","columns":[{"name":"Id","data_type":"INTEGER"}]})", s);
  ASSERT_FALSE(bad.ok);
  bool saw_column_path = false;
  for (const auto& e : bad.errors) saw_column_path |= e.instance_path == "/columns/0/name";
  EXPECT_TRUE(saw_column_path);
  auto missing = ParseAndValidate(R"({"table_name":"t"})", s);
  EXPECT_FALSE(missing.ok);
}

TEST(LabCodecTest, EventsHaveTheLabShape) {
  EXPECT_EQ(LabTokenEvent("{\""), R"({"status":"generating","token":"{\""})");
  EXPECT_EQ(LabErrorEvent("upstream down"), R"({"status":"error","message":"upstream down"})");
  EXPECT_EQ(LabSuccessEvent(json::parse(R"({"a":1})")), R"({"status":"success","data":{"a":1}})");
  std::string v = LabValidationErrorEvent({{"/columns/0/name", "", "does not match pattern"}});
  EXPECT_EQ(v, R"({"status":"validation_error","message":"Output did not match expected database schema format.","errors":[{"path":"/columns/0/name","message":"does not match pattern"}]})");
}

}  // namespace
}  // namespace sluice::api
