#include "engine/generate/sampler.h"

#include <cmath>
#include <map>
#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace sluice::engine {
namespace {

// Draws `n` tokens from fresh copies of `logits` (the sampler edits them).
std::vector<int32_t> Draw(Sampler& s, const std::vector<float>& logits, int n) {
  std::vector<int32_t> out;
  for (int i = 0; i < n; ++i) {
    std::vector<float> l = logits;
    out.push_back(s.Sample(l));
  }
  return out;
}

const std::vector<float> kFlat = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 0.5f, 2.5f, 4.5f};

TEST(Sampler, GreedyPicksArgmaxAndLowestIdOnTies) {
  Sampler s(4, {.temperature = 0});
  std::vector<float> l = {0.1f, 3.0f, 3.0f, -1.0f};
  EXPECT_EQ(s.Sample(l), 1);
  std::vector<float> l2 = {0.1f, 2.0f, 3.5f, -1.0f};
  EXPECT_EQ(s.Sample(l2), 2);
}

TEST(Sampler, SameSeedSameTokensOtherSeedDiffers) {
  SamplerParams p{.temperature = 1.0f, .seed = 42};
  Sampler a(8, p), b(8, p);
  std::vector<int32_t> ta = Draw(a, kFlat, 64), tb = Draw(b, kFlat, 64);
  EXPECT_EQ(ta, tb);
  p.seed = 43;
  Sampler c(8, p);
  EXPECT_NE(ta, Draw(c, kFlat, 64));
}

TEST(Sampler, DistributionFollowsSoftmax) {
  Sampler s(3, {.temperature = 1.0f, .seed = 7});
  std::vector<float> logits = {0.0f, std::log(2.0f), std::log(7.0f)};  // p = .1 .2 .7
  std::map<int32_t, int> count;
  const int n = 20000;
  for (int32_t t : Draw(s, logits, n)) ++count[t];
  EXPECT_NEAR(count[0] / double(n), 0.1, 0.015);
  EXPECT_NEAR(count[1] / double(n), 0.2, 0.015);
  EXPECT_NEAR(count[2] / double(n), 0.7, 0.015);
}

TEST(Sampler, TopKKeepsOnlyKLargest) {
  Sampler s(8, {.temperature = 5.0f, .top_k = 3, .seed = 1});
  std::set<int32_t> seen;
  for (int32_t t : Draw(s, kFlat, 2000)) seen.insert(t);
  EXPECT_EQ(seen, (std::set<int32_t>{4, 7, 3}));  // logits 5, 4.5, 4
}

TEST(Sampler, TopPKeepsSmallestPrefixReachingMass) {
  // p = .5 .3 .15 .05: top_p .79 keeps {0, 1}; .85 keeps {0, 1, 2}.
  std::vector<float> logits = {std::log(.5f), std::log(.3f), std::log(.15f), std::log(.05f)};
  Sampler s(4, {.temperature = 1.0f, .top_p = 0.79f, .seed = 3});
  std::set<int32_t> seen;
  for (int32_t t : Draw(s, logits, 3000)) seen.insert(t);
  EXPECT_EQ(seen, (std::set<int32_t>{0, 1}));
  Sampler s2(4, {.temperature = 1.0f, .top_p = 0.85f, .seed = 3});
  seen.clear();
  for (int32_t t : Draw(s2, logits, 3000)) seen.insert(t);
  EXPECT_EQ(seen, (std::set<int32_t>{0, 1, 2}));
}

TEST(Sampler, MinPDropsTokensBelowFractionOfBest) {
  // p = .5 .3 .15 .05; min_p .25 → floor .125: keeps {0, 1, 2}.
  std::vector<float> logits = {std::log(.5f), std::log(.3f), std::log(.15f), std::log(.05f)};
  Sampler s(4, {.temperature = 1.0f, .min_p = 0.25f, .seed = 9});
  std::set<int32_t> seen;
  for (int32_t t : Draw(s, logits, 3000)) seen.insert(t);
  EXPECT_EQ(seen, (std::set<int32_t>{0, 1, 2}));
}

