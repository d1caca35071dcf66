#include "engine/generate/sampler.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sluice::engine {

Sampler::Sampler(int32_t n_vocab, const SamplerParams& params)
    : n_vocab_(n_vocab),
      params_(params),
      rng_(params.seed),
      counts_(static_cast<size_t>(std::max(n_vocab, 0)), 0) {
  candidates_.reserve(static_cast<size_t>(std::max(n_vocab, 0)));
}

void Sampler::Accept(int32_t token) {
  if (token < 0 || token >= n_vocab_) return;
  if (counts_[static_cast<size_t>(token)]++ == 0) distinct_.push_back(token);
  history_.push_back(token);
}

void Sampler::ApplyPenalties(std::span<float> logits) const {
  const float rep = params_.repetition_penalty;
  if (rep != 1.0f && params_.repeat_last_n != 0 && !history_.empty()) {
    // Each distinct token in the window once (llama.cpp penalizes by
    // presence in the window, not by count). The window is short, so a
    // quadratic distinctness check beats a vocabulary-sized scratch array.
    size_t n = params_.repeat_last_n < 0
                   ? history_.size()
                   : std::min(history_.size(), static_cast<size_t>(params_.repeat_last_n));
    const int32_t* window = history_.data() + (history_.size() - n);
    for (size_t i = 0; i < n; ++i) {
      if (std::find(window + i + 1, window + n, window[i]) != window + n) continue;
      float& l = logits[static_cast<size_t>(window[i])];
      l = l > 0 ? l / rep : l * rep;
    }
  }
  if (params_.presence_penalty != 0.0f || params_.frequency_penalty != 0.0f) {
    for (int32_t t : distinct_) {
      float count = static_cast<float>(counts_[static_cast<size_t>(t)]);
      logits[static_cast<size_t>(t)] -=
          count * params_.frequency_penalty + params_.presence_penalty;
    }
  }
}

int32_t Sampler::Sample(std::span<float> logits, std::span<const uint32_t> allowed) {
  const size_t n = std::min(logits.size(), static_cast<size_t>(n_vocab_));
  constexpr float kNegInf = -std::numeric_limits<float>::infinity();
  // 1. mask
  if (!allowed.empty()) {
    for (size_t t = 0; t < n; ++t) {
      if (!TokenAllowed(allowed, static_cast<int32_t>(t))) logits[t] = kNegInf;
    }
  }
  // 2. penalties
  ApplyPenalties(logits.subspan(0, n));

  candidates_.clear();
  for (size_t t = 0; t < n; ++t) {
    float l = logits[t];
    if (std::isnan(l) || l == kNegInf) continue;
    candidates_.push_back({static_cast<int32_t>(t), l});
  }
  if (candidates_.empty()) return -1;

  // 3. greedy
  if (params_.temperature <= 0.0f) {
    const Candidate* best = &candidates_[0];
    for (const Candidate& c : candidates_) {
      if (c.logit > best->logit) best = &c;
    }
    return best->id;
  }

  auto by_logit_desc = [](const Candidate& a, const Candidate& b) {
    return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
  };
  // 4. top-k (then everything kept is sorted, largest first)
  size_t keep = candidates_.size();
  if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < keep) {
    keep = static_cast<size_t>(params_.top_k);
    std::partial_sort(candidates_.begin(), candidates_.begin() + static_cast<std::ptrdiff_t>(keep),
                      candidates_.end(), by_logit_desc);
    candidates_.resize(keep);
  } else {
    std::sort(candidates_.begin(), candidates_.end(), by_logit_desc);
  }

  // 5. softmax with temperature (max-subtracted for stability)
  const float max_logit = candidates_[0].logit;
  double sum = 0;
  for (Candidate& c : candidates_) {
    c.logit = std::exp((c.logit - max_logit) / params_.temperature);
    sum += c.logit;
  }
  for (Candidate& c : candidates_) c.logit = static_cast<float>(c.logit / sum);

  // 6. top-p: smallest prefix with mass >= top_p (always at least one token)
  if (params_.top_p < 1.0f) {
    double mass = 0;
    size_t cut = candidates_.size();
    for (size_t i = 0; i < candidates_.size(); ++i) {
      mass += candidates_[i].logit;
      if (mass >= params_.top_p) {
        cut = i + 1;
        break;
      }
    }
    candidates_.resize(cut);
  }
  // 7. min-p relative to the most likely token
  if (params_.min_p > 0.0f) {
    const float floor = params_.min_p * candidates_[0].logit;
    size_t cut = 1;
    while (cut < candidates_.size() && candidates_[cut].logit >= floor) ++cut;
    candidates_.resize(cut);
  }

  // 8. draw from the renormalized remainder
  double total = 0;
  for (const Candidate& c : candidates_) total += c.logit;
  std::uniform_real_distribution<double> uniform(0.0, total);
  double r = uniform(rng_);
  for (const Candidate& c : candidates_) {
    r -= c.logit;
    if (r < 0) return c.id;
  }
  return candidates_.back().id;  // rounding left r >= 0 at the very end
}

}  // namespace sluice::engine
