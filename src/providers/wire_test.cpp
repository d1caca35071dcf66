#include "providers/wire.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace sluice::providers {
namespace {

namespace json = boost::json;
using api::Event;

api::ChatRequest SampleRequest() {
  api::ChatRequest req;
  req.messages = {{"system", "sys"}, {"user", "hi"}};
  req.sampling.temperature = 0.2;
  req.sampling.top_k = 40;
  req.sampling.seed = 9;
  req.sampling.max_tokens = 32;
  req.sampling.stop = {"\n\n"};
  req.response_format.kind = api::ResponseKind::kJsonSchema;
  req.response_format.name = "db";
  req.response_format.schema_json = R"({"type":"object"})";
  return req;
}

// Feeds `body` to a fresh decoder cut at `cut`, then finishes it.
StatusOr<std::vector<Event>> Decode(std::unique_ptr<StreamDecoder> d, std::string_view body,
                                    size_t cut) {
  std::vector<Event> out;
  SLUICE_RETURN_IF_ERROR(d->Feed(body.substr(0, cut), &out));
  SLUICE_RETURN_IF_ERROR(d->Feed(body.substr(cut), &out));
  SLUICE_RETURN_IF_ERROR(d->Finish(&out));
  return out;
}

std::string Tokens(const std::vector<Event>& events) {
  std::string s;
  for (const Event& e : events) {
    if (e.kind == Event::Kind::kToken) s += e.text;
  }
  return s;
}

TEST(OllamaWireTest, EncodesChatRequest) {
  auto body = json::parse(EncodeOllamaChat(SampleRequest(), "llama3.2:latest"));
  EXPECT_EQ(body.at("model").as_string(), "llama3.2:latest");
  EXPECT_TRUE(body.at("stream").as_bool());
  EXPECT_EQ(body.at("messages").at(1).at("content").as_string(), "hi");
  EXPECT_EQ(body.at("format").at("type").as_string(), "object");
  const auto& o = body.at("options");
  EXPECT_EQ(o.at("num_predict").as_int64(), 32);
  EXPECT_EQ(o.at("top_k").as_int64(), 40);
  EXPECT_EQ(o.at("seed").as_int64(), 9);
  EXPECT_EQ(o.at("stop").at(0).as_string(), "\n\n");
}

TEST(OllamaWireTest, JsonObjectModeUsesFormatJson) {
  api::ChatRequest req = SampleRequest();
  req.response_format.kind = api::ResponseKind::kJsonObject;
  EXPECT_EQ(json::parse(EncodeOllamaChat(req, "m")).at("format").as_string(), "json");
}

TEST(OllamaWireTest, DecodesStreamSplitAnywhere) {
  const std::string body =
      "{\"model\":\"m\",\"created_at\":\"2024-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\","
      "\"content\":\"{\\\"a\\\"\"},\"done\":false}\n"
      "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\": 1}\"},\"done\":false}\n"
      "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
      "\"done_reason\":\"stop\",\"prompt_eval_count\":12,\"eval_count\":5}\n";
  for (size_t cut = 0; cut <= body.size(); ++cut) {
    auto events = Decode(MakeOllamaDecoder(), body, cut);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    EXPECT_EQ(Tokens(*events), "{\"a\": 1}");
    ASSERT_GE(events->size(), 2u);
    const Event& usage = (*events)[events->size() - 2];
    ASSERT_EQ(usage.kind, Event::Kind::kUsage);
    EXPECT_EQ(usage.usage.prompt_tokens, 12);
    EXPECT_EQ(usage.usage.completion_tokens, 5);
    EXPECT_EQ(events->back().kind, Event::Kind::kFinish);
    EXPECT_EQ(events->back().finish_reason, "stop");
  }
}

TEST(OllamaWireTest, ReportsErrorsAndGarbage) {
  auto err = Decode(MakeOllamaDecoder(), "{\"error\":\"model 'x' not found\"}\n", 0);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.status().message().find("model 'x' not found"), std::string::npos);
  auto garbage = Decode(MakeOllamaDecoder(), "<html>oops</html>\n", 0);
  ASSERT_FALSE(garbage.ok());
  EXPECT_NE(garbage.status().message().find("malformed upstream stream"), std::string::npos);
  auto truncated = Decode(MakeOllamaDecoder(),
                          "{\"message\":{\"content\":\"x\"},\"done\":false}\n", 0);
  ASSERT_FALSE(truncated.ok());
  EXPECT_NE(truncated.status().message().find("without a final"), std::string::npos);
}

