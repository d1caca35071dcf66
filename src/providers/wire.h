// Upstream wire formats as pure functions: request bodies for Ollama's
// /api/chat and OpenAI's /v1/chat/completions, and decoders that turn the
// streamed response bytes into Events. Socket-free; one decoder per stream.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.h"
#include "base/status.h"

namespace sluice::providers {

// Decodes a streamed response body into Events. Feed() may be given bytes
// split anywhere. Malformed input → kUpstreamError naming what was wrong.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;
  virtual Status Feed(std::string_view bytes, std::vector<api::Event>* out) = 0;
  // The body ended: emit what is pending (usage, finish) or fail if the
  // stream ended before its terminator.
  virtual Status Finish(std::vector<api::Event>* out) = 0;
};

// Ollama: POST /api/chat, NDJSON response.
std::string EncodeOllamaChat(const api::ChatRequest& request, const std::string& upstream_model);
std::unique_ptr<StreamDecoder> MakeOllamaDecoder();

// OpenAI-compatible: POST /v1/chat/completions with stream + include_usage, SSE response.
std::string EncodeOpenAIChat(const api::ChatRequest& request, const std::string& upstream_model);
std::unique_ptr<StreamDecoder> MakeOpenAIDecoder();

// The message inside an upstream error body (Ollama {"error":"..."}, OpenAI
// {"error":{"message":"..."}}), or the body itself, truncated, when it is neither.
std::string UpstreamErrorMessage(std::string_view body);

}  // namespace sluice::providers
