#include "cli/engine_commands.h"

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/generate/chat_template.h"
#include "engine/generate/generator.h"
#include "engine/model/model.h"

namespace {

using namespace sluice;

[[noreturn]] void Fail(const std::string& what) {
  std::cerr << "sluice: " << what << "\n";
  throw CLI::RuntimeError(1);
}

int DefaultThreads() {
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

struct GenerateFlags {
  std::string model, prompt;
  bool chat = false;
  int max_tokens = 128;
  double temperature = 0.8;
  int top_k = 40;
  double top_p = 0.95;
  double min_p = 0.05;
  int64_t seed = -1;
  int threads = 0;
  int context = 0;
};

// Writes text to stdout as it comes (from the compute thread); the main
// thread waits for the end.
class StdoutStream final : public engine::GenerationStream {
 public:
  bool OnText(std::string text) override {
    std::cout << text << std::flush;
    return true;
  }
  void OnDone(engine::GenerationResult result) override {
    std::lock_guard lock(mu_);
    result_ = std::move(result);
    done_ = true;
    cv_.notify_all();
  }
  engine::GenerationResult Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
    return result_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  engine::GenerationResult result_;
};

void RunGenerate(const GenerateFlags& f) {
  auto model = engine::Model::Open(f.model);
  if (!model.ok()) Fail(model.status().message());
  const tokenizer::Tokenizer& tok = (*model)->tokenizer();
  engine::GenerationRequest req;
  if (f.chat) {
    auto tmpl = engine::DetectChatTemplate((*model)->chat_template());
    if (!tmpl.ok()) Fail(tmpl.status().message());
    std::vector<engine::ChatMessage> messages = {{"user", f.prompt}};
    req.prompt = engine::EncodePrompt(tok, engine::RenderChat(*tmpl, messages));
  } else {
    tokenizer::EncodeOptions opts;
    opts.add_special = true;  // BOS where the model's tokenizer adds one
    opts.parse_special = false;
    req.prompt = tok.Encode(f.prompt, opts);
    if (tok.adds_eos() && !req.prompt.empty() && req.prompt.back() == tok.eos_id()) {
      req.prompt.pop_back();  // a continuation must not start after an end
    }
  }
  req.max_tokens = f.max_tokens;
  req.sampling.temperature = static_cast<float>(f.temperature);
  req.sampling.top_k = f.top_k;
  req.sampling.top_p = static_cast<float>(f.top_p);
  req.sampling.min_p = static_cast<float>(f.min_p);
  req.sampling.seed = f.seed >= 0 ? static_cast<uint64_t>(f.seed)
                                  : static_cast<uint64_t>(std::random_device{}());
  engine::GeneratorOptions options;
  options.n_threads = f.threads > 0 ? f.threads : DefaultThreads();
  options.n_ctx = f.context > 0 ? f.context : (*model)->config().context_length;
  engine::Generator gen(*model, options);
  auto stream = std::make_shared<StdoutStream>();
  auto start = std::chrono::steady_clock::now();
  auto handle = gen.Submit(std::move(req), stream);
  if (!handle.ok()) Fail(handle.status().message());
  engine::GenerationResult r = stream->Wait();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "\n";
  if (!r.status.ok()) Fail(r.status.message());
  std::cerr << fmt::format("[{} prompt tokens, {} generated, finish: {}, {:.2f} s, {:.1f} tokens/s]\n",
                           r.prompt_tokens, r.completion_tokens, r.finish_reason, seconds,
                           seconds > 0 ? r.completion_tokens / seconds : 0.0);
}

struct EmbedFlags {
  std::string model;
  std::vector<std::string> texts;
  int threads = 0;
};

void RunEmbed(const EmbedFlags& f) {
  if (f.texts.size() < 2) Fail("embed needs at least two texts to compare");
  auto model = engine::Model::Open(f.model);
  if (!model.ok()) Fail(model.status().message());
  engine::ThreadPool pool(f.threads > 0 ? f.threads : DefaultThreads());
  tokenizer::EncodeOptions opts;
  opts.add_special = true;
  opts.parse_special = false;
  std::vector<std::vector<float>> vectors;
  for (const std::string& text : f.texts) {
    std::vector<int32_t> ids = (*model)->tokenizer().Encode(text, opts);
    if (ids.empty()) Fail(fmt::format("\"{}\" has no tokens", text));
    if (static_cast<int64_t>(ids.size()) > (*model)->config().context_length) {
      Fail(fmt::format("\"{}\" is {} tokens, longer than the model's context", text, ids.size()));
    }
    auto v = (*model)->Embed(ids, pool);
    if (!v.ok()) Fail(v.status().message());
    vectors.push_back(std::move(v).value());
  }
  std::cout << fmt::format("{} vectors of {} dimensions (mean-pooled, L2-normalized)\n",
                           vectors.size(), vectors[0].size());
  for (size_t i = 0; i < vectors.size(); ++i) {
    for (size_t j = i + 1; j < vectors.size(); ++j) {
      double dot = 0, na = 0, nb = 0, l2 = 0;
      for (size_t d = 0; d < vectors[i].size(); ++d) {
        double a = vectors[i][d], b = vectors[j][d];
        dot += a * b;
        na += a * a;
        nb += b * b;
        l2 += (a - b) * (a - b);
      }
      double cosine = na > 0 && nb > 0 ? dot / std::sqrt(na * nb) : 0.0;
      std::cout << fmt::format("[{}] vs [{}]  cosine {:.6f}  dot {:.6f}  euclidean {:.6f}\n", i, j,
                               cosine, dot, std::sqrt(l2));
    }
  }
  for (size_t i = 0; i < f.texts.size(); ++i) std::cout << fmt::format("[{}] {}\n", i, f.texts[i]);
}

}  // namespace

void AddEngineCommands(CLI::App& app) {
  auto g = std::make_shared<GenerateFlags>();
  CLI::App* gen = app.add_subcommand("generate", "Generate text with a GGUF model, streamed to stdout");
  gen->add_option("-m,--model", g->model, "A .gguf file or ollama:NAME:TAG")->required();
  gen->add_option("-p,--prompt", g->prompt, "The text to continue (or, with --chat, to answer)")
      ->required();
  gen->add_flag("--chat", g->chat, "Send the prompt as a user message in the model's chat template");
  gen->add_option("-n,--max-tokens", g->max_tokens, "Tokens to generate at most (default 128)")
      ->check(CLI::Range(1, 1 << 20));
  gen->add_option("--temperature", g->temperature, "Sampling temperature; 0 = greedy (default 0.8)")
      ->check(CLI::Range(0.0, 100.0));
  gen->add_option("--top-k", g->top_k, "Keep the K most likely tokens; 0 = off (default 40)")
      ->check(CLI::NonNegativeNumber);
  gen->add_option("--top-p", g->top_p, "Nucleus sampling mass (default 0.95)")
      ->check(CLI::Range(0.0, 1.0));
  gen->add_option("--min-p", g->min_p, "Drop tokens below this fraction of the best (default 0.05)")
      ->check(CLI::Range(0.0, 1.0));
  gen->add_option("--seed", g->seed, "Random seed for a reproducible run (default: random)");
  gen->add_option("-t,--threads", g->threads, "Compute threads (default: hardware threads)")
      ->check(CLI::Range(0, 1024));
  gen->add_option("--context", g->context, "Context size (default: the model's)")
      ->check(CLI::Range(0, 1 << 24));
  gen->callback([g] { RunGenerate(*g); });

  auto e = std::make_shared<EmbedFlags>();
  CLI::App* embed = app.add_subcommand(
      "embed", "Compare texts by their embeddings: cosine similarity, dot product, L2 distance");
  embed->add_option("-m,--model", e->model, "A .gguf file or ollama:NAME:TAG")->required();
  embed->add_option("-t,--threads", e->threads, "Compute threads (default: hardware threads)")
      ->check(CLI::Range(0, 1024));
  embed->add_option("texts", e->texts, "Two or more texts")->required();
  embed->callback([e] { RunEmbed(*e); });
}
