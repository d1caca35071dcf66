// Providers that talk to an upstream model server over HTTP(S):
// kind "ollama" (POST {base}/api/chat, NDJSON) and kind "openai" (POST
// {base}/v1/chat/completions, SSE) — the latter also serves vLLM and
// llama.cpp's server, which speak the same protocol.
#pragma once

#include <memory>
#include <string>

#include "net/url.h"
#include "providers/provider.h"

namespace sluice::providers {

enum class UpstreamKind { kOllama, kOpenAI };

struct HttpProviderConfig {
  std::string name;
  UpstreamKind kind = UpstreamKind::kOllama;
  net::Url base;
  std::string api_key;  // sent as "Authorization: Bearer ..." when non-empty
  StreamTimeouts timeouts;
  bool verify_tls = true;
};

std::unique_ptr<Provider> MakeHttpProvider(HttpProviderConfig config);

}  // namespace sluice::providers
