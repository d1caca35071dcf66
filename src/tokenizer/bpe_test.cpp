#include "tokenizer/bpe.h"

#include <gtest/gtest.h>

#include <climits>
#include <random>

namespace sluice::tokenizer {
namespace {

// The definition: repeatedly merge the lowest-rank pair, leftmost first.
std::vector<int32_t> NaiveMerge(const BpeMerger& m, std::vector<int32_t> w) {
  while (w.size() > 1) {
    int32_t best_rank = INT32_MAX;
    size_t best = 0;
    for (size_t i = 0; i + 1 < w.size(); ++i) {
      const internal::Merge* x = m.Find(w[i], w[i + 1]);
      if (x && x->rank < best_rank) {
        best_rank = x->rank;
        best = i;
      }
    }
    if (best_rank == INT32_MAX) break;
    w[best] = m.Find(w[best], w[best + 1])->id;
    w.erase(w.begin() + static_cast<ptrdiff_t>(best) + 1);
  }
  return w;
}

TEST(BpeMerger, LeftmostPairWinsAmongEqualRanks) {
  BpeMerger m;
  m.AddMerge(1, 1, 0, 2);  // a a → aa
  std::vector<int32_t> w = {1, 1, 1};
  m.Merge(&w);
  EXPECT_EQ(w, (std::vector<int32_t>{2, 1}));
}

TEST(BpeMerger, LowerRankFirst) {
  BpeMerger m;
  m.AddMerge(1, 2, 5, 10);  // ab
  m.AddMerge(2, 3, 1, 11);  // bc first
  m.AddMerge(1, 11, 2, 12);
  std::vector<int32_t> w = {1, 2, 3};
  m.Merge(&w);
  EXPECT_EQ(w, (std::vector<int32_t>{12}));
}

TEST(BpeMerger, ShortAndLongPathsAgreeWithTheDefinition) {
  std::mt19937 rng(7);
  BpeMerger m;
  // 4 base symbols, 60 random merges into new ids.
  int32_t next = 4;
  for (int32_t r = 0; r < 60; ++r) {
    const auto a = static_cast<int32_t>(rng() % static_cast<uint32_t>(next));
    const auto b = static_cast<int32_t>(rng() % static_cast<uint32_t>(next));
    if (m.Find(a, b)) continue;
    m.AddMerge(a, b, r, next++);
  }
  for (int trial = 0; trial < 300; ++trial) {
    const size_t len = trial < 150 ? 1 + rng() % BpeMerger::kShortWord : BpeMerger::kShortWord + 1 + rng() % 400;
    std::vector<int32_t> w(len);
    for (int32_t& x : w) x = static_cast<int32_t>(rng() % 4);
    std::vector<int32_t> got = w;
    m.Merge(&got);
    EXPECT_EQ(got, NaiveMerge(m, w)) << "length " << len;
  }
}

TEST(BpeMerger, NegativeIdsNeverMerge) {
  BpeMerger m;
  m.AddMerge(1, 1, 0, 2);
  std::vector<int32_t> w = {1, -1, 1, 1};
  m.Merge(&w);
  EXPECT_EQ(w, (std::vector<int32_t>{1, -1, 2}));
}

}  // namespace
}  // namespace sluice::tokenizer
