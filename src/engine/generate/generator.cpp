#include "engine/generate/generator.h"

#include <chrono>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

#include <fmt/format.h>

#include "engine/generate/grammar_cache.h"
#include "engine/generate/stop_matcher.h"
#include "grammar/token_matcher.h"
#include "tokenizer/tokenizer.h"

namespace sluice::engine {

namespace {

// What one request needs while it runs on a worker.
struct Sequence {
  GenerationRequest request;
  std::shared_ptr<GenerationStream> stream;
  std::shared_ptr<GenerationHandle> handle;
};

// kInvalidArgument when `prompt` cannot run in a context of n_ctx.
Status CheckPrompt(std::span<const int32_t> prompt, int32_t n_vocab, int32_t n_ctx) {
  if (prompt.empty()) return Status(ErrorCode::kInvalidArgument, "the prompt is empty");
  for (int32_t id : prompt) {
    if (id < 0 || id >= n_vocab) {
      return Status(ErrorCode::kInvalidArgument,
                    fmt::format("prompt token {} is outside the vocabulary (0..{})", id,
                                n_vocab - 1));
    }
  }
  if (static_cast<int64_t>(prompt.size()) >= n_ctx) {
    return Status(ErrorCode::kInvalidArgument,
                  fmt::format("the prompt is {} tokens but the context holds {} (it needs room "
                              "for at least one more to generate); shorten the conversation",
                              prompt.size(), n_ctx));
  }
  return Status::Ok();
}

GenerationResult Failed(Status status, int32_t prompt_tokens) {
  GenerationResult r;
  r.status = std::move(status);
  r.prompt_tokens = prompt_tokens;
  return r;
}

}  // namespace

struct Generator::Impl {
  const Model& model;
  int32_t n_ctx;
  GrammarCache grammars;

  mutable std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void(ThreadPool*)>> queue;  // FIFO
  bool stopping = false;
  std::atomic<bool> shutting_down{false};
  std::vector<std::thread> workers;

  Impl(const Model& m, int32_t ctx) : model(m), n_ctx(ctx) {}

  void WorkerLoop(int pool_threads) {
    ThreadPool pool(pool_threads);
    while (true) {
      std::function<void(ThreadPool*)> job;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping and drained
        job = std::move(queue.front());
        queue.pop_front();
      }
      job(shutting_down.load() ? nullptr : &pool);
    }
  }

  void Run(Sequence& seq, ThreadPool& pool);
};

// Runs one request to its end; every path ends in exactly one OnDone.
void Generator::Impl::Run(Sequence& seq, ThreadPool& pool) {
  GenerationRequest& req = seq.request;
  GenerationStream& out = *seq.stream;
  auto stop_now = [&] { return seq.handle->cancelled() || shutting_down.load(); };
  if (stop_now()) {
    GenerationResult r;
    r.finish_reason = "cancelled";
    r.prompt_tokens = static_cast<int32_t>(req.prompt.size());
    out.OnDone(std::move(r));
    return;
  }
  if (req.prompt.empty()) {
    req.prompt = EncodePrompt(model.tokenizer(), req.segments);
    Status ok = CheckPrompt(req.prompt, model.config().n_vocab, n_ctx);
    if (!ok.ok()) {
      out.OnDone(Failed(std::move(ok), static_cast<int32_t>(req.prompt.size())));
      return;
    }
  }
  const auto n_prompt = static_cast<int32_t>(req.prompt.size());

  std::unique_ptr<grammar::TokenMatcher> matcher;
  if (!req.json_schema.empty()) {
    auto compiled = grammars.Get(req.json_schema);
    if (!compiled.ok()) {
      out.OnDone(Failed(compiled.status(), n_prompt));
      return;
    }
    matcher = std::make_unique<grammar::TokenMatcher>(
        *compiled, grammar::VocabularyFor(model.shared_tokenizer()));
  }

  const ModelConfig& config = model.config();
  const int32_t room = n_ctx - n_prompt;  // > 0: checked in Submit
  const int32_t max_tokens = req.max_tokens > 0 ? std::min(req.max_tokens, room) : room;
  std::unique_ptr<KvCache> cache = model.NewCache(n_prompt + max_tokens);
  std::vector<float> logits(static_cast<size_t>(config.n_vocab));  // (n_vocab)
  std::vector<uint32_t> mask(matcher ? (static_cast<size_t>(config.n_vocab) + 31) / 32 : 0);

  // Prefill in chunks, so that a cancelled long prompt stops early too.
  constexpr int32_t kPrefillChunk = 256;
  constexpr int32_t kCloseWindow = 160;  // tokens left when completions start being checked
  constexpr int32_t kCloseSlack = 32;
  using Clock = std::chrono::steady_clock;
  const Clock::time_point prefill_start = Clock::now();
  Status s;
  for (int32_t at = 0; at < n_prompt && s.ok(); at += kPrefillChunk) {
    if (stop_now()) {
      GenerationResult r;
      r.finish_reason = "cancelled";
      r.prompt_tokens = n_prompt;
      out.OnDone(std::move(r));
      return;
    }
    const int32_t n = std::min(kPrefillChunk, n_prompt - at);
    const bool last = at + n == n_prompt;
    s = model.Forward(std::span<const int32_t>(req.prompt).subspan(static_cast<size_t>(at),
                                                                   static_cast<size_t>(n)),
                      *cache, pool, last ? std::span<float>(logits) : std::span<float>());
  }
  if (!s.ok()) {
    out.OnDone(Failed(std::move(s), n_prompt));
    return;
  }

  const tokenizer::Tokenizer& tok = model.tokenizer();
  const std::vector<int32_t>& end_ids = tok.end_of_generation_ids();
  Sampler sampler(config.n_vocab, req.sampling);
  tokenizer::StreamDecoder decoder(tok, /*skip_special=*/true);
  StopMatcher stops(req.stop);

  GenerationResult result;
  result.prompt_tokens = n_prompt;
  const Clock::time_point decode_start = Clock::now();
  const double prefill_seconds = std::chrono::duration<double>(decode_start - prefill_start).count();
  bool receiver_gone = false;
  auto emit = [&](std::string text) {
    if (text.empty() || receiver_gone) return;
    if (!out.OnText(std::move(text))) receiver_gone = true;
  };
  // Releases what the decoder and the stop matcher still hold.
  auto drain = [&] {
    if (!stops.stopped()) {
      std::string tail = stops.Feed(decoder.Finish());
      tail += stops.Finish();
      emit(std::move(tail));
    }
  };

  int32_t n_generated = 0;
  bool closing = false;  // emitting the grammar's shortest completion
  while (true) {
    if (stop_now() || receiver_gone) {
      result.finish_reason = "cancelled";
      break;
    }
    // Near the end of the budget, finish the document rather than cut it
    // off: once the shortest completion (at most one token per byte) comes
    // within kCloseSlack tokens of what is left, emit it and stop. The slack
    // covers one sampled token growing it (opening an object with required
    // members); the answer ends a little early instead of invalid.
    std::optional<std::string> rest;
    if (matcher && max_tokens - n_generated <= kCloseWindow) {
      rest = matcher->ShortestCompletion(kCloseWindow);
      closing = closing ||
                (rest && static_cast<int32_t>(rest->size()) + kCloseSlack >= max_tokens - n_generated);
    }
    if (closing && matcher->IsAccepting()) {
      drain();
      result.finish_reason = "length";
      break;
    }
    int32_t token;
    if (closing) {
      token = rest ? matcher->CompletionToken(*rest) : -1;
    } else if (matcher) {
      matcher->FillMask(mask);
      token = sampler.Sample(logits, mask);
    } else {
      token = sampler.Sample(logits);
    }
    if (token < 0) {
      result = Failed(Status(ErrorCode::kInternal,
                             "no token is allowed here (the grammar and the vocabulary have no "
                             "common continuation)"),
                      n_prompt);
      break;
    }
    if (matcher && !matcher->Advance(token)) {
      result = Failed(Status(ErrorCode::kInternal,
                             fmt::format("grammar refused token {} its own mask allowed", token)),
                      n_prompt);
      break;
    }
    sampler.Accept(token);
    ++n_generated;
    if (std::find(end_ids.begin(), end_ids.end(), token) != end_ids.end()) {
      drain();
      result.finish_reason = "stop";
      break;
    }
    emit(stops.Feed(decoder.Feed(token)));
    if (stops.stopped() || (matcher && matcher->IsTerminated())) {
      drain();
      result.finish_reason = "stop";
      break;
    }
    if (n_generated >= max_tokens) {
      drain();
      result.finish_reason = "length";
      break;
    }
    int32_t one[1] = {token};
    s = model.Forward(one, *cache, pool, logits);
    if (!s.ok()) {
      result = Failed(std::move(s), n_prompt);
      break;
    }
  }
  result.completion_tokens = n_generated;
  result.prompt_seconds = prefill_seconds;
  result.generation_seconds = std::chrono::duration<double>(Clock::now() - decode_start).count();
  out.OnDone(std::move(result));
}

