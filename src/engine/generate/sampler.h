// Sampler: picks the next token from a row of logits.
//
// The pipeline, in order (the first three edit logits, the rest choose):
//   1. mask        tokens whose bit is clear in `allowed` are removed
//                  (bit t of allowed[t / 32], bit t % 32; the structured-output
//                  grammar supplies it);
//   2. penalties   repetition (llama.cpp / CTRL: a logit > 0 is divided by the
//                  penalty, a logit <= 0 multiplied) over the last
//                  `repeat_last_n` accepted tokens; then OpenAI's
//                  logit -= count * frequency_penalty + (count > 0) * presence_penalty
//                  over every accepted token;
//   3. temperature 0 means greedy: the arg-max of what is left (ties go to the
//                  lowest id), and nothing below applies;
//   4. top-k       keep the k largest logits (0 = off);
//   5. softmax     of logit / temperature over the kept tokens;
//   6. top-p       keep the smallest prefix (by probability, descending) whose
//                  mass reaches top_p (1 = off);
//   7. min-p       drop tokens with p < min_p * p_max (0 = off);
//   8. draw        one token from the renormalized distribution with the
//                  sampler's own PRNG (std::mt19937_64 seeded with `seed`), so
//                  the same seed, logits and history give the same tokens.
//
// Accept(token) records a generated token for the penalties. A Sampler holds
// per-request state and scratch buffers sized to the vocabulary once, so
// Sample does not allocate. Not thread-safe: one per request.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace sluice::engine {

struct SamplerParams {
  float temperature = 1.0f;  // >= 0; 0 = greedy
  int32_t top_k = 0;         // 0 = off
  float top_p = 1.0f;        // (0, 1]
  float min_p = 0.0f;        // [0, 1)
  float presence_penalty = 0.0f;
  float frequency_penalty = 0.0f;
  float repetition_penalty = 1.0f;  // 1 = off
  int32_t repeat_last_n = 64;       // window of the repetition penalty
  uint64_t seed = 0;
};

class Sampler {
 public:
  Sampler(int32_t n_vocab, const SamplerParams& params);

  // Chooses a token from `logits` (n_vocab floats; edited in place by the
  // mask and the penalties). `allowed`, when not empty, holds
  // ceil(n_vocab / 32) words of allowed-token bits. Returns -1 when no token
  // is allowed (every bit clear, or every allowed logit -inf/NaN).
  int32_t Sample(std::span<float> logits, std::span<const uint32_t> allowed = {});

  // Records `token` as generated (for the penalties). Ids outside the
  // vocabulary are ignored.
  void Accept(int32_t token);

  const SamplerParams& params() const { return params_; }

 private:
  void ApplyPenalties(std::span<float> logits) const;

  int32_t n_vocab_;
  SamplerParams params_;
  std::mt19937_64 rng_;
  std::vector<int32_t> counts_;    // (n_vocab) times each token was accepted
  std::vector<int32_t> history_;   // accepted tokens, oldest first
  std::vector<int32_t> distinct_;  // each accepted token once, in first-seen order
  struct Candidate {
    int32_t id;
    float logit;  // later: probability
  };
  std::vector<Candidate> candidates_;  // scratch, capacity n_vocab
};

// Whether bit `token` is set in `allowed` (an empty span allows everything).
inline bool TokenAllowed(std::span<const uint32_t> allowed, int32_t token) {
  if (allowed.empty()) return true;
  size_t word = static_cast<size_t>(token) / 32;
  return word < allowed.size() && ((allowed[word] >> (static_cast<uint32_t>(token) % 32)) & 1u);
}

}  // namespace sluice::engine
