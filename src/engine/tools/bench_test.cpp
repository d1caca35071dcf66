#include "engine/tools/bench.h"

#include <unistd.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/tools/random_model.h"

namespace sluice::engine::tools {
namespace {

TEST(Bench, ReportsSpeedsShapeAndTypesOfASmallModel) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("sluice_bench_" + std::to_string(::getpid()) + ".gguf"))
                               .string();
  RandomModelOptions m;
  m.arch = "qwen2";
  m.n_vocab = 300;
  m.n_embd = 64;
  m.n_head = 4;
  m.n_head_kv = 2;
  m.context_length = 64;
  m.tied = true;
  m.type = gguf::GgmlType::kQ8_0;
  ASSERT_TRUE(WriteRandomModel(m, path).ok());

  BenchOptions o;
  o.model = path;
  o.prompt_tokens = 8;
  o.gen_tokens = 4;
  o.repetitions = 1;
  StatusOr<BenchResult> r = RunBench(o);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_GT(r->pp_tokens_per_s, 0);
  EXPECT_GT(r->tg_tokens_per_s, 0);
  EXPECT_GT(r->tg_gb_per_s, 0);
  EXPECT_GT(r->peak_rss_mb, 0);
  EXPECT_GT(r->cpu_cores_used, 0);
  EXPECT_GT(r->weight_bytes, 0u);
  EXPECT_NE(r->shape.find("2 layers, embd 64"), std::string::npos) << r->shape;
  EXPECT_EQ(r->weight_type.rfind("Q8_0 (", 0), 0u) << r->weight_type;

  o.prompt_tokens = 61;  // 61 + 4 tokens do not fit the context of 64
  EXPECT_EQ(RunBench(o).status().code(), ErrorCode::kInvalidArgument);
  o.prompt_tokens = 0;
  EXPECT_EQ(RunBench(o).status().code(), ErrorCode::kInvalidArgument);
  o.model = path + ".absent";
  o.prompt_tokens = 8;
  EXPECT_FALSE(RunBench(o).ok());
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sluice::engine::tools