Generator::Generator(std::shared_ptr<const Model> model, const GeneratorOptions& options)
    : model_(std::move(model)) {
  n_ctx_ = std::max(1, std::min(options.n_ctx, model_->config().context_length));
  impl_ = std::make_unique<Impl>(*model_, n_ctx_);
  const int n_workers = std::max(1, options.n_workers);
  const int n_threads = std::max(n_workers, options.n_threads);
  for (int w = 0; w < n_workers; ++w) {
    // Threads split as evenly as they go; the first workers get the remainder.
    int mine = n_threads / n_workers + (w < n_threads % n_workers ? 1 : 0);
    impl_->workers.emplace_back([this, mine] { impl_->WorkerLoop(mine); });
  }
}

Generator::~Generator() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = true;
    impl_->shutting_down.store(true);
  }
  impl_->cv.notify_all();
  for (std::thread& t : impl_->workers) t.join();
}

StatusOr<std::shared_ptr<GenerationHandle>> Generator::Submit(
    GenerationRequest request, std::shared_ptr<GenerationStream> stream) {
  if (!request.prompt.empty() || request.segments.empty()) {
    SLUICE_RETURN_IF_ERROR(CheckPrompt(request.prompt, model_->config().n_vocab, n_ctx_));
  }
  if (request.max_tokens < 0) {
    return Status(ErrorCode::kInvalidArgument, "max_tokens must not be negative");
  }
  auto handle = std::make_shared<GenerationHandle>();
  auto seq = std::make_shared<Sequence>(Sequence{std::move(request), std::move(stream), handle});
  Post([impl = impl_.get(), seq](ThreadPool* pool) {
    if (pool == nullptr) {
      GenerationResult r;
      r.finish_reason = "cancelled";
      r.prompt_tokens = static_cast<int32_t>(seq->request.prompt.size());
      seq->stream->OnDone(std::move(r));
      return;
    }
    impl->Run(*seq, *pool);
  });
  return handle;
}

void Generator::Post(std::function<void(ThreadPool*)> task) {
  {
    std::lock_guard lock(impl_->mu);
    if (!impl_->stopping) {
      impl_->queue.push_back(std::move(task));
      task = nullptr;
    }
  }
  if (task) {
    task(nullptr);
    return;
  }
  impl_->cv.notify_one();
}

size_t Generator::queued() const {
  std::lock_guard lock(impl_->mu);
  return impl_->queue.size();
}

}  // namespace sluice::engine
