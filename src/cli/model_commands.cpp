#include "cli/model_commands.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/tools/encode.h"
#include "engine/tools/quantize_model.h"
#include "engine/tools/random_model.h"

namespace {

using sluice::engine::tools::ParseWeightType;

const std::vector<std::string> kTypeNames = {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_k", "q6_k"};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Fail(const sluice::Status& s) {
  std::cerr << "sluice: " << s.message() << "\n";
  throw CLI::RuntimeError(1);
}

struct RandomFlags {
  sluice::engine::tools::RandomModelOptions options;
  std::string out, type = "f32";
};

struct QuantizeFlags {
  std::string in, out, type;
};

void AddRandom(CLI::App& model, const std::shared_ptr<RandomFlags>& f) {
  CLI::App* random = model.add_subcommand("random", "Write a random-weight model (tests, benchmarks)");
  random->footer(
      "Writes a GGUF with the metadata, tensor names and a synthetic byte-level BPE\n"
      "tokenizer of exactly --vocab tokens, as a converted model has. Weights ~ N(0, scale^2).\n"
      "Qwen2.5-0.5B's shape: --arch qwen2 --vocab 151936 --embd 896 --layers 24 --heads 14\n"
      "  --kv-heads 2 --ff 4864 --context 32768 --tied --rope-base 1000000 --eps 1e-6");
  auto& o = f->options;
  random->add_option("out", f->out, "GGUF file to write")->required();
  random->add_option("--arch", o.arch, "llama or qwen2 (default llama)")
      ->check(CLI::IsMember({"llama", "qwen2"}));
  random->add_option("--name", o.name, "general.name (default random-ARCH)");
  random->add_option("--vocab", o.n_vocab, "Vocabulary size (>= 259; default 512)");
  random->add_option("--embd", o.n_embd, "Embedding width (default 64)");
  random->add_option("--layers", o.n_layer, "Transformer blocks (default 2)");
  random->add_option("--heads", o.n_head, "Attention heads (default 4)");
  random->add_option("--kv-heads", o.n_head_kv, "Key/value heads (default: --heads)");
  random->add_option("--ff", o.n_ff, "Feed-forward width (default 128)");
  random->add_option("--context", o.context_length, "Context length (default 2048)");
  random->add_flag("--tied", o.tied, "No output.weight: logits use token_embd");
  random->add_option("--type", f->type, "Type of the 2-D weights (default f32)")
      ->check(CLI::IsMember(kTypeNames, CLI::ignore_case));
  random->add_option("--seed", o.seed, "Random seed (default 1)");
  random->add_option("--rope-base", o.rope_freq_base, "RoPE frequency base (default 10000)");
  random->add_option("--eps", o.rms_eps, "RMSNorm epsilon (default 1e-5)");
  random->add_option("--scale", o.scale, "Standard deviation of 2-D weights (default 0.02)");
  random->callback([f] {
    f->options.type = *ParseWeightType(f->type);
    const auto start = std::chrono::steady_clock::now();
    sluice::Status s = sluice::engine::tools::WriteRandomModel(f->options, f->out);
    if (!s.ok()) Fail(s);
    std::cout << fmt::format("wrote {} ({} {}, {:.1f} s)\n", f->out, f->options.arch, f->type,
                             SecondsSince(start));
  });
}

void AddQuantize(CLI::App& app, const std::shared_ptr<QuantizeFlags>& f) {
  CLI::App* q = app.add_subcommand("quantize", "Re-encode a model's 2-D weights in another type");
  q->footer(
      "Norms and other 1-D tensors stay as they are; metadata is copied. Q4_K/Q6_K tensors whose\n"
      "rows are not a multiple of 256 are stored as Q8_0, as llama.cpp does.");
  q->add_option("in", f->in, "Source GGUF")->required()->check(CLI::ExistingFile);
  q->add_option("out", f->out, "GGUF file to write")->required();
  q->add_option("--type", f->type, "Target type")
      ->required()
      ->check(CLI::IsMember(kTypeNames, CLI::ignore_case));
  q->callback([f] {
    const auto start = std::chrono::steady_clock::now();
    sluice::engine::tools::QuantizeReport report;
    sluice::Status s = sluice::engine::tools::QuantizeModel(f->in, f->out, *ParseWeightType(f->type),
                                                            &report);
    if (!s.ok()) Fail(s);
    std::cout << fmt::format(
        "wrote {}: {} tensors re-encoded as {} ({} stored as q8_0: rows not a multiple of 256), "
        "{} copied; {:.1f} MB -> {:.1f} MB in {:.1f} s\n",
        f->out, report.n_converted, f->type, report.n_fallback, report.n_copied,
        static_cast<double>(report.in_bytes) / 1e6, static_cast<double>(report.out_bytes) / 1e6,
        SecondsSince(start));
  });
}

}  // namespace

void AddModelCommands(CLI::App& app) {
  CLI::App* model = app.add_subcommand("model", "Model file tools");
  model->require_subcommand(1);
  AddRandom(*model, std::make_shared<RandomFlags>());
  AddQuantize(app, std::make_shared<QuantizeFlags>());
}