TEST(OpenAIWireTest, EncodesChatRequest) {
  auto body = json::parse(EncodeOpenAIChat(SampleRequest(), "gpt-4o-mini"));
  EXPECT_EQ(body.at("model").as_string(), "gpt-4o-mini");
  EXPECT_TRUE(body.at("stream").as_bool());
  EXPECT_TRUE(body.at("stream_options").at("include_usage").as_bool());
  EXPECT_EQ(body.at("max_tokens").as_int64(), 32);
  const auto& rf = body.at("response_format");
  EXPECT_EQ(rf.at("type").as_string(), "json_schema");
  EXPECT_EQ(rf.at("json_schema").at("name").as_string(), "db");
  EXPECT_EQ(rf.at("json_schema").at("schema").at("type").as_string(), "object");
}

TEST(OpenAIWireTest, DecodesStreamSplitAnywhere) {
  const std::string body =
      "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
      "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\r\n\r\n"
      ": keep-alive\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"h\xC3\xA9\"},\"finish_reason\":null}]}\n\n"
      "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n"
      "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":1,\"total_tokens\":8}}\n\n"
      "data: [DONE]\n\n";
  for (size_t cut = 0; cut <= body.size(); ++cut) {
    auto events = Decode(MakeOpenAIDecoder(), body, cut);
    ASSERT_TRUE(events.ok()) << events.status().ToString();
    EXPECT_EQ(Tokens(*events), "h\xC3\xA9");
    ASSERT_EQ(events->size(), 3u);
    EXPECT_EQ((*events)[1].kind, Event::Kind::kUsage);
    EXPECT_EQ((*events)[1].usage.prompt_tokens, 7);
    EXPECT_EQ((*events)[2].finish_reason, "length");
  }
}

TEST(OpenAIWireTest, ReportsErrorsAndTruncation) {
  auto err = Decode(MakeOpenAIDecoder(),
                    "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n", 0);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.status().message().find("overloaded"), std::string::npos);
  auto garbage = Decode(MakeOpenAIDecoder(), "data: not json\n\n", 0);
  ASSERT_FALSE(garbage.ok());
  auto truncated = Decode(MakeOpenAIDecoder(),
                          "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n", 0);
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().code(), ErrorCode::kUpstreamError);
}

TEST(UpstreamErrorMessageTest, ExtractsBothShapes) {
  EXPECT_EQ(UpstreamErrorMessage(R"({"error":"model not found"})"), "model not found");
  EXPECT_EQ(UpstreamErrorMessage(R"({"error":{"message":"bad key","type":"x"}})"), "bad key");
  EXPECT_EQ(UpstreamErrorMessage("Bad Gateway\n"), "Bad Gateway ");
}

}  // namespace
}  // namespace sluice::providers

namespace sluice::providers {
namespace {

// Fuzzing found that a schema nested deeper than Boost.JSON's default parse
// depth (32), which the request codec accepts, made both encoders throw.
TEST(WireTest, DeeplyNestedSchemaIsEncodedNotThrown) {
  std::string schema = R"({"type":"integer"})";
  for (int i = 0; i < 40; ++i) schema = R"({"type":"array","items":)" + schema + "}";
  api::ChatRequest req = SampleRequest();
  req.response_format.schema_json = schema;
  auto ollama = json::parse(EncodeOllamaChat(req, "m"), {}, {.max_depth = 256});
  EXPECT_EQ(ollama.at("format").at("type").as_string(), "array");
  auto openai = json::parse(EncodeOpenAIChat(req, "m"), {}, {.max_depth = 256});
  EXPECT_EQ(openai.at("response_format").at("json_schema").at("schema").at("type").as_string(),
            "array");
}

}  // namespace
}  // namespace sluice::providers
