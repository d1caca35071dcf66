// Golden logits: sluice's engine against an independent float64 reference.
//
// tests/engine/golden/ holds small random models (written by `sluice model
// random`) and, for each, NAME.golden: a JSON header line and the logits of
// every position of a fixed token sequence, computed by tools/reference/
// (Python: its own GGUF parser, dequantizers and forward pass, written from
// the format and architecture specifications, not from our C++). CI needs no
// Python: the files are committed; tests/engine/golden/regenerate.sh rebuilds them.
//
// Each model runs three ways, which must all match the reference:
//   - the whole sequence in one Forward (prompt path, logits of every position);
//   - one token at a time through the KV cache (decode path);
//   - a 5 + 7 split (a cached prefix followed by a batch).
//
// Tolerances:
//   - F32 / F16 / BF16 weights: max |engine - reference| <= 1e-4 * max |reference|.
//     F16/BF16 weights are exact in F32, but the engine's KV cache stores K
//     (after RoPE) and V as F16, which alone moves these logits by up to ~2e-4
//     of their maximum; the reference therefore applies the same rounding to K
//     and V (header "kv_f16": true), so what remains is F32-vs-float64
//     arithmetic.
//   - Quantized weights (Q8_0, Q4_0, Q4_K, Q6_K): the reference uses the same
//     quantized weights exactly, but the engine also quantizes activations
//     (Q8_0 / Q8_K blocks) for its integer dot products, so logits differ by a
//     fraction of a percent. Required: the same argmax on >= 99% of positions,
//     where a position whose reference top-2 gap is smaller than the
//     measured error bound cannot be decided and counts as agreeing if the
//     engine picked either of those near-tied tokens; and max error <= 5% of
//     max |reference| (a gross-error guard). The max error is printed. The
//     reference's own simulation of int8 activations moves these logits by
//     1-2% of their maximum (header "int8_activations_rel_change").
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "engine/kernels/thread_pool.h"
#include "engine/model/model.h"

