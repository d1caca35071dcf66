#include "engine/generate/generator.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "engine/generate/chat_template.h"
#include "engine/tools/random_model.h"

namespace sluice::engine {
namespace {

using namespace std::chrono_literals;

// A random-weight qwen2 model (synthetic byte-level vocabulary with ChatML
// specials), written once per test binary.
std::shared_ptr<const Model> TestModel() {
  static std::shared_ptr<const Model> model = [] {
    auto dir = std::filesystem::temp_directory_path() /
               ("sluice_generate_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::string path = (dir / "tiny.gguf").string();
    tools::RandomModelOptions o;
    o.arch = "qwen2";
    o.n_vocab = 512;
    o.n_embd = 64;
    o.n_layer = 2;
    o.n_head = 4;
    o.n_head_kv = 2;
    o.n_ff = 128;
    o.context_length = 512;
    o.scale = 0.5f;  // large weights: peaked, varied logits
    Status s = tools::WriteRandomModel(o, path);
    EXPECT_TRUE(s.ok()) << s.message();
    auto m = Model::Open(path);
    EXPECT_TRUE(m.ok()) << m.status().message();
    std::filesystem::remove_all(dir);
    return m.ok() ? *m : nullptr;
  }();
  return model;
}

// Collects one request's output; thread-safe.
class Collector final : public GenerationStream {
 public:
  // `cancel_after`: OnText returns false from that text on (0 = never).
  explicit Collector(int cancel_after = 0, std::vector<int>* order = nullptr, int tag = 0,
                     std::mutex* order_mu = nullptr)
      : cancel_after_(cancel_after), order_(order), tag_(tag), order_mu_(order_mu) {}

  bool OnText(std::string text) override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !gated_; });
    text_ += text;
    ++n_texts_;
    return cancel_after_ == 0 || n_texts_ < cancel_after_;
  }
  void OnDone(GenerationResult result) override {
    if (order_ != nullptr) {
      std::lock_guard o(*order_mu_);
      order_->push_back(tag_);
    }
    std::lock_guard lock(mu_);
    result_ = std::move(result);
    done_ = true;
    cv_.notify_all();
  }
  // Blocks OnText until Open() (to hold a worker busy).
  void Gate() {
    std::lock_guard lock(mu_);
    gated_ = true;
  }
  void Open() {
    std::lock_guard lock(mu_);
    gated_ = false;
    cv_.notify_all();
  }
  bool Wait(std::chrono::milliseconds timeout = 30s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done_; });
  }
  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }
  GenerationResult result() {
    std::lock_guard lock(mu_);
    return result_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int cancel_after_;
  std::vector<int>* order_;
  int tag_;
  std::mutex* order_mu_;
  bool gated_ = false;
  bool done_ = false;
  int n_texts_ = 0;
  std::string text_;
  GenerationResult result_;
};

std::vector<int32_t> Prompt(const Model& m, const std::string& user) {
  std::vector<ChatMessage> msgs = {{"user", user}};
  auto t = DetectChatTemplate(m.chat_template());
  EXPECT_TRUE(t.ok()) << t.status().message();
  return EncodePrompt(m.tokenizer(), RenderChat(*t, msgs));
}

GenerationRequest Greedy(const Model& m, int32_t max_tokens, const std::string& user = "hello") {
  GenerationRequest r;
  r.prompt = Prompt(m, user);
  r.sampling.temperature = 0;
  r.max_tokens = max_tokens;
  return r;
}

// Runs `req` to the end on `gen`.
std::shared_ptr<Collector> RunOne(Generator& gen, GenerationRequest req) {
  auto c = std::make_shared<Collector>();
  auto h = gen.Submit(std::move(req), c);
  EXPECT_TRUE(h.ok()) << h.status().message();
  EXPECT_TRUE(c->Wait());
  return c;
}

TEST(Generator, GreedyIsDeterministicAndStopsAtMaxTokens) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 2, .n_workers = 1, .n_ctx = 512});
  auto a = RunOne(gen, Greedy(*model, 24));
  auto b = RunOne(gen, Greedy(*model, 24));
  GenerationResult ra = a->result();
  ASSERT_TRUE(ra.status.ok()) << ra.status.message();
  EXPECT_EQ(a->text(), b->text());
  EXPECT_GT(ra.prompt_tokens, 3);
  if (ra.finish_reason == "length") {
    EXPECT_EQ(ra.completion_tokens, 24);
  } else {
    EXPECT_EQ(ra.finish_reason, "stop");  // an end-of-generation token came first
    EXPECT_LE(ra.completion_tokens, 24);
  }
}

