// The embedded provider (kind "embedded"): a GGUF model run in-process by the
// engine, behind the same Provider interface as the HTTP upstreams.
//
// At start it loads the model, picks its chat template (the override, else
// recognised from the GGUF; an unrecognised template is an error naming the
// fix) and starts the engine's compute threads (engine::Generator). Stream()
// renders the conversation, queues it (FIFO), and relays the generator's
// text deltas as kToken events, then kUsage (real token counts) and kFinish
// ("stop" | "length"). A JSON response format constrains decoding with the
// grammar. Cancellation (the CancelToken, or the sink refusing an event)
// stops compute before the next token. Embed() runs Model::Embed on the same
// compute threads, queued with the generations.
//
// Thread-safe: shared by every session; each call's state is its own.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "providers/provider.h"
#include "tokenizer/tokenizer.h"

namespace sluice::providers {

struct EmbeddedProviderConfig {
  std::string name;
  std::string model;          // a .gguf path or "ollama:NAME:TAG"
  int threads = 0;            // compute threads; 0 = hardware threads
  int parallel = 1;           // requests generated at once (threads are split)
  int32_t context = 0;        // per-request context; 0 = min(4096, model's)
  std::string chat_template;  // "" = from the model; else chatml|llama3|llama2|mistral|phi3
};

struct Embeddings {
  std::vector<std::vector<float>> vectors;  // one per input, L2-normalized
  int64_t prompt_tokens = 0;                // tokens over all inputs
};

class EmbeddedProvider : public Provider {
 public:
  // Errors for an input that is empty or longer than the context.
  virtual boost::asio::awaitable<StatusOr<Embeddings>> Embed(std::vector<std::string> inputs) = 0;
  // The model's tokenizer (immutable, shared): routes to this provider use it
  // for /tokenize and token counts unless they configure another.
  virtual std::shared_ptr<const tokenizer::Tokenizer> tokenizer() const = 0;
};

// Loads the model and starts the compute threads. Errors: the model's load
// error, an unrecognised chat template, a bad override (kInvalidArgument).
StatusOr<std::unique_ptr<EmbeddedProvider>> MakeEmbeddedProvider(
    const EmbeddedProviderConfig& config);

}  // namespace sluice::providers
