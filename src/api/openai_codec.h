// OpenAI Chat Completions, as OpenAI documents it: request parsing into a
// ChatRequest and the response shapes (chat.completion, chat.completion.chunk,
// the error object). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "api/types.h"
#include "schema/schema.h"

namespace sluice::api {

// Body → ChatRequest. Bad or unsupported parameters → kInvalidArgument with
// one ErrorDetail whose loc[0] is OpenAI's `param` ("messages[0].role");
// a response_format schema that does not compile → kUnprocessable.
StatusOr<ChatRequest> ParseChatCompletionRequest(const boost::json::value& body);

// {"error":{"message","type","param","code"}} for a non-OK status.
// `type` follows OpenAI: invalid_request_error for 4xx, server_error for 5xx.
std::string OpenAIErrorBody(const Status& status, int http_status);

// Builds response bodies for one completion. Not thread-safe (one per request).
class OpenAIResponseEncoder {
 public:
  OpenAIResponseEncoder(std::string request_id, std::string model, int64_t created_unix);

  // One `chat.completion.chunk` JSON for a token delta; the first carries the
  // assistant role.
  std::string TokenChunk(std::string_view text);
  // The chunk carrying finish_reason (empty delta).
  std::string FinishChunk(std::string_view finish_reason);
  // The usage chunk (choices: []), sent when stream_options.include_usage.
  std::string UsageChunk(const Usage& usage) const;
  // A complete non-streamed `chat.completion`.
  std::string Completion(std::string_view content, std::string_view finish_reason,
                         const Usage& usage) const;

  const std::string& completion_id() const { return completion_id_; }

 private:
  boost::json::object ChunkBase() const;

  std::string completion_id_;
  std::string model_;
  int64_t created_;
  bool sent_role_ = false;
};

}  // namespace sluice::api