TEST(Generator, SeedMakesSamplingReproducible) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 2, .n_ctx = 512});
  auto sampled = [&](uint64_t seed) {
    GenerationRequest r = Greedy(*model, 32);
    r.sampling.temperature = 1.0f;
    r.sampling.seed = seed;
    return RunOne(gen, std::move(r))->text();
  };
  std::string a = sampled(11);
  EXPECT_EQ(a, sampled(11));
  EXPECT_NE(a + sampled(12) + sampled(13), a + a + a);
}

TEST(Generator, StopSequenceEndsOutputBeforeIt) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 2, .n_ctx = 512});
  // Sampled text (seeded) is varied enough to pick a stop string from.
  GenerationRequest base = Greedy(*model, 64);
  base.sampling.temperature = 1.0f;
  base.sampling.seed = 5;
  std::string full = RunOne(gen, base)->text();
  ASSERT_GE(full.size(), 12u) << "model produced too little text: " << full;
  std::string stop = full.substr(full.size() / 2, 3);
  GenerationRequest with_stop = base;
  with_stop.stop = {stop};
  auto c = RunOne(gen, with_stop);
  EXPECT_EQ(c->text(), full.substr(0, full.find(stop)));
  EXPECT_EQ(c->result().finish_reason, "stop");
}

TEST(Generator, PromptThatDoesNotFitIsInvalidArgument) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 1, .n_ctx = 64});
  GenerationRequest r;
  r.prompt.assign(64, 65);
  auto h = gen.Submit(r, std::make_shared<Collector>());
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(h.status().message().find("context holds 64"), std::string::npos);
  r.prompt = {1, 2, 100000};
  EXPECT_FALSE(gen.Submit(r, std::make_shared<Collector>()).ok());
  r.prompt.clear();
  EXPECT_FALSE(gen.Submit(r, std::make_shared<Collector>()).ok());
}

TEST(Generator, ContextLimitEndsWithLength) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 1, .n_ctx = 40});
  GenerationRequest r = Greedy(*model, 0);  // 0 = until the context is full
  r.sampling.temperature = 1.0f;
  r.sampling.seed = 3;
  auto c = RunOne(gen, r);
  GenerationResult res = c->result();
  ASSERT_TRUE(res.status.ok()) << res.status.message();
  if (res.finish_reason == "length") {
    EXPECT_EQ(res.prompt_tokens + res.completion_tokens, 40);
  }
}

TEST(Generator, ReceiverGoneStopsWithinOneToken) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 2, .n_ctx = 512});
  GenerationRequest r = Greedy(*model, 200);
  r.sampling.temperature = 1.0f;
  r.sampling.seed = 1;
  r.stop.clear();
  auto c = std::make_shared<Collector>(/*cancel_after=*/2);
  ASSERT_TRUE(gen.Submit(r, c).ok());
  ASSERT_TRUE(c->Wait());
  GenerationResult res = c->result();
  if (res.finish_reason == "cancelled") {
    // Two texts delivered; no token is computed after the refusal.
    EXPECT_LE(res.completion_tokens, 2 + 8);  // a few tokens may decode to no text
  } else {
    EXPECT_EQ(res.finish_reason, "stop");  // ended on its own before the 2nd text
  }
}

TEST(Generator, CancelRunningAndQueuedRequestsAndKeepFifoOrder) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 2, .n_workers = 1, .n_ctx = 512});
  std::vector<int> order;
  std::mutex order_mu;
  auto first = std::make_shared<Collector>(0, &order, 1, &order_mu);
  first->Gate();  // holds the only worker inside its first OnText
  GenerationRequest long_req = Greedy(*model, 400);
  long_req.sampling.temperature = 1.0f;
  auto h1 = gen.Submit(long_req, first);
  ASSERT_TRUE(h1.ok());
  std::vector<std::shared_ptr<Collector>> rest;
  std::vector<std::shared_ptr<GenerationHandle>> handles;
  for (int tag = 2; tag <= 4; ++tag) {
    rest.push_back(std::make_shared<Collector>(0, &order, tag, &order_mu));
    auto h = gen.Submit(Greedy(*model, 4), rest.back());
    ASSERT_TRUE(h.ok());
    handles.push_back(*h);
  }
  // Wait until the first request is inside OnText and the others queue.
  for (int i = 0; i < 500 && gen.queued() != 3; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(gen.queued(), 3u);
  handles[1]->Cancel();  // request 3 is cancelled while queued
  (*h1)->Cancel();
  auto t0 = std::chrono::steady_clock::now();
  first->Open();
  ASSERT_TRUE(first->Wait());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 2s);
  EXPECT_EQ(first->result().finish_reason, "cancelled");
  EXPECT_LE(first->result().completion_tokens, 2);
  for (auto& c : rest) ASSERT_TRUE(c->Wait());
  EXPECT_EQ(rest[1]->result().finish_reason, "cancelled");
  EXPECT_EQ(rest[1]->result().completion_tokens, 0);
  std::lock_guard lock(order_mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3, 4}));
}

