#include "providers/embedded_provider.h"

#include <deque>
#include <mutex>
#include <random>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "base/log.h"
#include "engine/generate/chat_template.h"
#include "engine/generate/generator.h"
#include "engine/model/model.h"

namespace sluice::providers {

namespace asio = boost::asio;
using api::Event;
// A wake-up signal from compute threads to a session coroutine: try_send from
// any thread; one pending signal is enough (the receiver drains everything).
using WakeChannel =
    asio::experimental::concurrent_channel<void(boost::system::error_code)>;

namespace {

constexpr const char* kJsonObjectSchema = R"({"type":"object"})";

// Carries one generation's events from the compute thread to the session.
class EventBridge final : public engine::GenerationStream {
 public:
  explicit EventBridge(const asio::any_io_executor& executor) : wake_(executor, 1) {}

  bool OnText(std::string text) override {
    if (receiver_gone_.load(std::memory_order_relaxed)) return false;
    Push(Event::Token(std::move(text)), false);
    return true;
  }

  void OnDone(engine::GenerationResult r) override {
    std::lock_guard lock(mu_);
    if (!r.status.ok()) {
      events_.push_back(Event::Error(std::move(r.status)));
    } else if (r.finish_reason != "cancelled") {
      api::Usage usage;
      usage.prompt_tokens = r.prompt_tokens;
      usage.completion_tokens = r.completion_tokens;
      usage.prompt_seconds = r.prompt_seconds;
      usage.generation_seconds = r.generation_seconds;
      events_.push_back(Event::UsageOf(usage));
      events_.push_back(Event::Finish(r.finish_reason));
    }
    done_ = true;
    Wake();
  }

  // Everything that arrived since the last call; `done` once OnDone ran and
  // everything before it was taken.
  std::deque<Event> Take(bool* done) {
    std::lock_guard lock(mu_);
    *done = done_;
    return std::exchange(events_, {});
  }

  void MarkReceiverGone() { receiver_gone_.store(true, std::memory_order_relaxed); }
  void Wake() { wake_.try_send(boost::system::error_code()); }
  WakeChannel& wake() { return wake_; }

 private:
  void Push(Event e, bool done) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
    done_ = done_ || done;
    Wake();
  }

  std::mutex mu_;
  std::deque<Event> events_;
  bool done_ = false;
  std::atomic<bool> receiver_gone_{false};
  WakeChannel wake_;
};

engine::SamplerParams SamplingOf(const api::Sampling& s) {
  engine::SamplerParams p;
  p.temperature = static_cast<float>(s.temperature.value_or(1.0));
  p.top_p = static_cast<float>(s.top_p.value_or(1.0));
  p.top_k = static_cast<int32_t>(std::min<int64_t>(s.top_k.value_or(0), INT32_MAX));
  p.presence_penalty = static_cast<float>(s.presence_penalty.value_or(0.0));
  p.frequency_penalty = static_cast<float>(s.frequency_penalty.value_or(0.0));
  if (s.seed) {
    p.seed = static_cast<uint64_t>(*s.seed);
  } else {
    p.seed = std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32);
  }
  return p;
}

class EmbeddedProviderImpl final : public EmbeddedProvider {
 public:
  EmbeddedProviderImpl(EmbeddedProviderConfig config, std::shared_ptr<const engine::Model> model,
                       engine::ChatTemplate tmpl, const engine::GeneratorOptions& options)
      : config_(std::move(config)), model_(model), template_(std::move(tmpl)),
        generator_(std::move(model), options) {}

  const std::string& name() const override { return config_.name; }
  const char* kind() const override { return "embedded"; }