TEST(Sampler, MaskRemovesTokensBeforeEverythingElse) {
  Sampler s(40, {.temperature = 0});
  std::vector<float> logits(40, 0.0f);
  logits[39] = 10;  // the best, but masked out
  logits[33] = 5;
  std::vector<uint32_t> allowed(2, 0);
  allowed[1] = (1u << 1) | (1u << 6);  // tokens 33 and 38
  EXPECT_EQ(s.Sample(logits, allowed), 33);
  std::vector<uint32_t> none(2, 0);
  std::vector<float> l2(40, 0.0f);
  EXPECT_EQ(s.Sample(l2, none), -1);
  // Sampling at temperature only ever returns allowed tokens.
  Sampler r(40, {.temperature = 2.0f, .seed = 5});
  for (int i = 0; i < 500; ++i) {
    std::vector<float> l(40, 1.0f);
    int32_t t = r.Sample(l, allowed);
    EXPECT_TRUE(t == 33 || t == 38) << t;
  }
}

TEST(Sampler, PresenceAndFrequencyPenaltiesFollowOpenAI) {
  Sampler s(4, {.temperature = 0, .presence_penalty = 0.5f, .frequency_penalty = 0.25f});
  s.Accept(1);
  s.Accept(1);
  s.Accept(2);
  std::vector<float> logits = {1.0f, 1.0f, 1.0f, 1.0f};
  s.Sample(logits);
  EXPECT_FLOAT_EQ(logits[0], 1.0f);
  EXPECT_FLOAT_EQ(logits[1], 1.0f - 2 * 0.25f - 0.5f);
  EXPECT_FLOAT_EQ(logits[2], 1.0f - 1 * 0.25f - 0.5f);
  EXPECT_FLOAT_EQ(logits[3], 1.0f);
}

TEST(Sampler, RepetitionPenaltyDividesPositiveMultipliesNegativeInWindow) {
  Sampler s(4, {.temperature = 0, .repetition_penalty = 2.0f, .repeat_last_n = 2});
  s.Accept(0);  // outside the window of 2 once two more are accepted
  s.Accept(1);
  s.Accept(2);
  s.Accept(2);  // window = {2, 2}: token 2 penalized once
  std::vector<float> logits = {3.0f, 3.0f, 3.0f, -3.0f};
  s.Sample(logits);
  EXPECT_FLOAT_EQ(logits[0], 3.0f);
  EXPECT_FLOAT_EQ(logits[1], 3.0f);
  EXPECT_FLOAT_EQ(logits[2], 1.5f);
  Sampler n(4, {.temperature = 0, .repetition_penalty = 2.0f, .repeat_last_n = 64});
  n.Accept(3);
  std::vector<float> l2 = {0.0f, 0.0f, 0.0f, -3.0f};
  n.Sample(l2);
  EXPECT_FLOAT_EQ(l2[3], -6.0f);
}

TEST(Sampler, PenaltyChangesGreedyChoice) {
  Sampler s(3, {.temperature = 0, .frequency_penalty = 1.0f});
  std::vector<float> base = {2.0f, 1.5f, 0.0f};
  std::vector<float> l = base;
  int32_t first = s.Sample(l);
  EXPECT_EQ(first, 0);
  s.Accept(first);
  l = base;
  EXPECT_EQ(s.Sample(l), 1);
}

TEST(Sampler, NonFiniteLogitsAreSkipped) {
  Sampler s(3, {.temperature = 1.0f, .seed = 2});
  for (int i = 0; i < 100; ++i) {
    std::vector<float> l = {std::nanf(""), -INFINITY, 0.0f};
    EXPECT_EQ(s.Sample(l), 2);
  }
}

}  // namespace
}  // namespace sluice::engine
