#include "api/openai_codec.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace sluice::api {
namespace {

namespace json = boost::json;

StatusOr<ChatRequest> Parse(std::string_view body) {
  return ParseChatCompletionRequest(json::parse(body));
}

std::string ParamOf(const Status& s) {
  return s.details().empty() ? "" : s.details()[0].loc[0];
}

TEST(OpenAICodecTest, ParsesAFullRequest) {
  auto req = Parse(R"({
    "model":"gpt-x","stream":true,"stream_options":{"include_usage":true},
    "messages":[{"role":"developer","content":"be brief"},
                {"role":"user","content":[{"type":"text","text":"hi "},{"type":"text","text":"there"}]},
                {"role":"assistant","content":null}],
    "temperature":0.7,"top_p":0.9,"max_completion_tokens":64,"stop":"END","seed":7,
    "presence_penalty":0.5,"frequency_penalty":-0.5,"n":1,
    "response_format":{"type":"json_schema","json_schema":{"name":"t","strict":true,
       "schema":{"type":"object","properties":{"a":{"type":"integer"}}}}}})");
  ASSERT_TRUE(req.ok()) << req.status().ToString();
  EXPECT_EQ(req->model, "gpt-x");
  EXPECT_TRUE(req->stream);
  EXPECT_TRUE(req->include_usage);
  ASSERT_EQ(req->messages.size(), 3u);
  EXPECT_EQ(req->messages[0].role, "system");
  EXPECT_EQ(req->messages[1].content, "hi there");
  EXPECT_EQ(req->messages[2].content, "");
  EXPECT_EQ(*req->sampling.max_tokens, 64);
  EXPECT_EQ(req->sampling.stop, std::vector<std::string>{"END"});
  EXPECT_EQ(req->response_format.kind, ResponseKind::kJsonSchema);
  EXPECT_EQ(req->response_format.name, "t");
  EXPECT_TRUE(req->response_format.strict);
  EXPECT_NE(req->response_format.schema, nullptr);
}

TEST(OpenAICodecTest, RejectsBadParametersNamingThem) {
  struct Case {
    const char* body;
    const char* param;
  } cases[] = {
      {R"({"model":"m"})", "messages"},
      {R"({"model":"m","messages":[]})", "messages"},
      {R"({"model":"m","messages":[{"role":"wizard","content":"x"}]})", "messages[0].role"},
      {R"({"model":"m","messages":[{"role":"user"}]})", "messages[0].content"},
      {R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url"}]}]})",
       "messages[0].content[0]"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":2})", "n"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":2.5})",
       "temperature"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]})",
       "stop"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":0})", "max_tokens"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"})", "stream"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"xml"}})",
       "response_format.type"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{}}})",
       "response_format.json_schema.name"},
      {R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[]})", "tools"},
  };
  for (const Case& c : cases) {
    auto req = Parse(c.body);
    ASSERT_FALSE(req.ok()) << c.body;
    EXPECT_EQ(req.status().code(), ErrorCode::kInvalidArgument) << c.body;
    EXPECT_EQ(ParamOf(req.status()), c.param) << c.body;
  }
}

TEST(OpenAICodecTest, UncompilableSchemaIsUnprocessable) {
  auto req = Parse(R"({"model":"m","messages":[{"role":"user","content":"x"}],
    "response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"minimum":"five"}}}})");
  ASSERT_FALSE(req.ok());
  EXPECT_EQ(req.status().code(), ErrorCode::kUnprocessable);
}

TEST(OpenAICodecTest, ErrorBodyHasOpenAIShape) {
  Status s(ErrorCode::kInvalidArgument, "'n' must be 1", {{{"n"}, "", "invalid_value"}});
  auto body = json::parse(OpenAIErrorBody(s, 400));
  const auto& err = body.at("error").as_object();
  EXPECT_EQ(err.at("message").as_string(), "'n' must be 1");
  EXPECT_EQ(err.at("type").as_string(), "invalid_request_error");
  EXPECT_EQ(err.at("param").as_string(), "n");
  EXPECT_EQ(err.at("code").as_string(), "invalid_argument");

  Status v(ErrorCode::kSchemaViolation, "bad output", {{{"/a"}, "expected integer", "schema"}});
  auto vb = json::parse(OpenAIErrorBody(v, 502));
  EXPECT_EQ(vb.at("error").at("code").as_string(), "schema_validation_failed");
  EXPECT_EQ(vb.at("error").at("type").as_string(), "server_error");
  EXPECT_EQ(vb.at("error").at("errors").at(0).at("path").as_string(), "/a");
}

TEST(OpenAICodecTest, EncodesChunksAndCompletion) {
  OpenAIResponseEncoder enc("abc", "m", 1700000000);
  auto first = json::parse(enc.TokenChunk("Hel"));
  EXPECT_EQ(first.at("id").as_string(), "chatcmpl-abc");
  EXPECT_EQ(first.at("object").as_string(), "chat.completion.chunk");
  EXPECT_EQ(first.at("choices").at(0).at("delta").at("role").as_string(), "assistant");
  EXPECT_EQ(first.at("choices").at(0).at("delta").at("content").as_string(), "Hel");
  auto second = json::parse(enc.TokenChunk("lo"));
  EXPECT_FALSE(second.at("choices").at(0).at("delta").as_object().contains("role"));
  auto fin = json::parse(enc.FinishChunk("stop"));
  EXPECT_EQ(fin.at("choices").at(0).at("finish_reason").as_string(), "stop");
  auto usage = json::parse(enc.UsageChunk({3, 2}));
  EXPECT_TRUE(usage.at("choices").as_array().empty());
  EXPECT_EQ(usage.at("usage").at("total_tokens").as_int64(), 5);
  auto done = json::parse(enc.Completion("Hello", "length", {3, 2}));
  EXPECT_EQ(done.at("object").as_string(), "chat.completion");
  EXPECT_EQ(done.at("choices").at(0).at("message").at("content").as_string(), "Hello");
  EXPECT_EQ(done.at("choices").at(0).at("finish_reason").as_string(), "length");
}

}  // namespace
}  // namespace sluice::api