  asio::awaitable<void> Stream(const api::ChatRequest& request, const std::string& /*upstream*/,
                               EventSink& sink, CancelToken& cancel) override {
    auto executor = co_await asio::this_coro::executor;
    std::vector<engine::ChatMessage> messages;
    messages.reserve(request.messages.size());
    for (const api::Message& m : request.messages) messages.push_back({m.role, m.content});

    engine::GenerationRequest gen;
    gen.segments = engine::RenderChat(template_, messages);  // encoded on the compute thread
    gen.sampling = SamplingOf(request.sampling);
    gen.max_tokens = static_cast<int32_t>(
        std::min<int64_t>(request.sampling.max_tokens.value_or(0), INT32_MAX));
    gen.stop = request.sampling.stop;
    switch (request.response_format.kind) {
      case api::ResponseKind::kText: break;
      case api::ResponseKind::kJsonObject: gen.json_schema = kJsonObjectSchema; break;
      case api::ResponseKind::kJsonSchema: gen.json_schema = request.response_format.schema_json; break;
    }

    auto bridge = std::make_shared<EventBridge>(executor);
    auto handle = generator_.Submit(std::move(gen), bridge);
    if (!handle.ok()) {
      co_await sink.Emit(Event::Error(handle.status()));
      co_return;
    }
    std::shared_ptr<engine::GenerationHandle> h = *handle;
    cancel.OnCancel([h, bridge] {
      h->Cancel();
      bridge->MarkReceiverGone();
      bridge->Wake();
    });
    struct ClearOnExit {
      CancelToken& token;
      std::shared_ptr<engine::GenerationHandle> handle;
      ~ClearOnExit() {
        token.Clear();
        handle->Cancel();  // a no-op after a normal end; stops compute otherwise
      }
    } clear_on_exit{cancel, h};

    while (true) {
      bool done = false;
      std::deque<Event> batch = bridge->Take(&done);
      for (Event& e : batch) {
        if (!co_await sink.Emit(std::move(e))) {
          bridge->MarkReceiverGone();
          co_return;
        }
      }
      if (!batch.empty() && !done && !co_await sink.Flush()) {
        bridge->MarkReceiverGone();
        co_return;
      }
      if (done || cancel.cancelled()) co_return;
      co_await bridge->wake().async_receive(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::awaitable<Status> Probe() override { co_return Status::Ok(); }

  std::shared_ptr<const tokenizer::Tokenizer> tokenizer() const override {
    return model_->shared_tokenizer();
  }

  asio::awaitable<StatusOr<Embeddings>> Embed(std::vector<std::string> inputs) override {
    auto executor = co_await asio::this_coro::executor;
    struct Shared {
      explicit Shared(const asio::any_io_executor& ex) : wake(ex, 1) {}
      std::mutex mu;
      bool done = false;
      Status status;
      Embeddings result;
      WakeChannel wake;
    };
    auto shared = std::make_shared<Shared>(executor);
    auto model = model_;
    const int32_t n_ctx = generator_.n_ctx();
    generator_.Post([shared, model, n_ctx, inputs = std::move(inputs)](engine::ThreadPool* pool) {
      Status status;
      Embeddings out;
      if (pool == nullptr) status = Status(ErrorCode::kUnavailable, "the engine is shutting down");
      tokenizer::EncodeOptions opts;
      opts.add_special = true;
      opts.parse_special = false;
      for (size_t i = 0; status.ok() && i < inputs.size(); ++i) {
        std::vector<int32_t> ids = model->tokenizer().Encode(inputs[i], opts);
        if (ids.empty()) {
          status = Status(ErrorCode::kInvalidArgument,
                          fmt::format("input {} has no tokens (empty text)", i));
        } else if (static_cast<int64_t>(ids.size()) > n_ctx) {
          status = Status(ErrorCode::kInvalidArgument,
                          fmt::format("input {} is {} tokens; the context holds {}", i,
                                      ids.size(), n_ctx));
        } else {
          auto v = model->Embed(ids, *pool);
          if (!v.ok()) {
            status = v.status();
          } else {
            out.prompt_tokens += static_cast<int64_t>(ids.size());
            out.vectors.push_back(std::move(v).value());
          }
        }
      }
      std::lock_guard lock(shared->mu);
      shared->status = std::move(status);
      shared->result = std::move(out);
      shared->done = true;
      shared->wake.try_send(boost::system::error_code());
    });
    while (true) {
      {
        std::lock_guard lock(shared->mu);
        if (shared->done) break;
      }
      co_await shared->wake.async_receive(asio::as_tuple(asio::use_awaitable));
    }
    if (!shared->status.ok()) co_return shared->status;
    co_return std::move(shared->result);
  }

 private:
  EmbeddedProviderConfig config_;
  std::shared_ptr<const engine::Model> model_;
  engine::ChatTemplate template_;
  engine::Generator generator_;
};

}  // namespace

StatusOr<std::unique_ptr<EmbeddedProvider>> MakeEmbeddedProvider(
    const EmbeddedProviderConfig& config) {
  auto where = [&](const std::string& what) {
    return fmt::format("provider '{}': {}", config.name, what);
  };
  auto model = engine::Model::Open(config.model);
  if (!model.ok()) {
    return Status(model.status().code(),
                  where(fmt::format("model {}: {}", config.model, model.status().message())));
  }
  auto tmpl = config.chat_template.empty() ? engine::DetectChatTemplate((*model)->chat_template())
                                           : engine::ChatTemplateByName(config.chat_template);
  if (!tmpl.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  where(fmt::format("model {}: {}", config.model, tmpl.status().message())));
  }
  std::vector<std::string> missing = engine::MissingTemplateTokens(*tmpl, (*model)->tokenizer());
  if (!missing.empty()) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    Log(LogLevel::kWarn, "the model's vocabulary lacks tokens its chat template uses; they are "
                         "encoded as text",
        {{"provider", config.name}, {"template", engine::ChatFamilyName(tmpl->family)},
         {"tokens", list}});
  }
  engine::GeneratorOptions options;
  unsigned hw = std::thread::hardware_concurrency();
  options.n_threads = config.threads > 0 ? config.threads : static_cast<int>(hw == 0 ? 1 : hw);
  options.n_workers = std::max(1, config.parallel);
  const int32_t model_ctx = (*model)->config().context_length;
  options.n_ctx = config.context > 0 ? std::min(config.context, model_ctx)
                                     : std::min<int32_t>(4096, model_ctx);
  Log(LogLevel::kInfo, "embedded model loaded",
      {{"provider", config.name}, {"model", (*model)->config().name},
       {"arch", (*model)->config().arch}, {"template", engine::ChatFamilyName(tmpl->family)},
       {"threads", std::to_string(options.n_threads)}, {"context", std::to_string(options.n_ctx)}});
  return std::unique_ptr<EmbeddedProvider>(
      new EmbeddedProviderImpl(config, std::move(model).value(), std::move(tmpl).value(), options));
}

}  // namespace sluice::providers