namespace sluice::engine {
namespace {

namespace fs = std::filesystem;

fs::path GoldenDir() {
  if (const char* src = std::getenv("SLUICE_SOURCE_DIR")) return fs::path(src) / "tests/engine/golden";
  return fs::path(SLUICE_GOLDEN_DIR);
}

struct Golden {
  std::string name;
  std::string model_file;
  std::string weight_type;
  int32_t n_vocab = 0;
  std::vector<int32_t> tokens;
  std::vector<float> logits;  // [n_tokens][n_vocab]
};

// Reads NAME.golden; failures are test failures naming the file.
::testing::AssertionResult ReadGolden(const fs::path& path, Golden* g) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ::testing::AssertionFailure() << "cannot read " << path;
  std::string line;
  std::getline(in, line);
  boost::system::error_code ec;
  boost::json::value header = boost::json::parse(line, ec);
  if (ec || !header.is_object()) return ::testing::AssertionFailure() << path << ": bad JSON header";
  const boost::json::object& h = header.as_object();
  try {
    if (h.at("format").as_string() != "sluice-golden-1") {
      return ::testing::AssertionFailure() << path << ": unknown format";
    }
    g->name = path.stem().string();
    g->model_file = std::string(h.at("model").as_string());
    g->weight_type = std::string(h.at("weight_type").as_string());
    g->n_vocab = static_cast<int32_t>(h.at("n_vocab").as_int64());
    for (const boost::json::value& t : h.at("tokens").as_array()) {
      g->tokens.push_back(static_cast<int32_t>(t.as_int64()));
    }
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << path << ": header: " << e.what();
  }
  const size_t n = g->tokens.size() * static_cast<size_t>(g->n_vocab);
  g->logits.resize(n);
  in.read(reinterpret_cast<char*>(g->logits.data()), static_cast<std::streamsize>(n * sizeof(float)));
  if (static_cast<size_t>(in.gcount()) != n * sizeof(float) || in.peek() != EOF) {
    return ::testing::AssertionFailure() << path << ": expected exactly " << n << " float32 logits";
  }
  return ::testing::AssertionSuccess();
}

bool IsExactType(const std::string& t) { return t == "f32" || t == "f16" || t == "bf16"; }

// Compares engine logits [n_tokens][n_vocab] with the reference; `how` names the run.
void Compare(const Golden& g, const std::vector<float>& got, const std::string& how) {
  const size_t v = static_cast<size_t>(g.n_vocab);
  const size_t n = g.tokens.size();
  double max_ref = 0, max_err = 0;
  for (size_t i = 0; i < n * v; ++i) {
    max_ref = std::max(max_ref, std::fabs(double{g.logits[i]}));
    max_err = std::max(max_err, std::fabs(double{got[i]} - double{g.logits[i]}));
  }
  ASSERT_GT(max_ref, 0.0);
  const double rel = max_err / max_ref;
  std::printf("  %-12s %-14s max |err| = %.3g (%.3g of max |logit| %.3g)\n", g.name.c_str(),
              how.c_str(), max_err, rel, max_ref);
  if (IsExactType(g.weight_type)) {
    EXPECT_LE(rel, 1e-4) << g.name << " (" << how << "): max |err| " << max_err
                         << " vs max |logit| " << max_ref;
    return;
  }
  EXPECT_LE(rel, 5e-2) << g.name << " (" << how << "): max |err| " << max_err;
  int agree = 0, strict = 0;
  for (size_t p = 0; p < n; ++p) {
    const float* ref = &g.logits[p * v];
    const float* eng = &got[p * v];
    const size_t ref_top = static_cast<size_t>(std::max_element(ref, ref + v) - ref);
    const size_t eng_top = static_cast<size_t>(std::max_element(eng, eng + v) - eng);
    strict += ref_top == eng_top;
    // A near tie (within twice the observed error) cannot be decided by an engine that
    // quantizes activations; the engine's pick must still be one of the tied tokens.
    agree += ref_top == eng_top || double{ref[ref_top]} - double{ref[eng_top]} <= 2 * max_err;
  }
  std::printf("  %-12s %-14s argmax agrees at %d/%zu positions (%d strictly)\n", g.name.c_str(),
              how.c_str(), agree, n, strict);
  EXPECT_GE(static_cast<double>(agree), 0.99 * static_cast<double>(n))
      << g.name << " (" << how << "): argmax agrees at " << agree << "/" << n << " positions";
}

std::vector<std::string> GoldenNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(GoldenDir(), ec)) {
    if (e.path().extension() == ".golden") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class GoldenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, LogitsMatchTheReference) {
  Golden g;
  ASSERT_TRUE(ReadGolden(GoldenDir() / (GetParam() + ".golden"), &g));
  StatusOr<std::shared_ptr<const Model>> model = Model::Open((GoldenDir() / g.model_file).string());
  ASSERT_TRUE(model.ok()) << model.status().message();
  const Model& m = **model;
  ASSERT_EQ(m.config().n_vocab, g.n_vocab);
  const auto n = static_cast<int32_t>(g.tokens.size());
  const size_t v = static_cast<size_t>(g.n_vocab);
  ThreadPool pool(2);

  {  // All at once.
    std::unique_ptr<KvCache> cache = m.NewCache(64);
    std::vector<float> got(n * v);
    Status s = m.Forward(g.tokens, *cache, pool, got);
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(cache->size(), n);
    Compare(g, got, "batch");
  }
  {  // One token at a time.
    std::unique_ptr<KvCache> cache = m.NewCache(64);
    std::vector<float> got(n * v);
    for (int32_t i = 0; i < n; ++i) {
      Status s = m.Forward(std::span(g.tokens).subspan(i, 1), *cache, pool,
                           std::span(got).subspan(i * v, v));
      ASSERT_TRUE(s.ok()) << s.message();
    }
    EXPECT_EQ(cache->size(), n);
    Compare(g, got, "one-by-one");
  }
  {  // A cached prefix of 5, then a batch of the rest.
    std::unique_ptr<KvCache> cache = m.NewCache(64);
    std::vector<float> got(n * v);
    const int32_t k = 5;
    Status s = m.Forward(std::span(g.tokens).subspan(0, k), *cache, pool,
                         std::span(got).subspan(0, k * v));
    ASSERT_TRUE(s.ok()) << s.message();
    s = m.Forward(std::span(g.tokens).subspan(k), *cache, pool, std::span(got).subspan(k * v));
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_EQ(cache->size(), n);
    Compare(g, got, "split 5+7");
  }
  {  // Last-token logits only, after truncating and re-running the tail.
    std::unique_ptr<KvCache> cache = m.NewCache(64);
    std::vector<float> all(n * v), last(v);
    ASSERT_TRUE(m.Forward(g.tokens, *cache, pool, all).ok());
    cache->Truncate(n - 3);
    ASSERT_TRUE(m.Forward(std::span(g.tokens).subspan(n - 3), *cache, pool, last).ok());
    for (size_t i = 0; i < v; ++i) {
      ASSERT_NEAR(last[i], all[(n - 1) * v + i], 1e-3 * (1 + std::fabs(all[(n - 1) * v + i])))
          << "truncate + re-run differs at vocab " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Engine, GoldenTest, ::testing::ValuesIn(GoldenNames()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(GoldenFiles, ArePresent) {
  // A golden folder that silently lost its files would make the suite above vacuous.
  EXPECT_GE(GoldenNames().size(), 12u) << "golden files missing from " << GoldenDir();
}

}  // namespace
}  // namespace sluice::engine
