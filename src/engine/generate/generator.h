// Generator: runs generation requests for one model on the engine's own
// compute threads.
//
// The generator owns `n_workers` worker threads, each with its own
// ThreadPool of threads_per_worker threads (the worker counts as one), and a
// FIFO queue of jobs: requests start in the order they were submitted, each
// on the first free worker, and a request runs to completion on its worker
// (continuous batching comes later). Every request gets its own KvCache
// sized to prompt + max_tokens, capped at the context size.
//
// One generation: prefill the prompt, then per token: fill the grammar mask
// (when a JSON schema was given), sample, advance the grammar, decode the
// token to text (tokenizer::StreamDecoder: UTF-8 safe), run it through the
// stop sequences (held back while a partial match is pending), hand the
// releasable text to the stream, and run the model on the token. It ends on
// an end-of-generation token ("stop"), a stop sequence ("stop"), the grammar
// terminating ("stop"), max_tokens or a full context ("length"), a failure,
// or cancellation: Cancel() on the handle, or GenerationStream::OnText
// returning false, stops compute before the next token.
//
// GenerationStream callbacks run on a compute thread; they must be
// thread-safe with respect to whoever consumes them and must not block for
// long (hand the text to another thread; the provider posts it to the
// session). OnDone is called exactly once per submitted request, also when
// the request is cancelled while queued or the Generator is destroyed.
//
// The Generator is thread-safe. The model is shared and immutable.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "engine/generate/chat_template.h"
#include "engine/generate/sampler.h"
#include "engine/model/model.h"

namespace sluice::engine {

struct GenerationRequest {
  // The prompt: token ids (BOS included when the template wants it), or,
  // when `prompt` is empty, a rendered chat that the worker encodes (so
  // tokenization runs on a compute thread, not on the caller's).
  std::vector<int32_t> prompt;
  std::vector<PromptSegment> segments;
  SamplerParams sampling;
  int32_t max_tokens = 0;          // 0 = until the context is full
  std::vector<std::string> stop;   // stop sequences (not included in the output)
  // When not empty, a JSON Schema document: output is constrained to it
  // token by token (compiled once per distinct text and cached).
  std::string json_schema;
};

struct GenerationResult {
  Status status;               // OK unless the request failed
  std::string finish_reason;   // "stop" | "length" | "cancelled" ("" on failure)
  int32_t prompt_tokens = 0;
  int32_t completion_tokens = 0;  // tokens sampled, the end-of-generation token included
  // Compute time: prompt processing, and the decode loop (sampling and masks
  // included). -1 when the request ended before that phase.
  double prompt_seconds = -1;
  double generation_seconds = -1;
};

class GenerationStream {
 public:
  virtual ~GenerationStream() = default;
  // A text delta (valid UTF-8, never empty). false: nobody wants more; stop.
  virtual bool OnText(std::string text) = 0;
  // The end: exactly once.
  virtual void OnDone(GenerationResult result) = 0;
};

// Lets the submitter cancel a request (queued or running). Thread-safe.
class GenerationHandle {
 public:
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> cancelled_{false};
};

struct GeneratorOptions {
  int n_threads = 1;      // compute threads in all (>= 1)
  int n_workers = 1;      // requests run at once (>= 1); threads are split among them
  int32_t n_ctx = 4096;   // context per request (capped at the model's context)
};

class Generator {
 public:
  Generator(std::shared_ptr<const Model> model, const GeneratorOptions& options);
  ~Generator();  // cancels what is queued or running and joins the workers
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // Checks `request` (kInvalidArgument when the prompt is empty, has an
  // out-of-range id or leaves no room in the context to generate) and queues
  // it. On error nothing is queued and `stream` is not called. A prompt
  // given as segments is checked after encoding, on the worker: its errors
  // come through OnDone (before any text).
  StatusOr<std::shared_ptr<GenerationHandle>> Submit(GenerationRequest request,
                                                     std::shared_ptr<GenerationStream> stream);

  // Queues `task` behind the requests already waiting; it runs on a worker
  // with that worker's pool (embeddings use this). `task(nullptr)` is called
  // instead when the generator shuts down before it ran.
  void Post(std::function<void(ThreadPool*)> task);

  const Model& model() const { return *model_; }
  int32_t n_ctx() const { return n_ctx_; }
  // Requests queued and not yet started (for tests and metrics).
  size_t queued() const;

 private:
  struct Impl;
  std::shared_ptr<const Model> model_;
  int32_t n_ctx_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::engine