TEST(Generator, DestructionFinishesQueuedRequests) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  auto c1 = std::make_shared<Collector>();
  auto c2 = std::make_shared<Collector>();
  {
    Generator gen(model, {.n_threads = 1, .n_ctx = 512});
    c1->Gate();
    ASSERT_TRUE(gen.Submit(Greedy(*model, 100), c1).ok());
    ASSERT_TRUE(gen.Submit(Greedy(*model, 100), c2).ok());
    std::thread opener([&] {
      std::this_thread::sleep_for(50ms);
      c1->Open();
    });
    opener.detach();
  }
  EXPECT_TRUE(c1->Wait(1s));
  EXPECT_TRUE(c2->Wait(1s));
  EXPECT_EQ(c2->result().finish_reason, "cancelled");
}

TEST(Generator, JsonSchemaConstrainsRandomModelOutput) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 2, .n_ctx = 512});
  GenerationRequest r = Greedy(*model, 200);
  r.sampling.temperature = 1.0f;
  r.sampling.seed = 4;
  r.json_schema =
      R"({"type":"object","properties":{"ok":{"type":"boolean"},"n":{"enum":[1,2,3]}},)"
      R"("required":["ok","n"],"additionalProperties":false})";
  auto c = RunOne(gen, r);
  GenerationResult res = c->result();
  ASSERT_TRUE(res.status.ok()) << res.status.message();
  EXPECT_EQ(res.finish_reason, "stop") << c->text();
  std::string t = c->text();
  // The only documents of this grammar (max one whitespace between tokens).
  std::string compact;
  for (char ch : t) {
    if (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r') compact += ch;
  }
  EXPECT_TRUE(compact.rfind("{\"ok\":", 0) == 0) << t;
  EXPECT_TRUE(compact.find("\"n\":") != std::string::npos) << t;
  EXPECT_EQ(compact.back(), '}') << t;
}

TEST(Generator, JsonSchemaAnswerIsFinishedWhenTheBudgetRunsOut) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 2, .n_ctx = 512});
  // An open-ended array of objects: a random model rarely closes it by itself.
  const std::string schema =
      R"({"type":"object","properties":{"rows":{"type":"array","items":{"type":"object",)"
      R"("properties":{"name":{"type":"string"},"ok":{"type":"boolean"}},"required":["name","ok"],)"
      R"("additionalProperties":false}}},"required":["rows"],"additionalProperties":false})";
  for (int32_t budget : {40, 60, 90}) {
    for (uint64_t seed : {1u, 2u, 3u}) {
      GenerationRequest r = Greedy(*model, budget);
      r.sampling.temperature = 1.0f;
      r.sampling.seed = seed;
      r.json_schema = schema;
      auto c = RunOne(gen, r);
      GenerationResult res = c->result();
      ASSERT_TRUE(res.status.ok()) << res.status.message();
      EXPECT_LE(res.completion_tokens, budget);
      boost::system::error_code ec;
      boost::json::value v = boost::json::parse(c->text(), ec);
      ASSERT_FALSE(ec) << "budget " << budget << " seed " << seed << ": " << c->text();
      ASSERT_TRUE(v.is_object()) << c->text();
      ASSERT_TRUE(v.as_object().at("rows").is_array()) << c->text();
      for (const auto& row : v.as_object().at("rows").as_array()) {
        EXPECT_TRUE(row.as_object().at("name").is_string()) << c->text();
        EXPECT_TRUE(row.as_object().at("ok").is_bool()) << c->text();
      }
    }
  }
}

TEST(Generator, BadSchemaFailsTheRequest) {
  auto model = TestModel();
  ASSERT_NE(model, nullptr);
  Generator gen(model, {.n_threads = 1, .n_ctx = 512});
  GenerationRequest r = Greedy(*model, 8);
  r.json_schema = "{not json";
  auto c = RunOne(gen, r);
  EXPECT_FALSE(c->result().status.ok());
}

}  // namespace
}  // namespace sluice::engine
